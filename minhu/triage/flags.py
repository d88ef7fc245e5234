"""Unreasonable-request hints (不合理诉求提示): abusive language, the same demand again
after a final answer, and matters clearly outside government duty.

These are only shown to a person, never acted on: whoever agrees proposes the flag with
``do_mark_unreasonable`` and a supervisor decides (``do_review_unreasonable``). So the
lexicons lean towards precision; a miss costs nothing, a wrong hint costs trust. Each
``reason`` is a plain statement of what was found, short enough (< 200 characters) to
become the reason of that proposal as it stands.

The desk calls ``flags_for`` on every order view: the text checks are precompiled
regular expressions (tens of microseconds) and the repeat check is one indexed query by
phone with a bounded number of rows, whose texts are compared with the duplicate
detector's problem similarity (``minhu.dedup.core``; character bigrams without it).

Abusive language is told apart by whom it addresses: the hotline, its staff or the
government (the strongest hint); nobody in particular or a third party (venting); or
words someone else said to the citizen (他骂我傻X), which make a complaint about abuse,
not an abusive request.

What counts as a *final answer* for the repeat check (documented here because the
orders app has no single flag for it):

* a supervisor approved the order as unreasonable (``unreasonable == approved``);
* it was closed by a direct answer at intake (``close_reason == direct``: an
  explanation was given) or closed after the review of a dissatisfied callback
  (``close_reason == reviewed``: the centre judged the answer sufficient);
* it was answered (state 待回访, 已办结 or merged with the master's result) and the
  answer said the demand cannot be met (``reply_solved is False``) or says in words that
  it was answered in full (已答复到位, 解释到位, 不予支持 …).

An order closed after a callback with the problem solved is *not* final in this sense:
a later call about the same thing is usually the problem coming back, which the
duplicate detection links as a repeat instead. Withdrawn orders and sub-orders never count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from minhu.core import clock

from .types import FlagHint

ABUSIVE = "abusive"
REPEAT = "repeat_after_final"
OUTSIDE = "outside_duty"

# --- Abusive language ---------------------------------------------------------------

# Characters people put between the characters of an insult to slip past filters
# (傻*逼, 操 你 妈, s.b); not Chinese commas or full stops, which separate real words.
_SEP = r"[\s*·.\-_~|/\\+#@^`'\"“”‘’]{0,2}"

# Insults and threats written out; each character may be split by _SEP. Words that also
# occur in ordinary requests (垃圾, 废物, 王八, 妈的, 弱智) are not here on their own: they
# appear only in the targeted pattern below, or with a guard.
_INSULTS = (
    "傻逼", "傻比", "傻屄", "傻叉", "煞笔", "煞逼", "沙比", "傻缺", "操你妈", "草你妈",
    "艹你妈", "日你妈", "操你大爷", "草泥马", "日你先人", "去你妈的", "你妈死了", "你妈逼",
    "妈了个逼", "你全家死", "死全家", "全家死光", "狗日的", "狗娘养的", "王八蛋", "混蛋",
    "滚蛋", "贱人", "贱货", "婊子", "人渣", "脑残", "白痴", "蠢货", "蠢猪", "狗官", "狗东西",
    "猪狗不如", "不得好死",
)
_THREATS = (
    "弄死你", "杀了你", "杀你全家", "砍死你", "捅死你", "打死你", "宰了你", "整死你",
    "同归于尽", "血洗",
)


def _spaced(word: str) -> str:
    return _SEP.join(re.escape(ch) for ch in word)


_GUARDED = [
    # 他妈的 is also "his mother's" (他妈的医保): only as an exclamation.
    _spaced("他妈的") + r"(?=[\s，,。.！!？?…]|$|就|还|又|真)",
    r"傻[bx×✕*]{1,2}(?![a-z0-9])",
    # 畜生 inside 家畜生产 / 畜生长.
    r"(?<!家)(?<!牲)畜生(?![产长活存])",
]
_THREAT_PATTERNS = [
    r"(?:炸|烧)(?:了|掉)?(?:你们|政府|信访办|街道办|市政府)",
    r"一把火烧了",
    r"要你们?的命",
    r"找人(?:弄|收拾|砍|打|搞)你",
]
# Calling staff or the government names: the noun alone is ordinary (垃圾站, 狗叫扰民),
# so only "X 是 …" with X a person or the government counts.
_TARGETED = (
    r"(?:你们?|政府|领导|干部|客服|接线员|话务员|工作人员|公务员|当官的)"
    r"(?:都|就|全|简直|真|这些人)?(?:都|就)?是(?:一群|一帮|一堆|一伙|些)?"
    r"(?P<noun>猪(?![肉场圈舍仔崽饲])|狗(?![肉粮舍窝证叫])|废物(?!利用|回收|处理)"
    r"|垃圾(?![站桶车房箱场分清处收运堆])|饭桶|白痴|蠢货|人渣|败类|吃干饭的|吃屎的)"
)
# Latin abbreviations and pinyin, only as a word of their own (not the sb in usb).
# Not inside codes either (the standard SB/T 10720).
_LATIN = (r"(?<![a-z0-9/\-_.])(?:s" + _SEP + r"b|sha" + _SEP + r"bi|cao" + _SEP + r"ni" + _SEP
          + r"ma|cnm|wcnm|nmsl|tmd|nmb|mlgb|rnm|fuck)(?![/\-_.]?[a-z0-9])")

_ABUSE_RE = re.compile("|".join(
    [f"(?P<t{i}>{_spaced(w)})" for i, w in enumerate(_THREATS)]
    + [f"(?P<p{i}>{p})" for i, p in enumerate(_THREAT_PATTERNS)]
    + [_spaced(w) for w in _INSULTS] + _GUARDED + [_TARGETED, _LATIN]))

# Someone reporting what was said to them (他骂我傻X, 对方威胁说……): the words are
# evidence in a complaint about abuse, not abuse of the hotline.
_QUOTING_RE = re.compile(
    r"骂|威胁|恐吓|扬言|放话|声称|口出|爆粗|脏话|粗口|说我|称我|叫我|喊我|说要|吼|冲我|"
    r"对我说|对我们说|辱我|侮辱|说他|说她|说业主|说我们")
_SENTENCE_END = re.compile(r"[。！!？?\n；;]")
# Whom an insult addresses: the hotline, its staff, the government.
_TARGET_RE = re.compile(r"你|您|政府|领导|干部|客服|接线|话务|工作人员|公务员|当官|城管|警察"
                        r"|书记|市长|区长|部门|热线|12345")
_CONTEXT_REACH = 16
_SEPARATORS = re.compile(_SEP.replace("{0,2}", "+"))


def normalise(text: str) -> str:
    """Full-width to half-width and lower case, so ＳＢ and sb read the same."""
    return unicodedata.normalize("NFKC", text or "").lower()


def mask(word: str) -> str:
    """Show the first character only: 傻逼 → 傻*, 操你妈 → 操**."""
    plain = _SEPARATORS.sub("", word) or word
    return plain[0] + "*" * max(1, len(plain) - 1)


def _sentence_around(text: str, start: int, end: int, reach: int = _CONTEXT_REACH):
    """(before, after) the match within its sentence, at most ``reach`` characters."""
    before = text[max(0, start - reach):start]
    cut = max((m.end() for m in _SENTENCE_END.finditer(before)), default=0)
    after = text[end:end + reach]
    stop = _SENTENCE_END.search(after)
    return before[cut:], after[:stop.start()] if stop else after


@dataclass
class AbuseFound:
    at_staff: list[str] = field(default_factory=list)  # aimed at the hotline or government
    other: list[str] = field(default_factory=list)  # venting, or aimed at someone else
    quoted: list[str] = field(default_factory=list)  # what someone said to the citizen
    threat: bool = False


def abuse_matches(text: str) -> AbuseFound:
    """Insults and threats in ``text``, masked, sorted by whom they address."""
    text = normalise(text)
    found = AbuseFound()
    for m in _ABUSE_RE.finditer(text):
        word = mask(m.group("noun") or m.group(0))
        before, after = _sentence_around(text, m.start(), m.end())
        if _QUOTING_RE.search(before):
            bucket = found.quoted
        else:
            aimed = m.group("noun") or _TARGET_RE.search(before + m.group(0) + after)
            bucket = found.at_staff if aimed else found.other
            found.threat = found.threat or any(k[0] in "tp" and k[1:].isdigit()
                                               for k, v in m.groupdict().items() if v)
        if word not in bucket:
            bucket.append(word)
    return found


def _quote(words: list[str], limit: int = 3) -> str:
    return "".join(f"“{w}”" for w in words[:limit])


def abusive_flag(text: str) -> FlagHint | None:
    found = abuse_matches(text)
    what = "威胁或辱骂用语" if found.threat else "辱骂用语"
    if found.at_staff:
        return FlagHint(ABUSIVE, f"诉求内容含针对工作人员或政府的{what}"
                                 f"（{_quote(found.at_staff)}）")
    if found.other:
        return FlagHint(ABUSIVE, f"诉求内容含{what}（{_quote(found.other)}），"
                                 "未明确针对工作人员，可能是情绪宣泄或指向他人")
    if found.quoted:
        return FlagHint(ABUSIVE, f"内容转述他人的辱骂或威胁（{_quote(found.quoted)}），"
                                 "多为对被辱骂的投诉，一般不属不合理诉求")
    return None


# --- Outside government duty ------------------------------------------------------

# (what, pattern). Each names a private matter with no public element, which citizens
# are told to settle by negotiation, mediation, arbitration or the courts.
_OUTSIDE_RULES: list[tuple[str, str]] = [
    ("私人借贷纠纷",
     r"(?:借|欠)[^。!?，,]{0,8}(?:钱|款)[^。!?]{0,8}不还|私人借贷|民间借贷|借条|欠条"
     r"|借钱[^。!?]{0,6}(?:找|让|要求)政府"),
    ("婚姻家庭财产纠纷",
     r"离婚[^。!?，,]{0,8}(?:财产|房产|抚养权)|(?:夫妻|婚后)[^。!?，,]{0,6}财产(?:分割|纠纷)"
     r"|分割[^。!?，,]{0,6}财产|争[夺抢]?抚养权"
     r"|(?:老公|老婆|丈夫|妻子)[^。!?]{0,4}(?:出轨|外遇|小三)|分遗产|遗产[^。!?]{0,4}(?:纠纷|分配)"),
    ("要求政府帮找对象",
     r"(?:政府|你们|帮我|帮忙|给我)[^。!?]{0,6}(?:找|介绍|分配|安排)[^。!?]{0,2}"
     r"(?:对象|老婆|媳妇|女朋友|男朋友)"),
    ("要求政府帮买彩票或预测中奖",
     r"(?:帮|替|给)我?[^。!?]{0,4}买彩票|(?:预测|告诉我|提供)[^。!?]{0,6}(?:彩票|中奖)号码"
     r"|彩票[^。!?]{0,6}(?:没中|不中)[^。!?]{0,8}(?:赔|补偿|退钱)"),
    ("已进入诉讼的商业合同纠纷",
     r"(?:合同|生意|货款|合作)[^。!?]{0,12}(?:已经?起诉|诉讼中|正在诉讼|已立案|法院审理|已经?在打官司)"),
    ("要求撤销或改变法院判决",
     r"(?:撤销|推翻|改判|纠正|不服)[^。!?]{0,6}(?:法院)?(?:的)?(?:判决|裁定|判决书|裁判)"
     r"|(?:政府|你们)[^。!?]{0,4}(?:干预|插手)[^。!?]{0,4}(?:审判|判决|官司)"),
    ("个人投资亏损要求赔偿",
     r"(?:炒股|股票|基金|期货|虚拟币|炒币)[^。!?]{0,8}(?:亏|赔)[^。!?]{0,10}"
     r"(?:政府|你们)[^。!?]{0,4}(?:赔|补偿|负责)"),
]
_OUTSIDE_RE = [(what, re.compile(p)) for what, p in _OUTSIDE_RULES]
# A public element makes it the government's business after all: wages (农民工工资 is a
# priority), fraud and illegal fund-raising, domestic violence, regulated trades, or a
# public body as the debtor.
_PUBLIC_ELEMENT = re.compile(
    r"农民工|工资|欠薪|薪资|薪水|劳务费|劳动报酬|社保|工伤|诈骗|骗子|非法集资|集资|套路贷"
    r"|高利贷|暴力催收|传销|黑恶|家暴|家庭暴力|殴打|打伤|人身安全|婚托|婚介"
    r"|开发商|物业|预付|办卡|跑路|政府欠|政府拖欠|村委|村集体|居委会|街道欠|学校欠|国企"
    r"|工作人员|公职人员|公务员|干部|假离婚|户口|落户|补贴|公积金|低保|保障房|经济适用房|公租房")


def outside_duty_flag(text: str) -> FlagHint | None:
    text = normalise(text)
    if _PUBLIC_ELEMENT.search(text):
        return None
    for what, pattern in _OUTSIDE_RE:
        m = pattern.search(text)
        if m:
            return FlagHint(OUTSIDE, f"可能不属于政府职责：{what}（“{m.group(0)[:20]}”），"
                                     "一般应通过协商、调解、仲裁或诉讼解决")
    return None


# --- The same demand after a final answer ----------------------------------------

REPEAT_LOOKBACK_DAYS = 365
REPEAT_MAX_ROWS = 60  # one caller's history; bounds the work for a very frequent caller
# Same matter: the duplicate detector's problem similarity (named problems first, wording
# second) when the dedup app is installed; plain character bigrams otherwise.
REPEAT_SIMILARITY = 0.6
FALLBACK_SIMILARITY = 0.5
_FINAL_REPLY_RE = re.compile(r"答复到位|解释到位|已作解释|不予支持|无法满足|不予受理|依法不予"
                             r"|不属于[^。!?]{0,10}(?:职责|范围|受理)")
# Wording every agent types; left in, it would make unrelated requests look alike.
_BOILERPLATE_RE = re.compile(
    r"市民来电(?:反映|称|咨询|投诉|举报)?|来电人|来电(?:反映|称)|诉求人|(?:市民|群众)?反映"
    r"|希望|请求|要求|请|尽快|相关部门|有关部门|处理|解决|协调|核实|谢谢|你好|您好")
_KEEP_RE = re.compile(r"[\u4e00-\u9fff0-9a-z]+")


def shingles(text: str) -> frozenset[str]:
    """Character bigrams of the text with boilerplate and punctuation removed."""
    plain = "".join(_KEEP_RE.findall(_BOILERPLATE_RE.sub(" ", normalise(text))))
    return frozenset(plain[i:i + 2] for i in range(len(plain) - 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two bigram sets (0 when either is too short to judge)."""
    if len(a) < 3 or len(b) < 3:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _dedup_core():
    try:
        from minhu.dedup import core
    except ImportError:  # triage without the dedup app
        return None
    return core if hasattr(core, "signature") and hasattr(core, "problem_similarity") else None


