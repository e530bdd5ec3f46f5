"""Chinese names: weighted surnames, common given names (so that people share 王伟 or 李娜), typos, 繁體.

A name is a pair of indices (surname, given name); strings are built column-wise from these tables.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa

from kequn.demo.generator.arrays import concat

# Share of the population in per cent (national statistics, rounded); the tail gets the rest.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.2), ("赵", 2.0),
    ("吴", 2.0), ("周", 1.9), ("徐", 1.3), ("孙", 1.2), ("马", 1.2), ("朱", 1.1), ("胡", 1.0), ("郭", 0.97),
    ("何", 0.94), ("高", 0.88), ("林", 0.87), ("罗", 0.86), ("郑", 0.73), ("梁", 0.72), ("谢", 0.6),
    ("宋", 0.5), ("唐", 0.5), ("许", 0.5), ("韩", 0.45), ("冯", 0.44), ("邓", 0.43), ("曹", 0.42),
    ("彭", 0.41), ("曾", 0.4), ("肖", 0.39), ("田", 0.36), ("董", 0.34), ("袁", 0.33), ("潘", 0.33),
    ("于", 0.32), ("蒋", 0.31), ("蔡", 0.31), ("余", 0.3), ("杜", 0.3), ("叶", 0.29), ("程", 0.28),
    ("苏", 0.27), ("魏", 0.26), ("吕", 0.26), ("丁", 0.25), ("任", 0.24), ("沈", 0.23), ("姚", 0.22),
    ("卢", 0.21), ("姜", 0.2), ("崔", 0.2), ("钟", 0.2), ("谭", 0.19), ("陆", 0.19), ("汪", 0.18),
    ("范", 0.18), ("金", 0.17), ("石", 0.17), ("廖", 0.16), ("贾", 0.16), ("夏", 0.15), ("韦", 0.15),
    ("付", 0.15), ("方", 0.14), ("白", 0.14), ("邹", 0.14), ("孟", 0.13), ("熊", 0.13), ("秦", 0.13),
    ("邱", 0.13), ("江", 0.13), ("尹", 0.12), ("薛", 0.12), ("闫", 0.12), ("段", 0.12), ("雷", 0.11),
    ("侯", 0.11), ("龙", 0.11), ("史", 0.11), ("陶", 0.1), ("黎", 0.1), ("贺", 0.1), ("顾", 0.1),
    ("毛", 0.1), ("郝", 0.1), ("龚", 0.1), ("邵", 0.1), ("万", 0.1), ("欧阳", 0.03), ("司马", 0.01),
)  # fmt: skip

# Most common first: weights fall off like Zipf, so the head names are shared by many people.
MALE_GIVEN = [
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "斌",
    "超",
    "明",
    "刚",
    "平",
    "辉",
    "鹏",
    "华",
    "飞",
    "鑫",
    "波",
    "宇",
    "浩",
    "凯",
    "健",
    "俊",
    "帆",
    "旭",
    "宁",
    "龙",
    "林",
    "阳",
    "建华",
    "建国",
    "建军",
    "志强",
    "志明",
    "海涛",
    "俊杰",
    "浩然",
    "子轩",
    "宇轩",
    "文博",
    "天佑",
    "晓东",
    "国强",
    "建平",
    "永刚",
    "志刚",
    "家豪",
    "博文",
    "明辉",
    "少华",
    "振华",
    "立新",
    "成龙",
    "子豪",
    "嘉豪",
    "晨阳",
    "一鸣",
    "思远",
]
FEMALE_GIVEN = [
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "秀英",
    "燕",
    "玲",
    "桂英",
    "丹",
    "萍",
    "红",
    "玉兰",
    "莉",
    "婷",
    "雪",
    "慧",
    "颖",
    "琳",
    "洁",
    "倩",
    "晶",
    "欣怡",
    "梓涵",
    "诗涵",
    "子涵",
    "雨涵",
    "佳怡",
    "思琪",
    "梦琪",
    "雅婷",
    "晓燕",
    "丽娟",
    "秀兰",
    "海燕",
    "春梅",
    "美玲",
    "小红",
    "淑珍",
    "丽华",
    "文静",
    "晓丽",
    "雪梅",
    "佳琪",
    "一诺",
    "欣妍",
    "若汐",
]
GIVEN = tuple(MALE_GIVEN + FEMALE_GIVEN)

# Homophones or look-alike characters, the typos a teller or a customer makes when typing a name.
SIMILAR = dict(
    zip(
        "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳建国志海轩博天东豪文立成嘉晨鸣远然"
        "芳娜敏静丽艳娟霞秀英燕玲桂丹萍红玉兰莉婷雪慧颖琳洁倩晶欣怡涵诗子雨佳思琪梦雅晓春梅美小淑珍一诺妍若汐"
        "王李张刘陈杨黄赵吴周徐孙马朱胡",
        "玮蔷垒君永洁韬彬潮铭钢萍晖朋桦菲新博雨皓恺建骏凡煦柠隆琳洋健果智凯萱搏添冬毫雯力诚佳辰明源冉"
        "方那民净莉燕鹃侠绣瑛艳铃贵单平虹钰岚丽亭学惠莹林杰茜菁新宜晗思紫语家斯琦孟亚小纯玫媚晓书真依娜研偌夕"
        "汪理章柳程扬皇肇武舟许荪玛珠湖",
        strict=True,
    )
)


def _zipf(n: int, exponent: float = 1.0) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def draw_names(rng: np.random.Generator, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Surname and given-name indices for people of the given sex."""
    weights = np.array([w for _, w in SURNAMES])
    surname = rng.choice(len(SURNAMES), size=len(male), p=weights / weights.sum()).astype(np.int32)
    male_given = rng.choice(len(MALE_GIVEN), size=len(male), p=_zipf(len(MALE_GIVEN)))
    female_given = len(MALE_GIVEN) + rng.choice(len(FEMALE_GIVEN), size=len(male), p=_zipf(len(FEMALE_GIVEN)))
    return surname, np.where(male, male_given, female_given).astype(np.int32)


