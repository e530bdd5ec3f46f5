"""Tier transitions month by month (DOMAIN.md §1) on hand-made features snapshots."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from kequn.core.errors import SnapshotMissing, UserInputError
from kequn.tags.tier_scheme import DEFAULT_SCHEME, AssetDefinition, Tier, TierScheme
from kequn.tags.tiers import compute_tiers, plan_tiers
from tests.test_tiers_data import (
    AUM,
    CATEGORY_SHARES,
    LOANS,
    MONTHS,
    expected_at,
    features_table,
    write_all_features,
    write_features,
)


def tiers_at(engine, day: date) -> dict[str, dict]:
    engine.use_snapshot("tiers", day, alias="t")
    # The reader adds the partition column as_of; the rest is what compute_tiers wrote.
    return {r["customer_id"]: r for r in engine.query("SELECT * EXCLUDE (as_of) FROM t").to_pylist()}


def states(rows: dict[str, dict]) -> dict[str, tuple[str, str, int]]:
    return {c: (r["tier"], r["tier_status"], r["months_below"]) for c, r in rows.items()}


@pytest.fixture
def history(engine):
    """Features at 8 month-ends and the tiers computed month by month; returns the tiers per month."""
    write_all_features(engine)
    out = []
    for day in MONTHS:
        assert compute_tiers(engine, day) == sum(1 for s in AUM.values() if s[MONTHS.index(day)] is not None)
        out.append(tiers_at(engine, day))
    return out


def test_transitions_month_by_month(history):
    for month, rows in enumerate(history):
        assert states(rows) == expected_at(month), f"month {MONTHS[month]}"


def test_upgrade_is_in_force_from_the_next_month(history):
    august = history[2]["K01"]
    assert august["qualifying_tier"] == "affluent" and august["tier"] == "affluent"
    assert august["tier_since"] == date(2025, 9, 1)  # the average reached 50,000 in August
    assert history[4]["K01"]["tier_since"] == date(2025, 11, 1)
    assert history[7]["K01"]["tier_since"] == date(2025, 11, 1)  # unchanged while the tier holds


def test_watch_keeps_the_tier_and_its_start(history):
    for month in range(1, 6):
        k03 = history[month]["K03"]
        assert (k03["tier"], k03["qualifying_tier"]) == ("private", "wealth")
        assert k03["tier_since"] == date(2025, 7, 1)
    downgraded = history[6]["K03"]
    assert downgraded["tier"] == "wealth" and downgraded["tier_since"] == date(2026, 1, 1)


def test_downgrade_goes_to_the_tier_of_the_last_month(history):
    # K02 was mass-level for two months, long-tail in the third: the last month decides.
    assert [history[m]["K02"]["qualifying_tier"] for m in (1, 2, 3)] == ["mass", "mass", "longtail"]
    assert history[3]["K02"]["tier"] == "longtail"


def test_new_customer_gets_the_tier_of_its_basis(history):
    k05 = history[3]["K05"]
    assert (k05["tier"], k05["tier_status"], k05["tier_since"]) == ("wealth", "normal", date(2025, 10, 1))


def test_snapshot_columns_follow_the_contract(history):
    row = history[0]["K03"]
    assert set(row) == {
        "customer_id", "tier", "tier_status", "months_below", "tier_since", "basis_aum", "qualifying_tier",
        "service_model", "org_id", "rm_id", "scheme_version",
    }  # fmt: skip
    assert row["service_model"] == "rm" and history[0]["K06"]["service_model"] == "digital"
    assert row["basis_aum"] == 8_000_000 and row["scheme_version"] == 0 and row["rm_id"] == "P1"


def test_rerunning_a_date_is_idempotent_even_after_later_months(engine, history):
    again = compute_tiers(engine, MONTHS[3])
    assert again == len(history[3])
    assert tiers_at(engine, MONTHS[3]) == history[3]
    compute_tiers(engine, MONTHS[7])
    assert tiers_at(engine, MONTHS[7]) == history[7]


def test_mid_month_snapshot_shows_the_tier_in_force(engine):
    write_all_features(engine)
    for day in MONTHS[:3]:
        compute_tiers(engine, day)
    august = tiers_at(engine, MONTHS[2])
    mid = date(2025, 9, 15)
    # September's month-to-date average is deliberately absurd: a mid-month run must not read it.
    write_features(engine, mid, features_table(2, partial_month=dict.fromkeys(AUM, 9e9)))
    plan = plan_tiers(engine, mid, DEFAULT_SCHEME)
    assert (plan.basis_end, plan.previous, plan.columns) == (MONTHS[2], MONTHS[1], ("aum_mad_prev_month",))
    compute_tiers(engine, mid)
    assert tiers_at(engine, mid) == august
    # The month-end run after it judges September from July's state, not twice from August's.
    compute_tiers(engine, MONTHS[3])
    assert states(tiers_at(engine, MONTHS[3])) == expected_at(3)


def test_a_gap_counts_only_observed_months(engine, caplog):
    write_all_features(engine)
    compute_tiers(engine, MONTHS[0])
    with caplog.at_level(logging.WARNING, logger="kequn.tags.tiers"):
        compute_tiers(engine, MONTHS[3])  # July and August never computed
    rows = states(tiers_at(engine, MONTHS[3]))
    assert rows["K02"] == ("affluent", "watch", 1)  # not downgraded: only September was observed below
    assert rows["K03"] == ("private", "watch", 1)
    assert "2 month(s) unobserved" in caplog.text


def test_features_of_the_date_itself_are_required(engine):
    write_features(engine, MONTHS[0], features_table(0))
    with pytest.raises(SnapshotMissing, match="'features' snapshot of 2025-07-31"):
        compute_tiers(engine, MONTHS[1])


def test_missing_feature_column_is_one_line(engine):
    write_features(engine, MONTHS[0], features_table(0).drop(["aum_mad"]))
    with pytest.raises(UserInputError) as err:
        compute_tiers(engine, MONTHS[0])
    assert "lacks column(s) aum_mad" in str(err.value) and "\n" not in str(err.value)


WEIGHTED = TierScheme(
    tiers=DEFAULT_SCHEME.tiers,
    assets=AssetDefinition(
        weights={"demand_deposit": 1.0, "time_deposit": 1.0, "wealth": 0.5, "fund": 0.8}, net_of_loans=True
    ),
)


def weighted_basis(aum: float, loans: float) -> float:
    """The weighted, net definition computed by hand: insurance left out, loans deducted."""
    weights = WEIGHTED.assets.weights
    return sum(aum * share * weights.get(cat, 0.0) for cat, share in CATEGORY_SHARES.items()) - loans


def classify(amount: float) -> str:
    return next(t.code for t in DEFAULT_SCHEME.tiers if amount >= t.min_aum or t is DEFAULT_SCHEME.tiers[-1])


def test_weighted_asset_definition_net_of_loans(engine):
    write_all_features(engine)
    compute_tiers(engine, MONTHS[4], WEIGHTED)
    rows = tiers_at(engine, MONTHS[4])
    for customer, r in rows.items():
        expected = weighted_basis(AUM[customer][4], LOANS.get(customer, 0.0))  # type: ignore[arg-type]
        assert r["basis_aum"] == pytest.approx(expected, abs=0.006), customer
        assert r["qualifying_tier"] == r["tier"] == classify(expected), customer
    # K04: 400,000 × 0.83 − 450,000 is negative: the lowest tier takes it.
    assert rows["K04"]["basis_aum"] < 0 and rows["K04"]["tier"] == "longtail"
    # K01: 600,000 × 0.83 − 30,000 = 468,000: below wealth under this definition.
    assert rows["K01"]["tier"] == "affluent"


def test_weighted_definition_mid_month_reads_the_month_end_snapshot(engine):
    write_all_features(engine)
    mid = date(2025, 11, 10)
    write_features(engine, mid, features_table(4, partial_month=dict.fromkeys(AUM, 9e9)))
    compute_tiers(engine, mid, WEIGHTED)
    rows = tiers_at(engine, mid)
    expected = weighted_basis(AUM["K03"][4], 0.0)  # type: ignore[arg-type]
    assert rows["K03"]["basis_aum"] == pytest.approx(expected, abs=0.006)


def test_weighted_definition_mid_month_without_the_month_end_snapshot(engine):
    mid = date(2025, 11, 10)
    write_features(engine, mid, features_table(4, partial_month=dict.fromkeys(AUM, 0.0)))
    with pytest.raises(SnapshotMissing, match="2025-10-31"):
        compute_tiers(engine, mid, WEIGHTED)


def test_a_scheme_without_the_previous_codes_retiers_everyone(engine):
    write_all_features(engine)
    compute_tiers(engine, MONTHS[0])
    renamed = TierScheme(
        tiers=(Tier("gold", "金卡", "Gold", 100_000, "rm", 2), Tier("basic", "普卡", "Basic", 0, "digital")),
        version=7,
    )
    compute_tiers(engine, MONTHS[1], renamed)
    rows = tiers_at(engine, MONTHS[1])
    assert {c: r["tier"] for c, r in rows.items()} == {
        c: ("gold" if s[1] >= 100_000 else "basic")  # type: ignore[operator]
        for c, s in AUM.items()
        if s[1] is not None
    }
    assert {r["tier_since"] for r in rows.values()} == {date(2025, 8, 1)}
    assert {r["scheme_version"] for r in rows.values()} == {7}
