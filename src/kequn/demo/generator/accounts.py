"""Accounts (core/accounts.csv) and the balances of everything but demand deposits.

A person's assets are split over demand deposit, time deposit, wealth, funds and insurance; demand-deposit
balances follow from the transactions (see ledger.py), the others change on maturity or valuation days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kequn.demo.generator.arrays import blank_where, dates, money, pick, to_cents
from kequn.demo.generator.catalog import CODES, PRODUCTS
from kequn.demo.generator.context import DAY, BankContext
from kequn.demo.generator.core import CoreRecords
from kequn.demo.generator.people import STATUS_CLOSED, STATUS_DORMANT, People

ACCOUNT_BASE = 6_217_990_000_000_000_000  # 19 digits: card BIN 621799 + serial
SLOTS = 8  # account serial = core record serial * SLOTS + slot
DD, TD, WM, FD, INS, LOAN = 0, 1, 2, 3, 4, 5
TD_CODES = [i for i, p in enumerate(PRODUCTS) if p[2] == "time_deposit"]
WM_CODES = [i for i, p in enumerate(PRODUCTS) if p[2] == "wealth"]
FD_CODES = [i for i, p in enumerate(PRODUCTS) if p[2] == "fund"]
INS_CODES = [i for i, p in enumerate(PRODUCTS) if p[2] == "insurance"]
LOAN_CODES = [i for i, p in enumerate(PRODUCTS) if p[2] == "loan"]
TERM = np.array([p[5] for p in PRODUCTS])


@dataclass
class AccountSet:
    """Columns of core/accounts.csv plus what the ledger needs, one row per account."""

    acct_no: np.ndarray
    record: np.ndarray  # row in CoreRecords
    slot: np.ndarray
    product: np.ndarray
    open_day: np.ndarray
    close_day: np.ndarray  # NaT when open
    status: np.ndarray  # "N" | "C" | "F"
    maturity: np.ndarray
    credit_limit: np.ndarray  # cents, -1 when not applicable
    amount: np.ndarray  # cents: opening balance (loans: amount owed)
    payment: np.ndarray  # cents: monthly loan repayment

    def dd(self) -> np.ndarray:
        return np.flatnonzero(self.slot == DD)


def open_accounts(ctx: BankContext, chunk: int, people: People, core: CoreRecords) -> AccountSet:
    rng = ctx.rng("accounts", chunk)
    p = core.pos
    m = len(p)
    aum = np.where(core.second, rng.lognormal(6, 1.5, m), people.aum[p])
    shares = _asset_shares(rng, aum) * (~core.second)[:, None]
    shares[:, DD] = np.where(core.second, 1.0, shares[:, DD])
    parts = [_slot(rng, ctx, core, people, s, aum * shares[:, s]) for s in (DD, TD, WM, FD, INS)]
    parts.append(_loans(rng, ctx, core, people))
    merged = {f: np.concatenate([getattr(a, f) for a in parts]) for f in AccountSet.__dataclass_fields__}
    order = np.argsort(merged["acct_no"], kind="stable")
    return AccountSet(**{f: v[order] for f, v in merged.items()})


def _asset_shares(rng: np.random.Generator, aum: np.ndarray) -> np.ndarray:
    """How each person's assets split over DD/TD/WM/FD/INS: the richer, the more diversified."""
    m = len(aum)
    rich = np.clip(np.log10(aum + 1) - 4, 0, 3) / 3  # 0 below 10k, 1 at 10M
    present = rng.random((m, 5)) < np.column_stack(
        [np.ones(m), 0.2 + 0.5 * rich, 0.05 + 0.7 * rich, 0.03 + 0.5 * rich, 0.02 + 0.4 * rich]
    )
    weights = rng.gamma(1.5, 1.0, (m, 5)) * present
    weights[:, DD] += 0.15
    return weights / weights.sum(axis=1, keepdims=True)


def _empty_like(n: int) -> dict[str, np.ndarray]:
    return {
        "close_day": np.full(n, np.datetime64("NaT"), "datetime64[D]"),
        "maturity": np.full(n, np.datetime64("NaT"), "datetime64[D]"),
        "credit_limit": np.full(n, -1, np.int64),
        "payment": np.zeros(n, np.int64),
    }


def _slot(
    rng, ctx: BankContext, core: CoreRecords, people: People, slot: int, amount: np.ndarray
) -> AccountSet:
    status_of_person = people.status[core.pos]
    has = (amount > 0.005) | (slot == DD)
    rec = np.flatnonzero(has)
    n = len(rec)
    cust_status = status_of_person[rec]
    extra = _empty_like(n)
    open_day = core.open_day[rec] + rng.integers(0, 400, n) * DAY
    open_day = np.minimum(open_day, ctx.start - DAY)
    product = np.full(n, CODES.index("DD0001"))
    if slot == TD:
        product = rng.choice(TD_CODES, n)
        drawn = ctx.start + rng.integers(0, ctx.days + 365, n) * DAY
        open_day = np.minimum(drawn - TERM[product] * DAY, ctx.start - DAY)  # opened before the window
        maturity = open_day + TERM[product] * DAY
        matured = maturity <= ctx.end
        extra["maturity"] = maturity
        extra["close_day"] = np.where(matured, maturity, np.datetime64("NaT"))
    elif slot in (WM, FD, INS):
        product = rng.choice({WM: WM_CODES, FD: FD_CODES, INS: INS_CODES}[slot], n)
    status = np.where(cust_status == STATUS_CLOSED, "C", "N")
    status = np.where((cust_status == STATUS_DORMANT) & (rng.random(n) < 0.1), "F", status)
    status = np.where(~np.isnat(extra["close_day"]), "C", status)
    closed_customer = cust_status == STATUS_CLOSED
    lived = (ctx.start - open_day).astype(np.int64)
    closed_on = open_day + (lived * rng.uniform(0.3, 0.95, n)).astype(np.int64) * DAY
    extra["close_day"] = np.where(closed_customer, closed_on, extra["close_day"])
    return AccountSet(
        acct_no=_account_numbers(core, rec, slot),
        record=rec,
        slot=np.full(n, slot),
        product=product,
        open_day=open_day,
        status=status,
        amount=np.where(closed_customer, 0, to_cents(amount[rec])),
        **extra,
    )


