"""Words the detector reads a complaint with.

``PROBLEMS`` maps a problem concept to the ways callers put it: two callers rarely use the
same words for one broken lift ("电梯坏了" / "电梯停运" / "困在电梯里"), but they name the
same thing. ``GENERIC`` are words every complaint has (小区, 问题, 希望处理): they say
nothing about *which* problem, so they are removed before texts are compared.
"""

# concept -> surface forms. A text carries every concept one of whose forms it contains.
PROBLEMS: dict[str, tuple[str, ...]] = {
    "water_out": ("停水", "没水", "没有水", "断水", "无水", "水停了", "不来水", "水压低",
                  "水压太低", "水很小", "供水", "一滴水", "水龙头"),
    "water_quality": ("水质", "水发黄", "黄水", "自来水浑浊", "水有异味", "水浑", "锈水"),
    "pipe_leak": ("漏水", "爆管", "水管破", "管道破裂", "跑水", "渗水", "水管爆"),
    "power_out": ("停电", "没电", "断电", "跳闸", "供电", "电停了", "没有电", "线路故障", "电力"),
    "gas": ("燃气", "煤气", "天然气", "气味刺鼻", "液化气"),
    "heating": ("暖气", "供暖", "不热", "冰凉", "取暖", "室温"),
    "elevator": ("电梯",),
    "trapped": ("被困", "困在", "关在里面", "出不来"),
    "garbage": ("垃圾", "清运", "垃圾桶", "垃圾箱", "堆放", "废弃物"),
    "smell": ("异味", "臭味", "恶臭", "很臭", "气味", "臭气"),
    "sewage": ("污水", "下水道", "化粪池", "管道堵塞", "下水堵", "反水", "冒水", "窨井", "马桶堵"),
    "noise": ("噪音", "噪声", "吵", "扰民", "轰鸣", "施工声"),
    "night_work": ("夜间施工", "半夜施工", "晚上施工", "凌晨施工", "通宵施工"),
    "construction": ("施工", "工地", "渣土", "打桩"),
    "cooking_fumes": ("油烟", "烧烤", "排烟"),
    "parking": ("停车", "占道", "车位", "乱停", "堵住", "僵尸车", "挡住"),
    "road_damage": ("路面", "坑洼", "塌陷", "塌了", "大坑", "路坑", "井盖"),
    "streetlight": ("路灯", "灯不亮", "照明", "黑灯"),
    "greenery": ("树木", "树枝", "绿化", "大树", "倒伏", "修剪"),
    "flooding": ("积水", "淹", "内涝", "泡水", "进水"),
    "pets": ("狗", "犬", "宠物", "猫"),
    "property_mgmt": ("物业", "物业费", "保安"),
    "illegal_build": ("违建", "违章搭建", "私搭乱建", "加盖", "违法建设"),
    "fire_risk": ("消防通道", "堵塞通道", "飞线充电", "电动车充电", "楼道充电"),
    "wage": ("工资", "欠薪", "拖欠", "讨薪"),
    "market": ("摊贩", "占道经营", "流动摊", "夜市"),
    "bus": ("公交", "班车", "站台"),
    "signal": ("红绿灯", "信号灯", "斑马线"),
    "school": ("学校", "上学", "学位", "入学"),
    "pest": ("老鼠", "蟑螂", "蚊子", "白蚁"),
    "wall_facade": ("外墙", "墙皮", "脱落", "坠物", "空调外机"),
    "roof_leak": ("屋顶漏", "楼顶漏", "渗漏", "顶楼漏"),
    "network": ("宽带", "信号差", "网络", "基站", "断网"),
    "insurance": ("医保", "社保", "报销", "养老金", "退休金"),
    "fees": ("收费", "涨价", "费用", "物业费", "停车费", "暖气费", "水费", "电费"),
    "ads": ("小广告", "广告", "牛皮癣"),
}

# Words common to complaints in general; they must not make two problems look alike.
GENERIC = (
    "小区", "问题", "反映", "反应", "希望", "处理", "尽快", "解决", "相关部门", "有关部门",
    "部门", "请求", "要求", "投诉", "举报", "市民", "来电", "诉求", "情况", "现在", "目前",
    "已经", "一直", "没有人", "没人管", "无人管", "多次", "联系", "物业说", "我们", "我家",
    "居民", "业主", "附近", "这边", "那边", "这里", "门口", "楼下", "楼上", "影响", "严重",
    "非常", "特别", "很多", "麻烦", "帮忙", "谢谢", "你好", "您好", "请问", "怎么", "为什么",
    "还是", "还没", "好几天", "几天", "今天", "昨天", "晚上", "早上", "上午", "下午",
    "号楼", "单元", "栋", "幢", "室", "一下", "一个", "了", "的", "是", "在", "也", "都",
    "就", "又", "和", "我", "你", "他", "她", "们", "吗", "呢", "啊", "吧", "！", "，", "。",
)

# Endings of place names (compounds, landmarks) when no gazetteer knows the name.
PLACE_ENDINGS = (
    "安置小区", "农居点", "家园", "花园", "小区", "公寓", "华庭", "名苑", "新村", "雅苑",
    "嘉园", "公馆", "佳苑", "大厦", "广场", "公园", "农贸市场", "菜市场", "小学", "中学",
    "幼儿园", "医院", "卫生院", "地铁站", "体育馆", "客运站", "文化礼堂", "水库",
)
ROAD_ENDINGS = ("大道", "路", "街")
# Two characters before 路 that are no road's name.
NOT_ROADS = ("这条路", "那条路", "马路", "道路", "公路", "小路", "走路", "过路", "出路", "修路",
             "一路", "半路", "路上")
# Administrative words that may precede a place in an address ("东城区文昌街道…").
ADMIN_ENDINGS = ("市", "区", "县", "街道", "镇", "乡", "社区", "村")
