"""Hand-made data for the tier tests: 8 customers over 8 month-ends, and the tiers each month should give.

Only the ``features`` columns tiers read are written (the features package may not exist yet). Every
expectation below was worked out by hand from DOMAIN.md §1 with the default scheme (private ≥ 6,000,000
with 6 months' grace, wealth ≥ 500,000, affluent ≥ 50,000, mass ≥ 1,000, long tail below; 3 months' grace).
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from kequn.engine import Engine

MONTHS = [
    date(2025, 6, 30),
    date(2025, 7, 31),
    date(2025, 8, 31),
    date(2025, 9, 30),
    date(2025, 10, 31),
    date(2025, 11, 30),
    date(2025, 12, 31),
    date(2026, 1, 31),
]
CATEGORY_SHARES = {"demand_deposit": 0.5, "time_deposit": 0.2, "wealth": 0.1, "fund": 0.1, "insurance": 0.1}

# Monthly average daily AUM per month-end; None: not a customer at that date.
AUM: dict[str, list[float | None]] = {
    "K01": [10_000, 10_000, 60_000, 60_000, 600_000, 600_000, 600_000, 600_000],  # upgrades twice
    "K02": [100_000, 20_000, 20_000, 500, 500, 500, 500, 500],  # 3 months below → last month's tier
    "K03": [8_000_000] + [1_000_000] * 7,  # private: 6 months' grace
    "K04": [600_000, 400_000, 700_000, 400_000, 400_000, 600_000, 40_000, 40_000],  # recovers twice
    "K05": [None, None, None, 2_000_000, 2_000_000, 5_000, 5_000, 5_000],  # new in September
    "K06": [500, 500, 500, 500, 500, None, None, None],  # leaves after October
    "K07": [7_000_000] + [0] * 7,  # private to zero: long tail after 6 months
    "K08": [50_000, 49_999.99, 1_000, 999.99, 6_000_000, 6_000_000, 6_000_000, 6_000_000],  # edges
}
RM = {"K01": "R1", "K02": "R1", "K03": "P1", "K04": "R404", "K05": "R2", "K07": "P1", "K08": "OPS"}
LOANS = {"K01": 30_000.0, "K04": 450_000.0}

# tier, or tier!n for "on watch, n months below"; "-" not a customer.
EXPECTED = {
    "K01": "mass mass affluent affluent wealth wealth wealth wealth",
    "K02": "affluent affluent!1 affluent!2 longtail longtail longtail longtail longtail",
    "K03": "private private!1 private!2 private!3 private!4 private!5 wealth wealth",
    "K04": "wealth wealth!1 wealth wealth!1 wealth!2 wealth wealth!1 wealth!2",
    "K05": "- - - wealth wealth wealth!1 wealth!2 mass",
    "K06": "longtail longtail longtail longtail longtail - - -",
    "K07": "private private!1 private!2 private!3 private!4 private!5 longtail longtail",
    "K08": "affluent affluent!1 affluent!2 longtail private private private private",
}


def expected_at(month: int) -> dict[str, tuple[str, str, int]]:
    """customer_id → (tier, tier_status, months_below) expected at MONTHS[month]."""
    out = {}
    for customer, line in EXPECTED.items():
        cell = line.split()[month]
        if cell == "-":
            continue
        tier, _, below = cell.partition("!")
        out[customer] = (tier, "watch" if below else "normal", int(below or 0))
    return out


def features_table(month: int, *, partial_month: dict[str, float] | None = None) -> pa.Table:
    """The features rows at MONTHS[month] (or, with ``partial_month``, a date inside the next month)."""
    ids = [c for c, series in AUM.items() if series[month] is not None]
    current = [AUM[c][month] for c in ids]
    previous = [AUM[c][month - 1] if month else None for c in ids]
    if partial_month is not None:  # a mid-month date: last month is complete, this one is not
        previous, current = current, [partial_month[c] for c in ids]
    columns: dict[str, list] = {
        "customer_id": ids,
        "org_id": ["B01S01"] * len(ids),
        "rm_id": [RM.get(c) for c in ids],  # K06 has no RM
        "aum_mad": current,
        "aum_mad_prev_month": [p or 0.0 for p in previous],
        "loan_balance": [LOANS.get(c, 0.0) for c in ids],
    }
    for category, share in CATEGORY_SHARES.items():
        columns[f"aum_mad_{category}"] = [a * share for a in current]  # type: ignore[operator]
    return pa.table(columns)


def write_features(engine: Engine, day: date, table: pa.Table) -> None:
    engine.register("tier_test_features", table)
    engine.write_snapshot("features", day, "SELECT * FROM tier_test_features")


def write_all_features(engine: Engine) -> None:
    for month, day in enumerate(MONTHS):
        write_features(engine, day, features_table(month))


STAFF_SQL = (
    "SELECT * FROM (VALUES ('R1','赵经理','B01S01','rm',1), ('R2','钱经理','B01S01','rm',80),"
    " ('P1','孙私行','B01','private_banker',20), ('OPS','数字化运营','H000','digital_ops',0))"
    " t(staff_id, name, org_id, role, max_book)"
)


def write_staff(engine: Engine, day: date) -> None:
    engine.write_snapshot("staff", day, STAFF_SQL)
