"""A small seeded person-record generator with the identity difficulties of the synthetic bank planted.

Used by the identity tests when no generated bank is at hand: returns canonical person records and the
ground truth (source, source_key, person_id).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pyarrow as pa

from kequn.identity.normalize import id_check_char

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
HOMOPHONE = {"伟": "玮", "芳": "方", "静": "婧", "丽": "莉", "明": "铭", "华": "桦", "军": "君", "杰": "洁"}
TRAD = {
    "张": "張",
    "陈": "陳",
    "杨": "楊",
    "黄": "黃",
    "赵": "趙",
    "刘": "劉",
    "伟": "偉",
    "丽": "麗",
    "军": "軍",
    "华": "華",
    "兰": "蘭",
    "马": "馬",
    "孙": "孫",
    "罗": "羅",
    "涛": "濤",
    "强": "強",
}
STREETS = ["人民路", "中山路", "解放路", "建设路", "和平街", "长江路", "黄河路", "世纪大道"]
CITIES = ["上海市浦东新区", "北京市朝阳区", "广州市天河区", "深圳市南山区", "杭州市西湖区"]
COLUMNS = [
    "record_id",
    "source",
    "source_key",
    "name",
    "gender",
    "birth_date",
    "id_no",
    "phone",
    "email",
    "address",
    "city",
    "postcode",
    "opened_on",
]


def make_id(rng: random.Random, birth: date) -> str:
    first17 = f"{rng.randint(110000, 659999)}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


def _person(rng: random.Random, pid: int) -> dict:
    birth = date(1950, 1, 1) + timedelta(days=rng.randint(0, 20000))
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 1, 2))))
    room = f"{rng.randint(1, 30)}0{rng.randint(1, 9)}室"
    addr = f"{rng.choice(CITIES)}{rng.choice(STREETS)}{rng.randint(1, 999)}号{room}"
    return {
        "pid": pid,
        "name": name,
        "gender": rng.choice("MF"),
        "birth": birth,
        "id": make_id(rng, birth),
        "phone": f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
        "email": f"u{pid}@example.com",
        "address": addr,
        "city": addr[:3],
        "postcode": f"{rng.randint(100000, 999999)}",
    }


def _typo_name(rng: random.Random, name: str) -> str:
    for i, ch in enumerate(name):
        if ch in HOMOPHONE:
            return name[:i] + HOMOPHONE[ch] + name[i + 1 :]
    return name[:-1] + rng.choice(GIVEN)


def _noisy(rng: random.Random, p: dict, source: str) -> dict:
    rec = dict(p)
    if rng.random() < 0.05:
        rec["name"] = _typo_name(rng, rec["name"])
    if source == "cards" and rng.random() < 0.2:
        rec["name"] = "".join(TRAD.get(c, c) for c in rec["name"])
    if rng.random() < 0.3:
        ph = rec["phone"]
        rec["phone"] = rng.choice([f"+86 {ph[:3]} {ph[3:7]} {ph[7:]}", f"{ph[:3]}-{ph[3:7]}-{ph[7:]}"])
    if rng.random() < 0.08:
        rec["address"] = f"{rng.choice(CITIES)}{rng.choice(STREETS)}{rng.randint(1, 999)}号"
    if rng.random() < 0.02:
        i = rng.randint(6, 16)
        rec["id"] = rec["id"][:i] + str((int(rec["id"][i]) + 1) % 10) + rec["id"][i + 1 :]
    for field in ("phone", "email", "address", "birth"):
        if rng.random() < 0.1:
            rec[field] = None
    return rec


def _row(rec: dict, source: str, key: str, with_id: bool) -> dict:
    return {
        "record_id": f"{source}:{key}",
        "source": source,
        "source_key": key,
        "name": rec["name"],
        "gender": rec["gender"],
        "birth_date": rec["birth"],
        "id_no": rec["id"] if with_id else None,
        "phone": rec["phone"],
        "email": rec["email"],
        "address": rec["address"],
        "city": rec["city"],
        "postcode": rec["postcode"],
        "opened_on": date(2020, 1, 1),
    }


def person_records(n: int, seed: int = 7) -> tuple[pa.Table, list[tuple[str, str, int]]]:
    """``n`` people, ~2.5 records each; plus twins of common names sharing a birthday (different IDs)."""
    rng = random.Random(seed)
    people = [_person(rng, i) for i in range(n)]
    for i in range(0, n // 20):  # common-name doubles: same name and birthday, different person
        twin = dict(people[i * 2])
        twin.update(_person(rng, n + i), name=people[i * 2]["name"], birth=people[i * 2]["birth"])
        twin["id"] = make_id(rng, twin["birth"])
        people.append(twin)
    rows, truth = [], []
    for p in people:
        plan = [("core", True)] + [
            (s, s != "crm" and rng.random() < 0.7)
            for s, q in (("cards", 0.45), ("app", 0.6), ("crm", 0.4))
            if rng.random() < q
        ]
        for source, with_id in plan:
            key = f"{source[0].upper()}{len(rows):08d}"
            rec = p if source == "core" else _noisy(rng, p, source)
            rows.append(_row(rec, source, key, with_id))
            truth.append((source, key, p["pid"]))
    cols = {c: [r[c] for r in rows] for c in COLUMNS}
    return pa.table(cols), truth


def canonical_select(relation: str, present: list[str]) -> str:
    """SQL selecting every PERSON_RECORD column from ``relation`` (absent columns as typed NULLs)."""
    from kequn.model.schemas import PERSON_RECORD

    cols = [c.name if c.name in present else f"NULL::{c.type} AS {c.name}" for c in PERSON_RECORD.columns]
    return f"SELECT {', '.join(cols)} FROM {relation}"
