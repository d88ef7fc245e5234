"""The built-in emergency lexicon: words that force 紧急 whatever the model says.

A missed gas leak costs far more than a dispatcher downgrading a false alarm, so the
patterns are broad; what keeps them honest is the context check around each hit:
a negation just before it ("没有漏气"), a hypothetical ("如果着火怎么办", "担心"), a
problem already over in the same sentence ("昨天漏气已修好"), or a sentence that is about
fees, procedures or prevention ("燃气费怎么交", "消防演练"). Each hit reports the matched
words so the dispatcher sees why.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Hit(NamedTuple):
    name: str  # short Chinese label shown as evidence
    words: str  # the matched text


_GAS = "(?:煤气|燃气|燃汽|天然气|液化气|沼气|煤气罐|气罐)"
_PEOPLE = ("(?:孩子|小孩|娃|儿子|女儿|孙子|孙女|老人|老太太|老爷子|大爷|奶奶|爷爷"
           "|母亲|父亲|我妈|我爸"
           "|老伴|老公|老婆|丈夫|妻子|病人|人)")
_KID_OR_ELDER = ("(?:孩子|小孩|娃|儿子|女儿|孙子|孙女|老人|老太太|老爷子|大爷|奶奶|爷爷"
                 "|我妈|我爸|老伴)")
# Symptoms of fumes; the negation check sees only what precedes a match, so a symptom
# denied in a later clause ("没有头晕") is excluded here.
_SYMPTOM = r"(?<!没有)(?<![没不无])(?:头晕|头疼|头痛|头昏|恶心|想吐|呕吐|晕乎|犯困|迷糊|站不稳)"
_COLD = ("(?:冻|零下|结冰|寒潮|降温|温度还要降|[一二三四五六七八九十0-9]+度|发抖|冷得"
         "|老人|病人|瘫痪|婴儿"
         "|小孩|孩子|哮喘)")

PATTERNS: tuple[tuple[str, str], ...] = (
    ("燃气泄漏", rf"{_GAS}.{{0,12}}(?:泄漏|泄露|漏了(?!水)|在漏(?!水)|漏气|味|嘶嘶|嗤嗤|冒泡"
                 r"|喷|冒气|关不上|着了|炸|爆)"
                 rf"|(?:闻到|一股|有股|全是|都是).{{0,6}}{_GAS}|(?<![轮车胎球])漏气|臭鸡蛋味"
                 rf"|报警器.{{0,6}}(?:响|叫)"
                 rf"|{_GAS}管.{{0,4}}(?:破|断|裂|口子)"
                 rf"|(?:挖断|挖破|打到|撞断|咬).{{0,6}}(?:燃气|气管|黄管)"
                 r"|(?:是不是|像是?|怀疑|说是).{0,4}(?:漏气|煤气|燃气|天然气)|热水器.{0,8}(?:味|晕)"
                 r"|爆燃"
                 r"|(?:味|气味).{0,16}(?:往外跑|都在跑|不敢点|打火机|头晕|恶心|想吐)"),
    ("有人被困", r"困人|被困|困在|困了|关在.{0,4}(?:电梯|里面)|卡在电梯"
             r"|电梯.{0,12}(?:困|关住|卡住|卡在|出不来"
                 r"|打不开|夹|乱窜|往下掉|停在半|半截|停住|里面有|里头|在里面|停不下来)"
                 r"|(?:锁|困|关)在.{0,4}(?:屋|家|房间)里.{0,6}出不来"
                 r"|(?:被|给|把).{0,8}(?:夹住|卡住|吊在|卷进)"
                 r"|(?:卡|吊)在半空|下不来|出不去|(?:我们|人)下不去|埋在"
                 r"|(?:卡在|困在|夹在|关在).{0,8}出不来|头卡住"
                 r"|还有人在里面|里面还有人|有人在里面|还有人没出来"),
    ("水淹入户", r"(?:进屋|进家|灌进|倒灌|漫进|涌进|淹进|冲进|往里灌)"
             r"|(?:家|屋|室内|屋里|家里|房间|一楼|地下室|车库)"
                 r".{0,6}(?:淹|进水|全是水|泡了|泡着|水帘)"
                 r"|(?:水管|管道|水管子|主管|暖气管|消防栓).{0,3}(?:爆|裂|破)"
                 r"|爆管|水冲得|水.{0,4}(?:到膝盖|到腰|齐腰|漫过|漫上来)"
                 r"|(?:积水|水).{0,6}(?:熄火|出不来)"
                 r"|被淹|淹了|水.{0,6}跟河一样"),
    ("停暖停电危及人身", rf"(?:停暖|不供暖|没供暖|没暖|供暖中断|供热.{{0,4}}(?:故障|中断|停)"
                         r"|暖气.{0,6}(?:停|不热|冰凉|没了|全停)"
                         rf"|换热站.{{0,6}}(?:故障|停)).{{0,20}}{_COLD}"
                         rf"|{_COLD}.{{0,16}}(?:停暖|暖气.{{0,4}}(?:停|不热))"
                         r"|(?:整栋|整幢|整个楼|全楼|整楼|这栋楼|一栋楼|整个单元|全小区|整个小区|好几栋|整个都是)"
                         r".{0,12}(?:没有?暖气|停暖|不供暖|没供暖|暖气.{0,4}(?:不热|停|冰凉|没了))"
                         r"|停电.{0,20}(?:呼吸机|制氧机|透析|氧气)"
                         r"|(?:呼吸机|制氧机|透析机?).{0,20}(?:停电|没电)"
                         r"|(?:坐着|躺着|路边).{0,6}发抖|零下.{0,10}(?:发抖|穿得很少)"),
    ("火情", r"着火|起火|失火|火灾(?!隐患)|火情|烧起来|燃起来|烧着|着了|自燃|爆炸|炸了|浓烟|明火"
           r"|火苗|冒火|往外窜"
             r"|焦糊味|烧焦|全是烟|烟好大|烟从门缝|(?<!烟囱)(?<!烟囱天天)冒烟|冒白烟"),
    ("电线裸露带电", r"(?:电线|电缆|高压线|线缆).{0,8}(?:掉|断|垂|落地|裸露|漏电|打火|冒火花|耷拉"
                     r"|刮下来|带下来|搭在)"
                     r"|漏电|触电|电线杆.{0,4}(?:倒|断)|冒火花|打火花"),
    ("坍塌与坠物", r"坍塌|倒塌|垮塌|塌方|塌了|塌下来|要塌|塌陷|下陷|陷下去|大洞|大口子|窟窿|裂开了"
              r"|裂得厉害"
                   r"|(?:墙|楼板|房顶|屋顶|外墙|瓷砖|墙皮|玻璃|幕墙|窗框|外机|广告牌|招牌|花架|雨棚|吊篮|塔吊|围挡|脚手架|树)"
                   r".{0,12}(?:掉下|往下掉|掉了|砸|倒了|倒下|歪了|吹倒|断了|翻出来|摇摇晃晃|晃|往一边倒|随时)"
                   r"|(?:大树|树).{0,4}(?:倒|横在|压)|砸到|砸伤|砸坏|压住|压在"),
    ("井盖缺失", r"井盖.{0,8}(?:没了|不见|丢|翻|碎|冲开|顶起|缺失|掉下去|被偷)"
             r"|(?:井口|下水井).{0,6}(?:敞着|没盖|冒)"),
    ("有人受伤或遇险", r"摔倒在地|倒在地上|倒地|躺在|躺着|晕倒|昏倒|昏迷|晕了|叫不醒|不省人事|抽搐"
                r"|一动不动|没气了"
                       r"|说不出话|动不了|起不来|掉进|掉到.{0,4}(?:河|湖|水|坑|井)|掉下去了|坠楼"
                       r"|坠落|落水|溺水|扑腾|被水冲走"
                       r"|跳楼|要跳|轻生|自杀|流血|有血|出血|血流|呼吸困难|心脏病|被.{0,3}撞"
                       r"|被.{0,3}咬伤"
                       r"|救命|窗台外|中暑|晕在|摔下来|滚下去|咬伤"
                       r"|敲门.{0,3}(?:不开|没人应|没人开|没反应)"),
    ("人员走失", rf"{_PEOPLE}.{{0,14}}(?:走丢|不见了|失踪|找不到了|走失|联系不上|失联|没了)"
                 rf"|{_KID_OR_ELDER}丢了(?![^，。！？]{{0,6}}(?:证|本|卡|钱|包|手机|钥匙))"
                 rf"|{_PEOPLE}.{{0,14}}(?:到现在|一直|至今|还|现在).{{0,4}}没(?:回家|回来)"
                 rf"|(?:被.{{0,8}}带走|拉上车)|没大人|大人不在|家长不在|大人不知道在哪"),
    ("危险品与中毒", r"中毒|有毒|化学品|危化品|罐车.{0,4}(?:翻|漏)|氨气|刺鼻|烧炭|一氧化碳|煤气中毒"
                     r"|(?:锅炉|压力容器|储罐).{0,8}(?:冒汽|异响|爆)|都跑出来了|都在往外跑"),
    ("行凶斗殴", r"持刀|拿刀|砍人|行凶|打架|正在打人|撬门|抢劫"),
    # Situations described without the textbook word: what the caller sees, smells or
    # feels rather than "泄漏" or "被困". Each needs two signals (a place or person plus a
    # sign of danger) so that one ordinary word alone does not raise an alarm.
    ("疑似被困", r"(?:轿厢|电梯|卫生间|厕所|房间|屋|车|地窖|井)里?.{0,12}"
                 r"(?:按铃|喊|叫|敲|呼叫).{0,6}(?:没人|不应|没反应|没人理|没人管|没动静)"
                 r"|反锁.{0,10}(?:打不开|出不来|开不了|弄不开)"
                 r"|(?:轿厢|电梯)里.{0,12}(?:半小时|半个小时|一个小时|好久|半天)"),
    ("疑似漏气", r"(?:味道?|气味|异味|一股味).{0,20}不敢.{0,2}(?:开灯|开火|点火|打火|开电|开关|按"
                 r"|开抽油烟机|用电|用明火|动火)"
                 r"|不敢(?:开灯|点火|打火)"),
    ("疑似一氧化碳", r"(?:炉子|煤炉|蜂窝煤|煤球|炭盆|炭火|火盆|木炭|烧炭|取暖炉|热水器"
                      r"|燃气灶|煤气灶|发电机)"
                      rf".{{0,24}}{_SYMPTOM}"
                      r"|(?:头晕|头疼|头痛|头昏|恶心|想吐).{0,16}(?:炉子|煤炉|蜂窝煤|炭盆|炭火|火盆"
                      r"|取暖炉|热水器)"),
    ("电器打火", r"(?:配电箱|电箱|电表箱|电闸|闸刀|插座|插头|开关|变压器|电线|线路"
                 r"|电表|电缆|电瓶车)"
                 r".{0,10}(?:火星|火花|打火|噼啪|噼里啪啦|啪啪响|拉弧|电弧|冒烟|焦味|烧化|发烫冒)"
                 r"|拉弧"),
    ("疑似走失", r"(?:痴呆|老年痴呆|阿尔茨海默|认知障碍|脑子糊涂|糊涂了|智力障碍|智障|自闭症)"
                 r".{0,30}(?:出门|出去|走了|不见|找不|没找|没回|跑出去|跑丢|溜出去)"
                 rf"|{_KID_OR_ELDER}.{{0,20}}(?:出门|出去|跑|走|不见).{{0,16}}"
                 r"(?:没找着|没找到|找不着|找遍|到处找)"),
    ("堤坝险情", r"(?:堤|坝|河埂|圩|堰|河岸|塘埂).{0,10}(?:渗水|渗|冒水|冒浑水|浑水|管涌"
                 r"|翻沙|冒沙|往外冒|漏水|滑坡|缺口|垮|冲开)"
                 r"|管涌|翻沙鼓水"),
    ("水中遇险", r"(?:车|轿车|汽车|公交|人).{0,8}(?:漂起来|漂走|漂着|冲走|泡在水里|被水围|困在水)"
                 r"|(?:涵洞|下穿|隧道|桥洞|地道|立交桥下).{0,12}(?:熄火|漂|被困|车.{0,4}(?:淹|泡))"),
    ("受限空间遇险", r"(?:地窖|菜窖|窖|井|坑|池|罐|化粪池|沼气池|下水道|窨井|地下室|水箱"
                      r"|储罐|污水池|井下)"
                      r".{0,14}(?:没上来|上不来|没出来|晕在"
                      r"|[喊叫].{0,2}不应|[喊叫].{0,3}没(?:反应|回应|人应))"
                      r"|下去.{0,10}(?:没上来|上不来|没动静)"),
    ("山洪与汛情", r"山体滑坡|往下滑|泥石流|山洪|决堤|漫堤|溃坝|落石"
              r"|(?:堤|坝).{0,6}(?:渗水|裂|冒水|漫)|河水.{0,4}(?:漫|涨)"),
)

# A hit is dropped when a negation sits just before it in the same clause: these anywhere
# in the five characters before, the single characters only right before.
_NEGATION = re.compile(r"没有|没闻|没发现|未发现|未见|不是|并非|并没|不存在|防止|预防|避免|以防"
                       r"|排除|无人|没人")
_NEGATION_CHAR = "没未无不"
# The clause says the danger is hypothetical or the question is about something else.
_NOT_NOW = re.compile(
    r"如果|假如|万一|一旦|担心|怕会|会不会|是否会|怎么预防|如何预防|怎样预防|演练|宣传|知识|讲座"
    r"|培训"
    r"|应急预案|隐患排查|怎么交|如何交|在哪交|缴费|交费|怎么补|补办|能不能赔|理赔|保险|申请补助"
    r"|想申请|防走失")
# A sentence that plays the danger down (还没倒, 没受伤) or asks about money or papers.
_HEDGE = re.compile(r"还没倒|还没掉|没砸到|没受伤|能不能赔|理赔|保险|补助|补办|怎么补")
# A sentence about an event that is over (上次, 那次) with nothing saying it is happening again.
_PAST = re.compile(r"上次|上回|那次|上个月|去年|以前|之前|过一次|后来出来了|后来")
_NOW = re.compile(r"现在|正在|还在|又|一直|赶紧|快来|马上|急|刚才|刚刚|今天|今晚")
# The sentence says it is over already.
_OVER = re.compile(
    r"已修好|已经修好|修好了|已处理|已经处理好|处理好了|已解决|已经解决|已恢复|已经恢复|恢复正常"
    r"|已排除"
    r"|已扑灭|火.{0,2}灭了|已救出|救出来了|已找到|找回来了|已经回家|已送医|没事了")
LONG_LETTER = 160
_URGE = re.compile(r"现在|正在|还在|赶紧|赶快|快来|马上|立即|立刻|紧急|救命|危急|刚才|刚刚")
_NO_SMELL = re.compile(r"没味|没有味|没什么味|无味|没有?异味")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+")
_CLAUSE_MARKS = "，,、：:"

_COMPILED = tuple((name, re.compile(p)) for name, p in PATTERNS)


def scan(text: str) -> list[Hit]:
    """Emergency hits that survive the context checks, one per kind, in text order."""
    hits: dict[str, Hit] = {}
    # A long letter mentioning a danger in passing is not an emergency call: there a hit
    # counts only in the opening sentence or next to words saying it is happening now.
    long_letter = len(text or "") > LONG_LETTER
    for i, sentence in enumerate(_SENTENCE.findall(text or "")):
        if long_letter and i > 0 and not _URGE.search(sentence):
            continue
        if _OVER.search(sentence) or _HEDGE.search(sentence) or (
                _PAST.search(sentence) and not _NOW.search(sentence)):
            continue
        for name, pattern in _COMPILED:
            if name not in hits:
                words = _first_live(pattern, sentence)
                if words:
                    hits[name] = Hit(name, words)
    return list(hits.values())


def _first_live(pattern: re.Pattern, sentence: str) -> str:
    """The first match whose clause is neither negated nor hypothetical."""
    for m in pattern.finditer(sentence):
        start = max((sentence.rfind(c, 0, m.start()) for c in _CLAUSE_MARKS), default=-1) + 1
        ends = [i for i in (sentence.find(c, m.start()) for c in _CLAUSE_MARKS) if i >= 0]
        clause = sentence[start:min(ends, default=len(sentence))]
        before = sentence[max(start, m.start() - 5):m.start()]
        if _NOT_NOW.search(clause) or _NEGATION.search(before) or (
                before and before[-1] in _NEGATION_CHAR):
            continue
        if _NO_SMELL.search(m.group(0)):
            continue
        return m.group(0)
    return ""


def is_emergency(text: str) -> bool:
    return bool(scan(text))
