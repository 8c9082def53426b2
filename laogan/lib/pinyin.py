"""Pinyin of personal names, for search by full pinyin (zhangjianguo) and initials (zjg).

pypinyin reads characters as ordinary words, so a polyphonic surname comes out wrong (单 dan instead of shan,
曾 ceng instead of zeng). Surnames are read from the table below first; the rest of the name follows pypinyin.
"""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Surname readings that differ from the characters' commonest reading, compound surnames first.
SURNAMES = {
    "尉迟": "yuchi",
    "万俟": "moqi",
    "长孙": "zhangsun",
    "澹台": "tantai",
    "单于": "chanyu",
    "令狐": "linghu",
    "欧阳": "ouyang",
    "司马": "sima",
    "诸葛": "zhuge",
    "上官": "shangguan",
    "皇甫": "huangfu",
    "单": "shan",
    "区": "ou",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "翟": "zhai",
    "覃": "qin",
    "盖": "ge",
    "缪": "miao",
    "乐": "yue",
    "召": "shao",
    "种": "chong",
    "秘": "bi",
    "繁": "po",
    "员": "yun",
    "隗": "wei",
    "黑": "he",
    "燕": "yan",
    "冼": "xian",
    "任": "ren",
    "华": "hua",
    "纪": "ji",
    "柏": "bai",
    "薄": "bo",
    "卜": "bu",
    "句": "gou",
    "尉": "yu",
    "肖": "xiao",
    "沈": "shen",
    "宓": "mi",
    "能": "nai",
    "莘": "shen",
    "折": "she",
    "阚": "kan",
    "牟": "mou",
    "藏": "zang",
    "参": "can",
}
# Compound surnames whose two syllables give two initials (尉迟 → yc).
_COMPOUND = sorted((s for s in SURNAMES if len(s) > 1), key=len, reverse=True)


@lru_cache(maxsize=65536)
def _syllables(name):
    """Return the pinyin syllables of a cleaned name, surname readings corrected. Remembered: a roster import asks for
    each name twice (full pinyin and initials), and names repeat."""
    if not name:
        return ()
    for surname in _COMPOUND:
        if name.startswith(surname):
            head = lazy_pinyin(surname, style=Style.NORMAL)
            if SURNAMES[surname] != "".join(head):
                head = _split_compound(surname)
            return tuple(head + _plain(name[len(surname):]))
    if name[0] in SURNAMES:
        return (SURNAMES[name[0]], *_plain(name[1:]))
    return tuple(_plain(name))


def _split_compound(surname):
    # Compound readings are stored joined; split them at the second character's own table or pypinyin reading.
    reading = SURNAMES[surname]
    first = lazy_pinyin(surname[0], style=Style.NORMAL)[0]
    if reading.startswith(first):
        return [first, reading[len(first):]]
    second = lazy_pinyin(surname[1], style=Style.NORMAL)[0]
    if reading.endswith(second):
        return [reading[: -len(second)], second]
    return [reading[:2], reading[2:]]


def _plain(text):
    return [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore") if s.strip()]


def full(name):
    """Return the full pinyin of a name without spaces: 张建国 → zhangjianguo."""
    return "".join(_syllables(_clean(name)))


def initials(name):
    """Return the pinyin initials of a name: 张建国 → zjg."""
    return "".join(s[0] for s in _syllables(_clean(name)) if s)


def _clean(name):
    return (name or "").strip().replace(" ", "").replace("\u3000", "")
