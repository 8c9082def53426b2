"""Chinese names as they occur among people born 1925–1966: surnames by their share of the population, given names
from the characters that generation was named with (建国, 秀英…), so that searches hit as many namesakes as in life."""

from itertools import accumulate

# Shares in per mille of the population (Ministry of Public Security household-registration counts, rounded), the
# hundred commonest surnames and a few polyphonic or compound ones that the pinyin table must read right.
SURNAME_SHARES = [
    ("王", 71.5), ("李", 70.0), ("张", 67.4), ("刘", 51.0), ("陈", 46.1), ("杨", 32.2), ("黄", 24.5), ("赵", 21.9),
    ("吴", 20.8), ("周", 20.0), ("徐", 14.5), ("孙", 13.8), ("马", 12.9), ("朱", 12.6), ("胡", 11.5), ("郭", 10.6),
    ("何", 10.2), ("林", 9.7), ("高", 9.6), ("罗", 8.6), ("郑", 8.1), ("梁", 7.8), ("谢", 7.4), ("宋", 7.1),
    ("唐", 7.0), ("许", 6.8), ("韩", 6.6), ("冯", 6.5), ("邓", 6.4), ("曹", 6.2), ("彭", 5.9), ("曾", 5.8),
    ("肖", 5.6), ("田", 5.6), ("董", 5.5), ("袁", 5.4), ("潘", 5.3), ("于", 5.2), ("蒋", 5.1), ("蔡", 5.0),
    ("余", 4.9), ("杜", 4.8), ("叶", 4.7), ("程", 4.7), ("苏", 4.6), ("魏", 4.5), ("吕", 4.5), ("丁", 4.4),
    ("任", 4.2), ("沈", 4.1), ("姚", 4.0), ("卢", 3.9), ("姜", 3.8), ("崔", 3.7), ("钟", 3.6), ("谭", 3.5),
    ("陆", 3.4), ("汪", 3.3), ("范", 3.2), ("金", 3.1), ("石", 3.0), ("廖", 2.9), ("贾", 2.8), ("夏", 2.7),
    ("韦", 2.6), ("付", 2.5), ("方", 2.4), ("白", 2.3), ("邹", 2.2), ("孟", 2.1), ("熊", 2.0), ("秦", 1.9),
    ("邱", 1.8), ("江", 1.7), ("尹", 1.6), ("薛", 1.5), ("闫", 1.4), ("段", 1.3), ("雷", 1.2), ("侯", 1.1),
    ("龙", 1.0), ("史", 0.9), ("陶", 0.8), ("黎", 0.8), ("贺", 0.7), ("顾", 0.7), ("毛", 0.6), ("郝", 0.6),
    ("龚", 0.6), ("邵", 0.5), ("万", 0.5), ("钱", 0.5), ("严", 0.5), ("覃", 0.5), ("武", 0.5), ("戴", 0.5),
    ("莫", 0.4), ("孔", 0.4), ("向", 0.4), ("汤", 0.4), ("蒙", 0.3), ("农", 0.2), ("单", 0.2), ("区", 0.1),
    ("欧阳", 0.3), ("司马", 0.05), ("诸葛", 0.03), ("上官", 0.03), ("解", 0.1), ("仇", 0.1), ("查", 0.1),
]
SURNAMES = [s for s, _ in SURNAME_SHARES]
SURNAME_WEIGHTS = list(accumulate(w for _, w in SURNAME_SHARES))

# Given names are two characters (first × second) or, for about one in eight, one character.
MALE_FIRST = "建国志德永振文家树明光立绍汉景克维庆宝世长金学正福玉春兆天士春自新有洪"
MALE_SECOND = "华民强明国福林生山清平安军成忠荣发祥东才贵昌武良仁义海泉启远顺栋涛"
FEMALE_FIRST = "秀桂玉淑凤美丽月素惠春冬翠金银爱兰小彩丽瑞"
FEMALE_SECOND = "英兰珍芳华芬娥琴梅霞云珠凤琼萍莲荣香娟菊贞"
MALE_SINGLE = "军伟刚勇斌杰涛明强平辉峰"
FEMALE_SINGLE = "英兰芳华萍红霞敏静丽"


def name_for(rng, sex):
    """Return a name drawn with `rng` (a random.Random) for a person of `sex` ("M" or "F")."""
    surname = rng.choices(SURNAMES, cum_weights=SURNAME_WEIGHTS)[0]
    male = sex == "M"
    if rng.random() < 0.125:
        return surname + rng.choice(MALE_SINGLE if male else FEMALE_SINGLE)
    first, second = (MALE_FIRST, MALE_SECOND) if male else (FEMALE_FIRST, FEMALE_SECOND)
    return surname + rng.choice(first) + rng.choice(second)
