"""Core transactions as columns: everyday spending and transfers, salary, interest, loan repayments.

Everything is drawn per transaction with numpy; a part of the ledger is a ``Txns`` and parts concatenate.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa

from kequn.demo.generator.arrays import pick
from kequn.demo.generator.context import DAY, BankContext
from kequn.demo.generator.names import random_names

CHANNELS = ("ATM", "CNT", "MOB", "NET", "POS", "API")
ATM, CNT, MOB, NET, POS, API = range(6)
TXN_CODES = ("CASH", "TRF", "SAL", "PUR", "RPY", "INT", "FEE")
CASH, TRF, SAL, PUR, RPY, INT, FEE = range(7)
BANKS = (
    "本行",
    "中国工商银行",
    "中国建设银行",
    "中国农业银行",
    "中国银行",
    "交通银行",
    "招商银行",
    "中国邮政储蓄银行",
    "兴业银行",
    "浦发银行",
    "中信银行",
    "民生银行",
    "平安银行",
    "光大银行",
    "宁波银行",
    "微众银行",
)
OWN_BANK = 0
CURRENCIES = ("CNY", "USD", "HKD", "EUR")
MERCHANTS = (
    "美团",
    "京东商城",
    "拼多多",
    "盒马鲜生",
    "永辉超市",
    "沃尔玛",
    "华润万家",
    "星巴克",
    "肯德基",
    "麦当劳",
    "中国石化",
    "中国石油",
    "滴滴出行",
    "国家电网",
    "中国移动",
    "中国联通",
    "携程旅行",
    "大众点评",
    "苏宁易购",
    "屈臣氏",
)
PAYMENT_APPS = ("支付宝（中国）网络技术有限公司", "财付通支付科技有限公司", "云闪付")
EMPLOYERS = (
    "华为技术有限公司",
    "腾讯科技（深圳）有限公司",
    "国家电网有限公司",
    "中国移动通信集团",
    "比亚迪股份有限公司",
    "上海汽车集团股份有限公司",
    "万科企业股份有限公司",
    "美的集团股份有限公司",
    "中国建筑第八工程局",
    "顺丰速运有限公司",
    "京东世纪贸易有限公司",
    "阿里巴巴（中国）有限公司",
    "海尔集团公司",
    "格力电器股份有限公司",
    "宁德时代新能源科技股份有限公司",
    "市第一人民医院",
    "市实验中学",
    "区人民政府办公室",
    "中国平安保险（集团）股份有限公司",
    "新东方教育科技集团",
)
# Share of transactions in each hour of the day: quiet at night, peaks at lunch and in the evening.
HOUR_WEIGHTS = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.4, 1.5, 3, 5, 6, 7, 7, 8, 6, 6, 6, 6, 7, 8, 9, 9, 7, 4, 2])


@dataclass
class Txns:
    acct: np.ndarray  # int64 account numbers
    time: np.ndarray  # datetime64[s]
    cents: np.ndarray  # positive int64
    credit: np.ndarray  # bool: C when true
    channel: np.ndarray
    code: np.ndarray
    cpty_acct: np.ndarray  # int64, 0 = none
    cpty_name: pa.Array  # string, null = none
    cpty_bank: np.ndarray  # index into BANKS, -1 = none
    cross_border: np.ndarray
    ccy: np.ndarray
    case: np.ndarray  # planted AML case number, -1 = none

    def __len__(self) -> int:
        return len(self.acct)

    @classmethod
    def build(cls, acct, time, cents, credit, channel, code, **optional) -> Txns:
        n = len(acct)
        defaults = {
            "cpty_acct": np.zeros(n, np.int64),
            "cpty_name": pa.nulls(n, pa.string()),
            "cpty_bank": np.full(n, -1),
            "cross_border": np.zeros(n, bool),
            "ccy": np.zeros(n, np.int64),
            "case": np.full(n, -1, np.int64),
        }
        defaults.update(optional)
        return cls(
            acct,
            np.asarray(time, "datetime64[s]"),
            np.asarray(cents, np.int64),
            credit,
            channel,
            code,
            **defaults,
        )

    @staticmethod
    def concat(parts: list[Txns]) -> Txns:
        out = {}
        for f in fields(Txns):
            values = [getattr(p, f.name) for p in parts]
            out[f.name] = pa.concat_arrays(values) if f.name == "cpty_name" else np.concatenate(values)
        return Txns(**out)

    def take(self, order: np.ndarray) -> Txns:
        out = {}
        for f in fields(Txns):
            v = getattr(self, f.name)
            out[f.name] = v.take(pa.array(order)) if f.name == "cpty_name" else v[order]
        return Txns(**out)


def times_of_day(rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
    """Timestamps on the given days, at realistic hours."""
    hour = rng.choice(24, len(day), p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    seconds = hour * 3600 + rng.integers(0, 3600, len(day))
    return day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def other_accounts(rng: np.random.Generator, n: int) -> np.ndarray:
    """Counterparty account numbers at other banks (16-19 digits)."""
    return 6_222_000_000_000_000 + rng.integers(0, 10**15, n) * rng.choice([1, 10, 100], n)


def everyday(ctx: BankContext, rng: np.random.Generator, acct, activity, income, fading) -> Txns:
    """Spending, transfers, cash and fees; ``fading`` accounts trail off towards as_of (future churners)."""
    counts = rng.poisson(activity)
    owner = np.repeat(np.arange(len(acct)), counts)
    n = len(owner)
    u = rng.random(n)
    u = np.where(fading[owner], 1 - np.sqrt(1 - u), u)  # triangular density: falls to zero at as_of
    day = ctx.start + (u * ctx.days).astype(np.int64) * DAY
    kind = rng.choice(5, n, p=[0.48, 0.16, 0.2, 0.12, 0.04])  # PUR, TRF out, TRF in, CASH, FEE
    code = np.array([PUR, TRF, TRF, CASH, FEE])[kind]
    credit = (kind == 2) | ((kind == 3) & (rng.random(n) < 0.25))
    base = np.array([80.0, 150, 300, 800, 2500])[income[owner]] * rng.lognormal(0, 1.0, n)
    base = np.select(
        [kind == 4, kind == 3, kind >= 1],
        [rng.choice([2, 5, 10, 20], n), np.ceil(base * 2 / 100) * 100, base * 4],
        base,
    )
    channel = np.select(
        [kind == 0, kind == 3, kind == 4],
        [
            rng.choice([POS, MOB, API], n, p=[0.4, 0.3, 0.3]),
            rng.choice([ATM, CNT], n, p=[0.85, 0.15]),
            np.full(n, CNT),
        ],
        rng.choice([MOB, NET, CNT], n, p=[0.6, 0.25, 0.15]),
    )
    transfer = code == TRF
    cross = transfer & (rng.random(n) < 0.003)
    merchant = pick(MERCHANTS, rng.integers(0, len(MERCHANTS), n))
    payee = pick(PAYMENT_APPS, rng.integers(0, len(PAYMENT_APPS), n))
    person = random_names(rng, int(transfer.sum())).take(pa.array(np.cumsum(transfer) - 1, mask=~transfer))
    name = pa.compute.if_else(pa.array(channel == API), payee, merchant)
    name = pa.compute.if_else(pa.array(transfer), person, name)
    name = pa.compute.if_else(pa.array((code == CASH) | (code == FEE)), pa.scalar(None, pa.string()), name)
    return Txns.build(
        acct[owner],
        times_of_day(rng, day),
        np.maximum(np.round(base * 100), 1),
        credit,
        channel,
        code,
        cpty_acct=np.where(transfer, other_accounts(rng, n), 0),
        cpty_name=name,
        cpty_bank=np.where(transfer, rng.choice(len(BANKS), n), -1),
        cross_border=cross,
        ccy=np.where(cross & (rng.random(n) < 0.5), rng.integers(1, 4, n), 0),
    )


def salaries(ctx: BankContext, rng: np.random.Generator, acct, salary, pay_day, employer) -> Txns:
    """Monthly salary credits (代发工资) on each customer's pay day."""
    months = np.arange(ctx.start.astype("datetime64[M]"), ctx.end.astype("datetime64[M]") + 1)
    paid = np.flatnonzero(salary > 0)
    day = months.astype("datetime64[D]")[None, :] + (pay_day[paid][:, None] - 1) * DAY
    inside = (day >= ctx.start) & (day <= ctx.end)
    owner = np.repeat(paid, inside.sum(axis=1))
    day = day[inside]
    n = len(owner)
    seconds = (rng.integers(0, 4 * 3600, n) + 8 * 3600).astype("timedelta64[s]")
    return Txns.build(
        acct[owner],
        day.astype("datetime64[s]") + seconds,
        np.round(salary[owner] * rng.uniform(0.97, 1.08, n) * 100),
        np.ones(n, bool),
        np.full(n, API),
        np.full(n, SAL),
        cpty_acct=9_550_000_000_000_000 + employer[owner],
        cpty_name=pick(EMPLOYERS, employer[owner]),
        cpty_bank=np.full(n, OWN_BANK),
    )