def _typo(surname: str, given: str) -> str:
    """One character replaced by a homophone or look-alike: the given name's last character if possible."""
    for pos in range(len(given) - 1, -1, -1):
        if given[pos] in SIMILAR:
            return surname + given[:pos] + SIMILAR[given[pos]] + given[pos + 1 :]
    return SIMILAR.get(surname[0], surname[0]) + surname[1:] + given


@cache
def _tables() -> dict[str, pa.Array]:
    """Every (surname, given) combination in three spellings, indexed by surname * len(GIVEN) + given."""
    import opencc  # slow to load and to run: convert only the few hundred distinct table entries

    s2t = opencc.OpenCC("s2t").convert
    trad_given = [s2t(given) for given in GIVEN]
    plain, typo, trad = [], [], []
    for surname, _ in SURNAMES:
        trad_surname = s2t(surname)
        for given, given_t in zip(GIVEN, trad_given, strict=True):
            plain.append(surname + given)
            typo.append(_typo(surname, given))
            trad.append(trad_surname + given_t)
    return {"plain": pa.array(plain), "typo": pa.array(typo), "trad": pa.array(trad)}


def full_names(surname: np.ndarray, given: np.ndarray, spelling: str = "plain") -> pa.Array:
    """Names as strings; ``spelling`` is ``plain``, ``typo`` or ``trad`` (traditional characters)."""
    index = surname.astype(np.int64) * len(GIVEN) + given
    return _tables()[spelling].take(pa.array(index))


def random_names(rng: np.random.Generator, n: int) -> pa.Array:
    """Names of strangers (counterparties, staff)."""
    surname, given = draw_names(rng, rng.random(n) < 0.5)
    return full_names(surname, given)


__all__ = ["concat", "draw_names", "full_names", "random_names"]
