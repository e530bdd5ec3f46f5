"""Planted money-laundering patterns (DOMAIN.md §4), each a case of core transactions on one account."""

from __future__ import annotations

import numpy as np

from kequn.demo.generator.context import DAY, BankContext
from kequn.demo.generator.names import random_names
from kequn.demo.generator.txns import ATM, BANKS, CASH, CNT, MOB, NET, TRF, Txns, other_accounts, times_of_day

PATTERNS = ("fan_in", "fan_out", "structuring", "dormant_large", "rapid_in_out", "frequent_cash")
CASE_RATE = 0.0003  # cases of each pattern per customer


def _burst(
    ctx, rng, acct, case, sizes, first_day, spread_days, credit, cents, code=TRF, channel=None
) -> Txns:
    """``sizes[i]`` transactions for case i on its account, over ``spread_days`` from ``first_day``."""
    owner = np.repeat(np.arange(len(acct)), sizes)
    n = len(owner)
    day = np.minimum(first_day[owner] + rng.integers(0, spread_days, n) * DAY, ctx.end)
    counterparty = {}
    if code == TRF:
        counterparty = {
            "cpty_acct": other_accounts(rng, n),
            "cpty_name": random_names(rng, n),
            "cpty_bank": rng.integers(0, len(BANKS), n),
        }
    return Txns.build(
        acct[owner],
        times_of_day(rng, day),
        cents(owner, n),
        np.full(n, credit),
        rng.choice([MOB, NET], n) if channel is None else np.full(n, channel),
        np.full(n, code),
        case=case[owner],
        **counterparty,
    )


def plant(ctx: BankContext, chunk: int, acct, active, dormant) -> tuple[Txns, np.ndarray, np.ndarray]:
    """Txns of every planted case, and per case: its pattern and the row (in ``acct``) of its account."""
    rng = ctx.rng("aml", chunk)
    per_pattern = max(1, round(len(acct) * CASE_RATE))
    parts: list[Txns] = []
    pattern: list[int] = []
    row: list[np.ndarray] = []
    for p, name in enumerate(PATTERNS):
        pool = np.flatnonzero(dormant if name == "dormant_large" else active)
        chosen = rng.choice(pool, min(per_pattern, len(pool)), replace=False) if len(pool) else pool
        case = chunk * 100_000 + len(pattern) + np.arange(len(chosen))
        parts.append(_PLANTERS[name](ctx, rng, acct[chosen], case))
        pattern += [p] * len(chosen)
        row.append(chosen)
    txns = Txns.concat([t for t in parts if len(t)]) if any(len(t) for t in parts) else parts[0]
    return txns, np.array(pattern, np.int64), np.concatenate(row)


def _days_before_end(ctx, rng, n, at_least, at_most) -> np.ndarray:
    return (
        ctx.end - rng.integers(at_least, min(at_most, ctx.days), n) * DAY
        if ctx.days > at_least
        else np.full(n, ctx.start)
    )


def _fan(ctx, rng, acct, case, gather: bool) -> Txns:
    """分散转入集中转出 (gather) or 集中转入分散转出: many small legs, one or two big legs, little left."""
    n = len(acct)
    many = rng.integers(10, 21, n)
    each = rng.uniform(8_000, 49_000, n)
    start = _days_before_end(ctx, rng, n, 5, 60)
    small_start = start if gather else start + DAY
    small = _burst(
        ctx,
        rng,
        acct,
        case,
        many,
        small_start,
        3,
        gather,
        lambda o, k: np.round(each[o] * rng.uniform(0.8, 1.0, k) * 100),
    )
    total = many * each * 0.95
    big_day = start + (3 if gather else 0) * DAY
    one = np.ones(n, np.int64)
    big = _burst(ctx, rng, acct, case, one, big_day, 1, not gather, lambda o, k: np.round(total[o] * 100))
    return Txns.concat([small, big])


def _structuring(ctx, rng, acct, case) -> Txns:
    """分拆: cash deposits just under the 50,000 large-value threshold, repeated over a few days."""
    n = len(acct)
    start = _days_before_end(ctx, rng, n, 10, 80)
    amounts = lambda o, k: rng.integers(45_000, 49_991, k) * 100  # noqa: E731
    return _burst(
        ctx, rng, acct, case, rng.integers(5, 9, n), start, 8, True, amounts, code=CASH, channel=CNT
    )


def _dormant(ctx, rng, acct, case) -> Txns:
    """An idle account suddenly receives a large sum and sends it on within two days."""
    n = len(acct)
    amount = rng.uniform(300_000, 2_000_000, n)
    start = _days_before_end(ctx, rng, n, 3, 12)
    one = np.ones(n, np.int64)
    inflow = _burst(ctx, rng, acct, case, one, start, 1, True, lambda o, k: np.round(amount[o] * 100))
    outflow = _burst(ctx, rng, acct, case, one, start + DAY, 2, False, lambda o, k: np.round(amount[o] * 99))
    return Txns.concat([inflow, outflow])


def _rapid(ctx, rng, acct, case) -> Txns:
    """快进快出: a credit followed within hours by a debit of almost the same amount, several times."""
    n = len(acct)
    pairs = rng.integers(3, 6, n)
    amount = rng.uniform(50_000, 400_000, n)
    start = _days_before_end(ctx, rng, n, 8, 60)
    inflow = _burst(ctx, rng, acct, case, pairs, start, 6, True, lambda o, k: np.round(amount[o] * 100))
    outflow = _burst(ctx, rng, acct, case, pairs, start, 6, False, lambda o, k: np.round(amount[o] * 98))
    outflow.time = inflow.time + rng.integers(600, 3 * 3600, len(inflow)).astype("timedelta64[s]")
    return Txns.concat([inflow, outflow])


def _frequent_cash(ctx, rng, acct, case) -> Txns:
    """Three or more cash withdrawals a day on three days in a row."""
    n = len(acct)
    start = _days_before_end(ctx, rng, n, 5, 80)
    per_day = rng.integers(3, 5, n)
    amounts = lambda o, k: rng.integers(20, 200, k) * 10_000  # noqa: E731
    days = [
        _burst(ctx, rng, acct, case, per_day, start + d * DAY, 1, False, amounts, code=CASH, channel=ATM)
        for d in range(3)
    ]  # fmt: skip
    return Txns.concat(days)


_PLANTERS = {
    "fan_in": lambda ctx, rng, acct, case: _fan(ctx, rng, acct, case, gather=True),
    "fan_out": lambda ctx, rng, acct, case: _fan(ctx, rng, acct, case, gather=False),
    "structuring": _structuring,
    "dormant_large": _dormant,
    "rapid_in_out": _rapid,
    "frequent_cash": _frequent_cash,
}
__all__ = ["CNT", "PATTERNS", "plant"]
