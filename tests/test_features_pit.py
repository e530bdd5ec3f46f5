"""Point in time: features for a date read nothing after it, whichever snapshot they come from."""

from __future__ import annotations

from datetime import date

import pytest

from kequn.core.errors import SnapshotMissing
from kequn.features import compute_features, open_inputs
from kequn.features.compute import choose_snapshot
from tests import feature_bank
from tests.feature_bank import AS_OF, features_by_customer


def test_facts_after_as_of_do_not_change_the_features(engine):
    feature_bank.build(engine)
    compute_features(engine, AS_OF)
    before = features_by_customer(engine)

    # The same snapshot, now also holding a later balance, transactions, a login, a consent refusal
    # and a new account (all dated after as_of).
    feature_bank.build(engine, with_later_facts=True)
    engine.use_snapshot("txn", AS_OF, alias="all_txn")
    assert engine.scalar("SELECT count(*) FROM all_txn WHERE ts >= TIMESTAMP '2026-11-01 00:00:00'") == 2
    compute_features(engine, AS_OF)
    assert features_by_customer(engine) == before


def test_the_later_facts_do_count_on_a_later_day(engine):
    feature_bank.build(engine, with_later_facts=True)
    later = date(2026, 11, 5)
    compute_features(engine, later)
    k1 = features_by_customer(engine, later)["K1"]
    assert k1["large_transfer_out_other_bank_30d"] == 2  # the Nov 1 transfer joins Oct 28's
    assert k1["consent_marketing_sms"] is False  # refused on Nov 2
    assert k1["aum_demand_deposit"] == 99_999


def test_a_later_snapshot_is_not_read_when_one_exists_on_or_before(engine):
    feature_bank.build(engine)
    # A later export (as_of Nov 30) where everything is different: D still reads its own snapshot.
    later = "SELECT 'A1' AS account_id, DATE '2026-01-01' AS day, CAST(1 AS DECIMAL(18,2)) AS balance"
    engine.write_snapshot("balance", date(2026, 11, 30), later)
    chosen = open_inputs(engine, AS_OF)
    assert chosen["balance"] == AS_OF
    compute_features(engine, AS_OF)
    assert features_by_customer(engine)["K1"]["aum"] == 200_000


def test_backfill_uses_the_earliest_later_snapshot_filtered_to_the_day(engine):
    """A month-end before the first export: the Oct 31 snapshot, with every fact cut at Sep 30."""
    feature_bank.build(engine)
    day = date(2026, 9, 30)
    assert open_inputs(engine, day)["txn"] == AS_OF
    compute_features(engine, day)
    rows = features_by_customer(engine, day)
    k1 = rows["K1"]
    assert k1["aum"] == 170_000  # 20,000 + 100,000 + 50,000 (the Oct 31 valuation is not yet known)
    assert k1["aum_mad"] == pytest.approx(20_000 + 100_000 + 16 * 50_000 / 30)
    assert k1["txn_count_30d"] == 3  # Sep 1, Sep 21, Sep 25
    assert k1["days_since_last_txn"] == 5  # the salary of Sep 25
    assert k1["app_logins_30d"] == 0 and k1["product_views_30d"] == 1
    assert k1["consent_marketing_sms"] is True
    assert k1["td_maturing_30d"] == 0  # matures Nov 20: more than 30 days after Sep 30
    assert rows["K2"]["loan_balance"] == 50_000  # the Oct 20 repayment is in the future
    assert "K4" not in rows


def test_a_risk_assessment_made_after_as_of_is_not_known(engine):
    feature_bank.build(engine)
    day = date(2026, 2, 28)  # K3 was assessed on 2026-03-01
    compute_features(engine, day)
    k3 = features_by_customer(engine, day)["K3"]
    assert k3["risk_level"] is None and k3["risk_assessed_on"] is None


def test_snapshot_choice_rule():
    snapshots = [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)]
    assert choose_snapshot(snapshots, date(2026, 9, 30)) == date(2026, 9, 30)
    assert choose_snapshot(snapshots, date(2026, 10, 15)) == date(2026, 9, 30)
    assert choose_snapshot(snapshots, date(2026, 7, 31)) == date(2026, 8, 31)
    assert choose_snapshot([], date(2026, 7, 31)) is None


def test_features_need_customers(engine):
    with pytest.raises(SnapshotMissing, match="identity run"):
        compute_features(engine, AS_OF)
