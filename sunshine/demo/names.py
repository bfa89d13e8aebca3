"""Word pools for the synthetic city: people, compounds, roads, employers, home towns.

Everything here is invented or is a public place name; the pools are combined
at random, so the city contains no real person or real address.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate

from sunshine.engine.idnumber import Sex

# Rough shares in per mille, loosely following public national surname rankings,
# with surnames common in Hunan (谭, 覃, 彭, 邓, 曾 …) weighted up for a Changde feel.
_SURNAME_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("王", 62), ("李", 62), ("张", 55), ("刘", 55), ("陈", 48), ("杨", 32), ("黄", 26),
    ("赵", 18), ("吴", 20), ("周", 20), ("徐", 14), ("孙", 10), ("马", 10), ("朱", 12),
    ("胡", 16), ("郭", 10), ("何", 16), ("林", 10), ("高", 10), ("罗", 16), ("彭", 16),
    ("邓", 14), ("曾", 13), ("谭", 13), ("唐", 14), ("蒋", 11), ("龚", 8), ("易", 8),
    ("覃", 8), ("熊", 8), ("文", 6), ("向", 7), ("肖", 10), ("田", 7), ("戴", 6),
    ("汤", 6), ("余", 7), ("邹", 6), ("龙", 5), ("伍", 5), ("袁", 7), ("谢", 9),
    ("宋", 6), ("郑", 7), ("梁", 6), ("许", 6), ("韩", 5), ("冯", 5), ("邱", 5),
    ("姚", 5), ("卢", 5), ("付", 5), ("夏", 5), ("钟", 5), ("丁", 4), ("严", 4),
    ("贺", 5), ("毛", 4), ("杜", 4), ("廖", 5),
)  # fmt: skip

SURNAMES: tuple[str, ...] = tuple(surname for surname, _ in _SURNAME_WEIGHTS)
_SURNAME_CUMULATIVE: tuple[int, ...] = tuple(accumulate(weight for _, weight in _SURNAME_WEIGHTS))

# Characters of given names by generation; children born around 2011-2018 carry
# different names from their parents (1980s-90s) and grandparents (1940s-60s).
_CHILD_CHARS = {
    Sex.MALE: "浩宇轩睿泽子梓俊博文奕宸皓铭航峻锦昊然晨一嘉思沐承宏凯辰逸天明阳煜彦恒哲翔杰楷霖瑞",
    Sex.FEMALE: "涵欣怡雨诗思嘉一可梓子若依佳悦瑶琪彤萱妍馨桐诺钰婉语紫雅晴琳芊梦蕊安心希"
    "沫柠菲静瑾茜",
}
_PARENT_CHARS = {
    Sex.MALE: "伟强磊军洋勇杰涛明超刚平辉鹏华飞斌波宇浩凯健俊帆旭宁龙林峰亮松建志文海国",
    Sex.FEMALE: "芳娜敏静丽艳娟霞燕玲婷慧莉琴倩颖雪梅琳洁红丹萍晶蓉佳媛翠兰芬",
}
_GRANDPARENT_NAMES = {
    Sex.MALE: (
        "建国", "建华", "国强", "志强", "德明", "国华", "建军", "卫东", "红兵", "振华", "德胜",
        "长生", "金生", "春生", "光明", "立新", "秋生", "满堂", "福生", "庆华", "国平",
        "家明", "正清", "新民", "德友", "学文",
    ),
    Sex.FEMALE: (
        "秀兰", "桂兰", "玉兰", "淑珍", "桂香", "凤英", "春花", "红梅", "桂英", "秀英",
        "玉珍", "翠兰", "美华", "菊香", "冬梅", "桂芝", "腊梅", "银花", "金莲", "秀珍",
        "素芳", "月娥",
    ),
}  # fmt: skip


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, cum_weights=_SURNAME_CUMULATIVE)[0]


def _given(rng: random.Random, pool: str, single_share: float, first: str | None = None) -> str:
    if first is None and rng.random() < single_share:
        return rng.choice(pool)
    lead = first if first is not None else rng.choice(pool)
    second = rng.choice(pool)
    while second == lead:
        second = rng.choice(pool)
    return lead + second


def child_given_name(rng: random.Random, sex: Sex, first: str | None = None) -> str:
    """A given name of one or two characters; ``first`` fixes the first (twins often share it)."""
    return _given(rng, _CHILD_CHARS[sex], 0.12, first)


def parent_given_name(rng: random.Random, sex: Sex) -> str:
    return _given(rng, _PARENT_CHARS[sex], 0.35)


def grandparent_given_name(rng: random.Random, sex: Sex) -> str:
    return rng.choice(_GRANDPARENT_NAMES[sex])


# Residential compound names are a lead word and a kind word, e.g. 锦绣 + 华庭.
COMPOUND_LEADS: tuple[str, ...] = (
    "锦绣", "桃花源", "沅江", "柳叶", "丹阳", "芙蓉", "金色", "阳光", "书香", "翰林", "滨湖",
    "白马湖", "穿紫河", "紫荆", "龙湾", "江南", "香榭", "东方", "凯旋", "星河", "朗州",
    "武陵", "善卷", "德山", "枫林", "梧桐", "翠湖", "天润", "和美", "盛世", "御景", "湖光",
    "碧水", "佳和", "鸿升", "富丽", "金域", "银河", "怡景", "春天", "状元", "桂花", "月亮湖",
    "荷花", "新世纪", "中央", "华侨", "泰和", "嘉禾", "恒安", "福满", "吉祥", "明珠",
    "玫瑰", "橄榄", "绿洲", "山水", "鼎盛", "善德", "沅澧", "洞庭", "紫薇", "常青", "润泽",
)  # fmt: skip
COMPOUND_KINDS: tuple[str, ...] = (
    "华庭", "名都", "小区", "花园", "家园", "新城", "雅苑", "公馆", "府", "城", "尚居",
    "一品", "壹号", "嘉园", "半岛", "庭院", "名苑", "城市花园", "首府", "佳苑", "天城",
    "国际", "湾", "里", "苑", "新村", "公寓", "天地", "广场", "御府", "世家", "悦府",
)  # fmt: skip
PHASES: tuple[str, ...] = ("二期", "三期", "四期", "五期")

# Old names of compounds built as work-unit housing (单位宿舍), still used by residents.
_WORK_UNITS: tuple[str, ...] = (
    "农机厂", "纺织厂", "卷烟厂", "棉纺厂", "电业局", "粮食局", "水泥厂", "汽修厂", "化肥厂",
    "机械厂", "印刷厂", "食品厂", "供销社", "邮电局", "自来水公司", "航运公司", "针织厂",
    "酒厂", "造纸厂", "丝绸厂", "搪瓷厂", "火柴厂", "轴承厂", "变压器厂", "氮肥厂",
    "油脂公司", "百货公司", "五金公司", "外贸公司", "工商局", "税务局", "物资局", "交通局",
    "建筑公司", "运输公司", "糖酒公司",
)  # fmt: skip
OLD_COMPOUND_NAMES: tuple[str, ...] = tuple(
    unit + kind for kind in ("宿舍", "家属区", "生活区") for unit in _WORK_UNITS
)

COMMUNITY_WORDS: tuple[str, ...] = (
    "丹阳", "青年", "紫桥", "建设", "人民", "滨湖", "新河", "育英", "华侨", "和平", "南坪",
    "长庚", "荷花", "沙港", "春申", "水星", "明星", "东郊", "夏家垱", "落路口", "北门",
    "西园", "兴隆", "文昌", "城北", "城南", "光明", "桃花", "白鹤", "盛世", "新桥", "青山",
    "临江", "金桥", "丰收", "幸福", "朝阳", "永丰", "红旗", "太阳山", "德政", "阳明",
    "柳湾", "黄花", "双桥", "公园", "花园", "月亮湖",
)  # fmt: skip

_EMPLOYER_PLACES = ("常德市", "湖南", "武陵区", "鼎城区", "津市市")
_EMPLOYER_WORDS = (
    "鑫达", "恒信", "华泰", "德润", "金辉", "宏远", "瑞丰", "顺通", "嘉禾", "永兴", "诚信",
    "天成", "汇通", "明德", "博远", "兴旺", "聚源", "广源", "新锐", "楚沅",
)  # fmt: skip
_EMPLOYER_TRADES = (
    "建材有限公司", "物流有限公司", "餐饮管理有限公司", "商贸有限公司", "机械制造有限公司",
    "电子科技有限公司", "建筑工程有限公司", "家政服务有限公司", "汽车销售服务有限公司",
    "医药连锁有限公司", "物业管理有限公司", "服装有限公司", "食品有限公司",
)  # fmt: skip


def employer(rng: random.Random) -> str:
    place = rng.choice(_EMPLOYER_PLACES)
    return place + rng.choice(_EMPLOYER_WORDS) + rng.choice(_EMPLOYER_TRADES)


@dataclass(frozen=True, slots=True)
class HomeTown:
    """A county families come from: its GB/T 2260 division code and a few towns."""

    region_code: str
    place: str  # province, city and county as written in an address
    towns: tuple[str, ...]


# Division codes from GB/T 2260; the Changde counties are where most families
# working in the city come from, then the rest of Hunan, then neighbouring provinces.
CHANGDE_HOME_TOWNS: tuple[HomeTown, ...] = (
    HomeTown("430721", "湖南省常德市安乡县", ("深柳镇", "大鲸港镇", "黄山头镇", "安康乡")),
    HomeTown("430722", "湖南省常德市汉寿县", ("龙阳街道", "坡头镇", "岩汪湖镇", "军山铺镇")),
    HomeTown("430723", "湖南省常德市澧县", ("澧阳街道", "码头铺镇", "大堰垱镇", "王家厂镇")),
    HomeTown("430724", "湖南省常德市临澧县", ("安福街道", "合口镇", "新安镇", "停弦渡镇")),
    HomeTown("430725", "湖南省常德市桃源县", ("漳江街道", "陬市镇", "热市镇", "漆家河镇")),
    HomeTown("430726", "湖南省常德市石门县", ("楚江街道", "蒙泉镇", "夹山镇", "维新镇")),
)
HUNAN_HOME_TOWNS: tuple[HomeTown, ...] = (
    HomeTown("430921", "湖南省益阳市南县", ("南洲镇", "茅草街镇", "明山头镇")),
    HomeTown("430981", "湖南省益阳市沅江市", ("琼湖街道", "南大膳镇", "草尾镇")),
    HomeTown("430626", "湖南省岳阳市平江县", ("三市镇", "长寿镇", "加义镇")),
    HomeTown("431224", "湖南省怀化市溆浦县", ("卢峰镇", "龙潭镇", "低庄镇")),
    HomeTown("430821", "湖南省张家界市慈利县", ("零阳街道", "江垭镇", "溪口镇")),
)
OTHER_PROVINCE_HOME_TOWNS: tuple[HomeTown, ...] = (
    HomeTown("421087", "湖北省荆州市松滋市", ("纸厂河镇", "八宝镇", "斯家场镇")),
    HomeTown("421083", "湖北省荆州市洪湖市", ("峰口镇", "曹市镇", "府场镇")),
    HomeTown("422801", "湖北省恩施土家族苗族自治州恩施市", ("龙凤镇", "崔家坝镇", "板桥镇")),
    HomeTown("500229", "重庆市城口县", ("坪坝镇", "庙坝镇", "明通镇")),
    HomeTown("510722", "四川省绵阳市三台县", ("芦溪镇", "刘营镇", "塔山镇")),
    HomeTown("360121", "江西省南昌市南昌县", ("莲塘镇", "向塘镇", "武阳镇")),
    HomeTown("441481", "广东省梅州市兴宁市", ("宁新街道", "叶塘镇", "黄陂镇")),
    HomeTown("450881", "广西壮族自治区贵港市桂平市", ("西山镇", "木乐镇", "金田镇")),
)

_VILLAGE_WORDS = (
    "红星", "新华", "和平", "长岭", "白鹤", "桃林", "柳湾", "青山", "枫树", "杨柳", "黄土",
    "石板", "双河", "太平", "永兴", "团结", "先锋", "金星", "荷花", "白羊", "大湾", "高桥",
    "龙潭", "马鞍", "沙坪", "梅溪", "茶园", "竹林", "新塘", "樟树",
)  # fmt: skip


def village_address(rng: random.Random, town: HomeTown) -> str:
    """A rural household address, e.g. 湖南省常德市桃源县陬市镇白鹤村3组12号."""
    village = rng.choice(_VILLAGE_WORDS)
    return (
        f"{town.place}{rng.choice(town.towns)}{village}村"
        f"{rng.randint(1, 12)}组{rng.randint(1, 60)}号"
    )
