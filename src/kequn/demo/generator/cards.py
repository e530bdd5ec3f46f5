"""The credit card system (信用卡中心): its own customer file, cards and card transactions (GB18030, '|')."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from kequn.demo.generator.arrays import blank_where, concat, digits, fmt_dates, fmt_times, money, pick
from kequn.demo.generator.context import DAY, BankContext, permuted_ids
from kequn.demo.generator.people import People
from kequn.demo.generator.phones import formatted
from kequn.demo.generator.records import noisy_records
from kequn.demo.generator.txns import CURRENCIES, times_of_day

# (MCC, merchants): card spending by merchant category (ISO 18245).
MERCHANT_CATEGORIES = (
    ("5411", ("沃尔玛购物广场", "永辉超市", "华润万家", "盒马鲜生", "家乐福")),
    ("5812", ("海底捞火锅", "西贝莜面村", "外婆家", "绿茶餐厅", "全聚德")),
    ("5814", ("肯德基", "麦当劳", "星巴克", "瑞幸咖啡", "喜茶")),
    ("5541", ("中国石化加油站", "中国石油加油站", "壳牌加油站")),
    ("4511", ("中国国际航空", "东方航空", "南方航空")),
    ("7011", ("如家酒店", "汉庭酒店", "全季酒店", "希尔顿酒店")),
    ("5311", ("万达广场", "银泰百货", "王府井百货")),
    ("5732", ("苏宁易购", "国美电器", "Apple Store")),
    ("5999", ("京东商城", "天猫", "唯品会")),
)
MCC_WEIGHTS = np.array([0.22, 0.18, 0.15, 0.1, 0.04, 0.05, 0.08, 0.06, 0.12])


def card_holders(ctx: BankContext, chunk: int, people: People) -> dict:
    """card_customers.txt rows and the cards they hold."""
    rng = ctx.rng("cards", chunk)
    index = np.flatnonzero(people.has_card)
    rec = noisy_records(rng, people, index, trad_share=0.10)
    n = len(index)
    key = permuted_ids(people.pid[index], 10**9, 7_654_321, 13_579)
    opened = np.maximum(people.open_day[index], ctx.start - 3650 * DAY) + rng.integers(0, 900, n) * DAY
    opened = np.minimum(opened, ctx.start - DAY)
    table = pa.table(
        {
            "cc_cust_id": concat("K", digits(key, 9)),
            "cust_name": rec.name,
            "gender": pa.array(np.where(people.male[index], "男", "女")),
            "birthday": blank_where(fmt_dates(people.birth[index], "%Y/%m/%d"), rec.lacks(0)),
            "id_number": blank_where(rec.id_no, rec.lacks(1)),
            "phone": formatted(rng, people.mobile[index], 0.6),
            "email": blank_where(people.email.take(pa.array(index)), rec.lacks(2)),
            "bill_addr": blank_where(rec.address.text(), rec.lacks(3)),
            "city": rec.address.city(short=True),
            "zip": rec.address.post_code(),
            "open_date": fmt_dates(opened, "%Y/%m/%d"),
        }
    )
    return {"table": table, "index": index, "key": key, "opened": opened, "rng": rng}


def cards_and_spending(
    ctx: BankContext, people: People, holders: dict, first_id: int
) -> tuple[pa.Table, pa.Table]:
    rng = holders["rng"]
    index, key, opened = holders["index"], holders["key"], holders["opened"]
    per_holder = rng.choice([1, 2], len(index), p=[0.75, 0.25])
    holder = np.repeat(np.arange(len(index)), per_holder)
    m = len(holder)
    tier = np.clip(people.income_band[index][holder] - 1 + rng.integers(0, 2, m), 0, 2)
    limit = np.array([10_000, 50_000, 150_000])[tier] * rng.uniform(0.5, 2, m)
    card_no = (
        6_225_880_000_000_000
        + key[holder] * 4
        + np.arange(m)
        - np.repeat(np.cumsum(per_holder) - per_holder, per_holder)
    )
    status = rng.choice(["A", "C", "F"], m, p=[0.93, 0.05, 0.02])
    cards = pa.table(
        {
            "card_no": digits(card_no),
            "cc_cust_id": concat("K", digits(key[holder], 9)),
            "card_product": pick(["CC0001", "CC0002", "CC0003"], tier),
            "credit_limit": money(np.round(limit, -3).astype(np.int64) * 100),
            "open_date": fmt_dates(opened[holder] + rng.integers(0, 30, m) * DAY, "%Y/%m/%d"),
            "card_status": pa.array(status),
        }
    )
    return cards, _spending(ctx, rng, card_no[status == "A"], tier[status == "A"], first_id)


def _spending(ctx: BankContext, rng: np.random.Generator, card_no, tier, first_id: int) -> pa.Table:
    counts = rng.poisson(rng.gamma(0.8, 10 / 0.8, len(card_no)) * ctx.days / 90)
    owner = np.repeat(np.arange(len(card_no)), counts)
    n = len(owner)
    category = rng.choice(len(MERCHANT_CATEGORIES), n, p=MCC_WEIGHTS / MCC_WEIGHTS.sum())
    merchant_names = [m for _, ms in MERCHANT_CATEGORIES for m in ms]
    offsets = np.cumsum([0] + [len(ms) for _, ms in MERCHANT_CATEGORIES])
    sizes = np.diff(offsets)
    merchant = offsets[category] + (rng.random(n) * sizes[category]).astype(np.int64)
    refund = rng.random(n) < 0.06
    cross = rng.random(n) < 0.02
    amount = np.array([150, 400, 900])[tier[owner]] * rng.lognormal(0, 1.0, n)
    day = ctx.start + rng.integers(0, ctx.days, n) * DAY
    return pa.table(
        {
            "txn_id": concat("CT", digits(first_id + np.arange(n), 10)),
            "card_no": digits(card_no[owner]),
            "txn_time": fmt_times(times_of_day(rng, day), "%Y/%m/%d %H:%M:%S"),
            "amount": money(np.maximum(np.round(amount * 100), 100).astype(np.int64)),
            "dc_flag": pa.array(np.where(refund, "C", "D")),
            "mcc": pick([c for c, _ in MERCHANT_CATEGORIES], category),
            "merchant_name": pick(merchant_names, merchant),
            "cross_border": pa.array(np.where(cross, "Y", "N")),
            "ccy": pick(CURRENCIES, np.where(cross, rng.integers(1, 4, n), 0)),
        }
    )