def _account_numbers(core: CoreRecords, rec: np.ndarray, slot: int) -> np.ndarray:
    """One number per (customer record, product slot): unique and stable for a seed."""
    return ACCOUNT_BASE + (core.key[rec] % 10**11) * SLOTS + slot


def _loans(rng, ctx: BankContext, core: CoreRecords, people: People) -> AccountSet:
    income = people.income_band[core.pos]
    has = (rng.random(len(core.pos)) < 0.08 + 0.04 * income) & ~core.second
    has &= people.status[core.pos] == 0
    rec = np.flatnonzero(has)
    n = len(rec)
    product = rng.choice(LOAN_CODES, n, p=[0.35, 0.55, 0.10])
    is_mortgage = product == CODES.index("LN0001")
    principal = np.where(is_mortgage, rng.lognormal(13.5, 0.5, n), rng.lognormal(10.5, 0.8, n))
    owed = principal * rng.uniform(0.2, 0.95, n)
    extra = _empty_like(n)
    open_day = ctx.start - rng.integers(60, 3000, n) * DAY
    extra["maturity"] = open_day + TERM[product] * DAY
    extra["credit_limit"] = np.where(is_mortgage, -1, to_cents(np.round(principal * 1.2, -3)))
    extra["payment"] = to_cents(principal / np.maximum(TERM[product] / 30, 1) * 1.15)
    return AccountSet(
        acct_no=_account_numbers(core, rec, LOAN),
        record=rec,
        slot=np.full(n, LOAN),
        product=product,
        open_day=open_day,
        status=np.full(n, "N"),
        amount=to_cents(owed),
        **extra,
    )


def accounts_table(accounts: AccountSet, core: CoreRecords) -> pa.Table:
    close = accounts.close_day
    return pa.table(
        {
            "acct_no": pa.array(accounts.acct_no),
            "cust_no": core.cust_no.take(pa.array(accounts.record)),
            "prod_code": pick(CODES, accounts.product),
            "open_dt": dates(accounts.open_day),
            "close_dt": dates(close),
            "acct_status": pa.array(accounts.status),
            "ccy": pa.array(np.full(len(close), "CNY")),
            "maturity_dt": dates(accounts.maturity),
            "credit_limit": blank_where(
                money(np.maximum(accounts.credit_limit, 0)), accounts.credit_limit < 0
            ),
        }
    )


def non_deposit_balances(ctx: BankContext, chunk: int, accounts: AccountSet) -> dict[str, np.ndarray]:
    """Sparse balances of TD/WM/FD/INS/loan accounts: window start, maturity, month-end valuations,
    loan repayment days. Returns columns acct_no, day, cents."""
    rng = ctx.rng("balances", chunk)
    close = accounts.close_day
    open_ = (accounts.slot != DD) & (np.isnat(close) | (close > ctx.start))
    idx = np.flatnonzero(open_)
    first = np.maximum(accounts.open_day[idx], ctx.start)
    rows = [(idx, first, accounts.amount[idx])]
    matured = idx[(accounts.slot[idx] == TD) & (accounts.maturity[idx] <= ctx.end)]
    rows.append((matured, accounts.maturity[matured], np.zeros(len(matured), np.int64)))
    valued = idx[np.isin(accounts.slot[idx], (WM, FD))]
    for month_end in _month_ends(ctx):
        drift = 1 + rng.normal(0.002, 0.02, len(valued))
        rows.append(
            (
                valued,
                np.full(len(valued), month_end),
                np.round(accounts.amount[valued] * drift).astype(np.int64),
            )
        )
    loans = idx[accounts.slot[idx] == LOAN]
    for k, pay in enumerate(_pay_days(ctx, 20)):
        left = np.maximum(accounts.amount[loans] - (k + 1) * accounts.payment[loans] * 7 // 10, 0)
        rows.append((loans, np.full(len(loans), pay), left))
    acct = np.concatenate([accounts.acct_no[r] for r, _, _ in rows])
    day = np.concatenate([d.astype("datetime64[D]") for _, d, _ in rows])
    cents = np.concatenate([c for _, _, c in rows])
    keep = day >= ctx.start
    return {"acct_no": acct[keep], "day": day[keep], "cents": cents[keep]}


def _month_ends(ctx: BankContext) -> list[np.datetime64]:
    months = np.arange(ctx.start.astype("datetime64[M]"), ctx.end.astype("datetime64[M]") + 1)
    ends = (months + 1).astype("datetime64[D]") - DAY
    return [e for e in ends if ctx.start < e <= ctx.end]


def _pay_days(ctx: BankContext, day_of_month: int) -> list[np.datetime64]:
    months = np.arange(ctx.start.astype("datetime64[M]"), ctx.end.astype("datetime64[M]") + 1)
    days = months.astype("datetime64[D]") + (day_of_month - 1) * DAY
    return [d for d in days if ctx.start < d <= ctx.end]