def same_matter(order) -> Callable[[dict], bool]:
    """A test "is this earlier row about the same matter as ``order``?"."""
    core = _dedup_core()
    if core is not None:
        mine = core.signature(order.pk, order.created_at or clock.now(), order.content or "",
                              order.address or "")
        if mine.grams or mine.concepts:
            def by_problem(row: dict) -> bool:
                theirs = core.signature(row["pk"], row["created_at"], row["content"] or "",
                                        row["address"] or "")
                return core.problem_similarity(mine, theirs) >= REPEAT_SIMILARITY

            return by_problem
    grams = shingles(order.content)
    return lambda row: similarity(grams, shingles(row["content"])) >= FALLBACK_SIMILARITY


def is_final(row: dict) -> bool:
    """See the module docstring: what counts as a final answer."""
    from minhu.orders.states import CloseReason, ReviewStatus, State

    if row["unreasonable"] == ReviewStatus.APPROVED:
        return True
    state = row["state"]
    if state == State.CLOSED and row["close_reason"] in (CloseReason.DIRECT,
                                                         CloseReason.REVIEWED):
        return True
    answered = state in (State.REPLIED, State.CLOSED) or (
        state == State.MERGED and row["closed_at"] is not None)
    return answered and (row["reply_solved"] is False
                         or bool(_FINAL_REPLY_RE.search(row["reply_text"] or "")))