def interest(ctx: BankContext, rng: np.random.Generator, acct, balance_cents) -> Txns:
    """Quarterly demand-deposit interest, credited on the 21st of the last month of each quarter."""
    parts = []
    for month in np.arange(ctx.start.astype("datetime64[M]"), ctx.end.astype("datetime64[M]") + 1):
        day = month.astype("datetime64[D]") + 20 * DAY
        if (month.astype(np.int64) % 12) % 3 != 2 or not ctx.start <= day <= ctx.end:
            continue
        cents = np.round(balance_cents * 0.001 / 4)
        paying = np.flatnonzero(cents >= 1)
        n = len(paying)
        when = np.full(n, day.astype("datetime64[s]") + np.timedelta64(3600, "s"))
        parts.append(
            Txns.build(acct[paying], when, cents[paying], np.ones(n, bool), np.full(n, API), np.full(n, INT))
        )
    return Txns.concat(parts) if parts else _none()


def repayments(ctx: BankContext, rng: np.random.Generator, dd_acct, loan_acct, payment, pay_days) -> Txns:
    """Monthly loan instalments debited from the demand deposit (see accounts.non_deposit_balances)."""
    parts = []
    for day in pay_days:
        n = len(dd_acct)
        when = np.full(n, day.astype("datetime64[s]") + np.timedelta64(2 * 3600, "s"))
        parts.append(
            Txns.build(
                dd_acct,
                when,
                payment,
                np.zeros(n, bool),
                np.full(n, API),
                np.full(n, RPY),
                cpty_acct=loan_acct,
                cpty_bank=np.full(n, OWN_BANK),
            )
        )
    return Txns.concat(parts) if parts else _none()


def leaving(ctx: BankContext, rng: np.random.Generator, acct, aum) -> Txns:
    """Future churners move most of their money to another bank in the last 45 days before as_of."""
    k = rng.integers(2, 5, len(acct))
    owner = np.repeat(np.arange(len(acct)), k)
    n = len(owner)
    share = rng.dirichlet(np.ones(4), len(acct))[owner, np.arange(n) - np.repeat(np.cumsum(k) - k, k)]
    day = ctx.end - rng.integers(0, min(45, ctx.days), n) * DAY
    own_name = pa.nulls(n, pa.string())
    return Txns.build(
        acct[owner],
        times_of_day(rng, day),
        np.maximum(np.round(aum[owner] * 0.85 * share * 100), 100),
        np.zeros(n, bool),
        rng.choice([MOB, NET], n),
        np.full(n, TRF),
        cpty_acct=other_accounts(rng, n),
        cpty_name=own_name,
        cpty_bank=rng.integers(1, len(BANKS), n),
    )


def _none() -> Txns:
    e = np.zeros(0, np.int64)
    return Txns.build(e, e.astype("datetime64[s]"), e, e.astype(bool), e, e)
