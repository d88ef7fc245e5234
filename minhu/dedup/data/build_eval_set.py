"""Writes ``dedup_eval.csv``: the labelled set ``minhu dedup-eval`` is measured on.

Run from the repository root: ``python minhu/dedup/data/build_eval_set.py``. The rows are
made from hand-written phrasings (several callers' ways of saying one problem) placed at
the demo city's compounds, roads and landmarks, with a fixed seed, so the file is the same
on every run. What it holds:

* incidents: 5–20 callers about one problem at one place over one to four days, with
  different wording and address precision (full address, compound only, "那边", the place
  only in the text), some callers calling twice;
* repeats: one caller about one personal matter two or three times within weeks;
* singletons;
* near-miss decoys, each in a group of its own: (a) the same compound at the same time but
  another problem, (b) the same problem at the same time in another compound, (c) the same
  problem at the same place months later (some by a caller of the first incident), and
  (d) a caller of an incident calling again days later about something else.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("dedup_eval.csv")

# (district, street, compound) of the demo city 云州市.
COMPOUNDS = [
    ("东城区", "文昌街道", "锦绣家园"), ("东城区", "文昌街道", "翠苑小区"),
    ("东城区", "锦绣街道", "阳光花园"), ("东城区", "朝阳街道", "金色华庭"),
    ("东城区", "东湖街道", "幸福嘉园"), ("东城区", "凤凰街道", "紫金名苑"),
    ("西湖区", "湖滨街道", "碧水雅苑"), ("西湖区", "西溪街道", "翡翠公寓"),
    ("西湖区", "玉泉街道", "星河家园"), ("西湖区", "云栖街道", "时代公馆"),
    ("高新区", "科创街道", "世纪花园"), ("高新区", "智慧街道", "江南佳苑"),
    ("高新区", "星光街道", "御景华庭"), ("滨江区", "江畔街道", "香樟雅苑"),
    ("滨江区", "浦沿街道", "丽景嘉园"), ("滨江区", "白沙街道", "万福新村"),
    ("南山县", "青石镇", "桃源新村"), ("南山县", "南溪镇", "梅坑安置小区"),
    ("西湖区", "桂湖街道", "枫林小区"), ("东城区", "和平街道", "梧桐家园"),
    ("滨江区", "观澜街道", "蓝湾公寓"), ("高新区", "云谷街道", "嘉禾名苑"),
    ("东城区", "望江街道", "书香华庭"), ("西湖区", "南屏街道", "明月花园"),
    ("高新区", "长河街道", "康乐小区"), ("滨江区", "海棠街道", "怡和家园"),
    ("东城区", "紫阳街道", "金桂雅苑"), ("西湖区", "宝石街道", "银杏公寓"),
]

# One problem, as different callers put it. "{p}" is where a caller names the place.
PROBLEMS: dict[str, list[str]] = {
    "停水": [
        "{p}从早上开始停水，也没有提前通知，家里做饭都没水",
        "我们这里突然没水了，老人小孩都在家，什么时候能恢复供水",
        "{p}整栋楼都停水了，打物业电话没人接",
        "水龙头一滴水都没有，问了邻居也是这样，麻烦问下什么原因",
        "今天{p}断水一整天了，也没看到停水公告",
        "家里自来水停了快十个小时了，水压一点都没有",
        "{p}又停水了，孩子上学前都没法洗漱",
        "请问{p}是不是在抢修，现在一直没有水",
        "停水停了一天了，供水公司能不能给个恢复时间",
        "楼里没有水，马桶都冲不了，希望赶紧来水",
        "高层完全不来水，低层水也很小",
    ],
    "电梯": [
        "{p}电梯坏了好几天，老人上下楼很困难",
        "我们单元电梯又停运了，住十八楼实在爬不动",
        "电梯门关不上，一直报警，物业也不来修",
        "{p}的电梯天天出故障，今天差点把人困在里面",
        "电梯运行时抖得厉害，大家都不敢坐，请派人检查",
        "{p}电梯停了三天，物业说在等配件",
        "电梯按钮失灵，上下都到不了指定楼层",
        "家里有行动不便的老人，电梯不能用出不了门",
        "电梯又坏了，这个月已经第三次了",
        "{p}两部电梯都停了，送外卖的都上不来",
    ],
    "垃圾": [
        "{p}的垃圾好几天没人清运，堆得到处都是",
        "小区门口垃圾桶满了溢出来，臭味很大",
        "垃圾堆在路边没人收，天热已经发臭了",
        "{p}垃圾清运不及时，苍蝇蚊子特别多",
        "楼下垃圾箱三天没倒了，味道熏得窗户都不敢开",
        "{p}垃圾乱堆放，环卫车一直没来",
        "垃圾站满了也没人清理，污水流得满地",
        "希望尽快安排清运小区里堆积的垃圾",
        "门口那堆生活垃圾放了一周了，没人管",
    ],
    "夜间施工": [
        "{p}旁边工地晚上施工到凌晨两点，吵得睡不着",
        "附近工地夜间施工噪音太大，打桩声音一直不停",
        "都半夜十二点了工地还在作业，严重扰民",
        "{p}边上的工地每天晚上施工，机器轰鸣",
        "晚上施工的噪声影响休息，孩子明天还要考试",
        "工地通宵施工，渣土车来回开，噪音很大",
        "{p}周边工地夜里还在浇筑混凝土，声音吵得人心慌",
        "请查一下这个工地有没有夜间施工许可，太吵了",
        "连续几个晚上凌晨施工，投诉了也没用",
    ],
    "停电": [
        "{p}突然停电了，冰箱里的东西都要坏了",
        "我们这片从下午开始就没电，也没有通知",
        "整栋楼停电，电梯也停了，什么时候能恢复",
        "{p}今天第二次断电了，家里老人需要用制氧机",
        "家里没电好几个小时了，供电公司电话打不通",
        "{p}停电了，楼道里漆黑一片",
        "一直在跳闸停电，邻居家也一样",
        "请问这边是不是线路故障，到现在还没有来电",
    ],
    "下水道": [
        "{p}的下水道堵了，污水从井盖冒出来",
        "楼下污水横流，味道特别难闻，下水管道堵塞",
        "化粪池满了往外溢，整个楼道都是臭味",
        "{p}污水井反水，路面全是脏水",
        "一楼卫生间反水，整栋楼的下水都不通",
        "窨井冒污水好几天了，行人都没法走",
        "{p}下水堵塞，物业说要市政来疏通",
    ],
    "路灯": [
        "{p}门口的路灯坏了好久，晚上黑灯瞎火的",
        "这条路的路灯一排都不亮，晚上走路很危险",
        "路灯不亮快一个月了，老人晚上出门摔了一跤",
        "{p}附近的路灯晚上全黑，希望尽快维修",
        "夜里照明太差，路灯一直没人修",
        "晚上回家那段路没有路灯，太黑了",
    ],
    "暖气": [
        "{p}暖气一点都不热，家里才十二度",
        "供暖已经开始了，我们家暖气片还是冰凉的",
        "今年暖气不热，室温太低，老人受不了",
        "{p}整个单元暖气都不热，热力公司也不来人",
        "暖气片只有一点温度，晚上冻得睡不着",
        "供暖不达标，家里穿着棉袄还冷",
        "{p}暖气时热时不热，希望派人检修管道",
    ],
    "路面塌陷": [
        "{p}门口路面塌陷了一个大坑，车子差点掉进去",
        "路中间塌了个坑，晚上看不清很危险",
        "{p}附近的路面坑洼不平，还有一块已经塌陷",
        "马路上出现大坑，电动车已经摔了好几辆",
        "井盖周围路面下沉，过车时哐哐响",
        "路面塌陷没有任何围挡，请尽快处理",
    ],
    "积水": [
        "{p}下雨后积水很深，都没过膝盖了",
        "一下雨门口就积水，车都开不出去",
        "地下车库进水了，车泡在水里",
        "{p}路口内涝严重，行人过不去",
        "雨后积水两天都没退，排水系统有问题",
        "楼下积水倒灌进一楼住户家里",
    ],
    "油烟": [
        "{p}楼下烧烤店油烟很大，窗户都不能开",
        "底商饭店排烟直接对着我们窗户，油烟呛人",
        "烧烤摊每天晚上烟熏火燎，还很吵",
        "{p}的餐馆没有油烟净化设备，家里全是油烟味",
        "楼下饭店油烟直排，衣服都晾不了",
        "夜市烧烤油烟太重，请环保部门管管",
    ],
    "消防通道": [
        "{p}消防通道被私家车堵住了，万一着火消防车进不来",
        "小区里乱停车把消防通道占了",
        "{p}楼道里电动车充电，飞线拉得到处都是，很危险",
        "消防通道常年被占用，物业不管",
        "有人在楼道里给电动车充电，存在火灾隐患",
    ],
    "燃气": [
        "{p}楼道里有很浓的燃气味，担心泄漏",
        "闻到煤气味，不知道是哪家漏气，请燃气公司来查",
        "{p}单元门口天然气味道很大",
        "楼道里一股燃气味道，邻居们都很害怕",
        "燃气管道好像漏气，味道刺鼻",
    ],
    "倒树": [
        "{p}门口大树被风刮倒了，压住了路",
        "昨晚大风把树吹倒了，挡在路中间",
        "树枝断了挂在电线上，很危险",
        "{p}的行道树倒伏，把停着的车砸了",
        "大树倒了没人清理，行人都要绕行",
    ],
}

# Personal matters one caller calls about again ("{p}" as above).
PERSONAL = [
    ("楼上卫生间漏水渗到我家天花板，楼上不配合维修",
     "上次反映的楼上漏水到我家的事还没人处理", "楼上漏水又严重了，天花板都发霉了"),
    ("公司拖欠我三个月工资，老板一直不给",
     "我之前反映的欠薪问题，公司还是不发工资", "工资到现在都没拿到，已经打了好几次电话了"),
    ("{p}物业乱收停车费，一个月涨了两百",
     "之前投诉物业乱收停车费，到现在没人回复", "物业停车费还是照收，问题没解决"),
    ("孩子入学学位分配不合理，我们是划片内的却没分到",
     "上周反映的入学学位问题，教育局还没回复", "学位的事情还是没有结果，开学快来不及了"),
    ("{p}隔壁邻居家狗天天叫，晚上也叫",
     "邻居家的狗还在叫，上次反映后没有变化", "狗叫扰民的问题一直没解决，又来反映"),
    ("我家门口被人加盖违建，挡住了采光",
     "上次反映的违章搭建到现在还没拆", "违建还在那里，执法部门什么时候来"),
    ("{p}楼顶漏水，下雨天家里天花板滴水",
     "楼顶漏水的问题维修基金一直批不下来", "屋顶漏还是没修，又下雨了"),
    ("我的医保报销被退回了，说材料不全，但我都交了",
     "之前问的医保报销问题，还是没有给我办理", "医保报销的事已经一个月了还没办好"),
    ("{p}宽带一直断网，运营商不上门维修",
     "宽带断网的问题投诉了还没修", "家里网络还是不通，运营商一直推脱"),
    ("家门口的公交站台被撤了，老人坐车要走很远",
     "公交站台撤掉的事情有没有回复", "站台的事还没有说法，再问一下"),
]

# Different matters that share a word with an incident's problem (hard decoys).
HARD_DECOYS = {
    "电梯": "{p}电梯里贴满了小广告，能不能清理一下",
    "垃圾": "{p}垃圾分类的宣传牌被人损坏了",
    "停电": "{p}的电动车充电桩收费太贵",
    "暖气": "{p}物业说暖气费要涨价，想咨询一下收费标准",
}

ROADS = ["人民路", "解放路", "建设路", "中山路", "学院路", "青年路", "光明路", "新华路",
         "朝晖路", "凤起路", "庆丰路", "平安路", "运河路", "滨河路", "长江路", "复兴路"]
LANDMARKS = ["人民公园", "解放农贸市场", "学院小学", "建设文化广场", "朝晖地铁站", "中山体育馆"]


class Maker:
    def __init__(self, seed: int = 20261122):
        self.rng = random.Random(seed)
        self.rows: list[dict] = []
        self.phones: set[str] = set()
        self.groups = 0

    def phone(self) -> str:
        while True:
            number = "1" + self.rng.choice("3589") + "".join(
                self.rng.choice("0123456789") for _ in range(9))
            if number not in self.phones:
                self.phones.add(number)
                return number

    def group(self, prefix: str) -> str:
        self.groups += 1
        return f"{prefix}{self.groups:03d}"

    def address(self, place: tuple[str, str, str], precise: float = 0.5) -> tuple[str, str]:
        """(address, how the caller names the place in the text)."""
        district, street, name = place
        roll = self.rng.random()
        if roll < precise * 0.6:
            return f"{district}{street}{name}{self.rng.randint(1, 12)}号楼", "我们小区"
        if roll < precise:
            return f"{street}{name}", name
        if roll < 0.75:
            return self.rng.choice([f"{name}那边", f"{name}北门", f"{name}附近",
                                    f"{name}{self.rng.randint(1, 12)}栋"]), "这边"
        return "", name  # the place only in the text

    def add(self, group, text, address, at, phone):
        self.rows.append({"id": f"r{len(self.rows) + 1:04d}", "group": group, "text": text,
                          "address": address, "created_at": at.isoformat(timespec="minutes"),
                          "phone": phone})

    def say(self, problem: str, place_word: str) -> str:
        text = self.rng.choice(PROBLEMS[problem])
        if "{p}" not in text and place_word not in ("我们小区", "这边") \
                and self.rng.random() < 0.5:
            text = place_word + text
        return text.replace("{p}", place_word)


def build() -> list[dict]:
    m = Maker()
    rng = m.rng
    start = datetime(2026, 1, 5, 8, 0)
    problems = list(PROBLEMS)
    places = COMPOUNDS[:]
    incidents = []
    for i in range(26):
        place = places[i % len(places)]
        problem = problems[i % len(problems)]
        first = start + timedelta(days=rng.randint(0, 140), hours=rng.randint(0, 12))
        group = m.group("I")
        size = rng.randint(5, 20)
        at = first
        callers = []
        for _ in range(size):
            if callers and rng.random() < 0.12:
                phone = rng.choice(callers)  # the same caller again within the incident
            else:
                phone = m.phone()
                callers.append(phone)
            address, word = m.address(place)
            m.add(group, m.say(problem, word), address, at, phone)
            at += timedelta(minutes=rng.randint(10, 600))
        incidents.append((place, problem, first, at, callers))

    for place, problem, first, last, callers in incidents:
        # (a) same compound, same days, another problem
        other = rng.choice([p for p in problems if p != problem])
        address, word = m.address(place)
        m.add(m.group("A"), m.say(other, word), address,
              first + (last - first) / 2, m.phone())
        if problem in HARD_DECOYS and rng.random() < 0.5:
            address, word = m.address(place, precise=1.0)
            m.add(m.group("A"), HARD_DECOYS[problem].replace("{p}", word), address,
                  first + timedelta(hours=2), m.phone())
        # (b) same problem, same days, another compound
        elsewhere = rng.choice([c for c in COMPOUNDS if c != place])
        address, word = m.address(elsewhere)
        m.add(m.group("B"), m.say(problem, word), address,
              first + timedelta(hours=rng.randint(1, 30)), m.phone())
        # (c) same problem, same place, months later (sometimes an earlier caller)
        address, word = m.address(place, precise=0.8)
        later = last + timedelta(days=rng.randint(75, 200))
        m.add(m.group("C"), m.say(problem, word), address, later,
              rng.choice(callers) if rng.random() < 0.4 else m.phone())
        # (d) an earlier caller, days later, about something else at the same place
        if rng.random() < 0.5:
            other = rng.choice([p for p in problems if p not in (problem,)])
            address, word = m.address(place)
            m.add(m.group("D"), m.say(other, word), address,
                  last + timedelta(days=rng.randint(4, 20)), rng.choice(callers))

    for i in range(40):
        first_text, again, third = PERSONAL[i % len(PERSONAL)]
        place = rng.choice(COMPOUNDS)
        phone = m.phone()
        group = m.group("R")
        address, word = m.address(place, precise=0.9)
        at = start + timedelta(days=rng.randint(0, 200), hours=rng.randint(0, 10))
        m.add(group, first_text.replace("{p}", word), address, at, phone)
        for text in (again, third)[: rng.randint(1, 2)]:
            at += timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))
            m.add(group, text, address if rng.random() < 0.4 else "", at, phone)

    busy = {(place[2], problem): (first, last) for place, problem, first, last, _c in incidents}
    for _ in range(70):
        problem = rng.choice(problems)
        roll = rng.random()
        at = start + timedelta(days=rng.randint(0, 220), hours=rng.randint(0, 14))
        if roll < 0.6:
            place = rng.choice(COMPOUNDS)
            first, last = busy.get((place[2], problem), (at, at - timedelta(days=30)))
            if first - timedelta(days=7) <= at <= last + timedelta(days=7):
                continue  # that would be one more caller of the incident, not a singleton
            address, word = m.address(place)
        elif roll < 0.85:
            road = rng.choice(ROADS)
            address, word = rng.choice([(road, road), (f"{road}{rng.randint(1, 300)}号", road)])
        else:
            landmark = rng.choice(LANDMARKS)
            address, word = landmark, landmark
        m.add(m.group("S"), m.say(problem, word), address, at, m.phone())
    return m.rows


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "group", "text", "address",
                                                    "created_at", "phone"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows → {OUT.name}")


if __name__ == "__main__":
    main()