def _final_at(row: dict):
    return row["closed_at"] or row["replied_at"] or row["updated_at"]


def earlier_by_phone(order) -> list[dict]:
    """The caller's earlier top-level orders (newest first), by the indexed phone."""
    from minhu.orders.models import WorkOrder

    created = order.created_at or clock.now()
    qs = (WorkOrder.objects
          .filter(citizen_phone=order.citizen_phone.strip(), is_anonymous=False,
                  parent__isnull=True, created_at__lt=created,
                  created_at__gte=created - timedelta(days=REPEAT_LOOKBACK_DAYS))
          .exclude(pk=order.pk)
          .order_by("-created_at")
          .values("pk", "number", "content", "address", "state", "unreasonable", "close_reason",
                  "reply_solved", "reply_text", "closed_at", "replied_at", "updated_at",
                  "created_at"))
    return list(qs[:REPEAT_MAX_ROWS])


def repeat_flag(order) -> FlagHint | None:
    phone = (order.citizen_phone or "").strip()
    if order.is_anonymous or len(phone) < 5:
        return None
    if len((order.content or "").strip()) < 4:
        return None
    rows = earlier_by_phone(order)
    if not rows:
        return None
    alike = same_matter(order)
    similar = [r for r in rows if alike(r)]
    final = next((r for r in similar if is_final(r)), None)  # newest final answer
    if final is None:
        return None
    at = _final_at(final)
    since = sum(1 for r in similar if r["created_at"] > at) + 1  # + this order
    day = timezone.localtime(at).date().isoformat()
    return FlagHint(REPEAT, f"同一来电人就同一诉求已于 {day} 终结答复（工单 {final['number']}），"
                            f"此后第 {since} 次反映")


# --- Together -------------------------------------------------------------------


def flags_for(order) -> list[FlagHint]:
    """Every hint for one order, for a person to weigh (never applied automatically)."""
    text = f"{order.title or ''}\n{order.content or ''}"
    hints = [abusive_flag(text), repeat_flag(order), outside_duty_flag(text)]
    return [h for h in hints if h is not None]
