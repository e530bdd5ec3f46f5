"""Features against values worked out by hand on tests/feature_bank.py (one test per feature group)."""

from __future__ import annotations

from datetime import date

import pytest

from kequn.core.workspace import init_workspace
from kequn.engine import DuckDBEngine, Warehouse
from kequn.features import compute_features
from tests import feature_bank
from tests.feature_bank import AS_OF, features_by_customer


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """One bank for the module: every test here only reads the computed snapshot."""
    ws = init_workspace(tmp_path_factory.mktemp("features") / "ws")
    eng = DuckDBEngine(Warehouse(ws.warehouse))
    feature_bank.build(eng)
    compute_features(eng, AS_OF)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def bank(engine):
    return features_by_customer(engine)


def test_one_row_per_customer_known_on_as_of(bank):
    assert sorted(bank) == ["K1", "K2", "K3", "K5"]  # K4 opened after as_of


def test_demographics(bank):
    k1, k2 = bank["K1"], bank["K2"]
    assert k1["age"] == 65 and k2["age"] == 36  # K1's 66th birthday is on Nov 15
    assert (k1["gender"], k1["city"], k1["org_id"], k1["rm_id"]) == ("F", "上海市", "B01S01", "S001")
    assert k1["has_rm"] is True and k2["has_rm"] is False
    assert k1["income_band"] == "10-30万"


def test_assets_today_and_by_category(bank):
    k1 = bank["K1"]
    assert k1["aum"] == 200_000  # 40,000 demand + 100,000 time deposit + 60,000 wealth (valued on D)
    assert (k1["aum_demand_deposit"], k1["aum_time_deposit"], k1["aum_wealth"]) == (40_000, 100_000, 60_000)
    assert k1["aum_fund"] == 0 and k1["aum_insurance"] == 0
    assert k1["investment_share"] == pytest.approx(0.3)
    assert k1["aum_change_30d"] == 30_000  # on Oct 1: 20,000 + 100,000 + 50,000
    assert bank["K5"]["aum"] == 0 and bank["K5"]["investment_share"] is None


def test_monthly_average_daily_aum_weights_by_days(bank):
    k1 = bank["K1"]
    assert k1["aum_mad_demand_deposit"] == pytest.approx((10 * 20_000 + 21 * 40_000) / 31)
    assert k1["aum_mad_wealth"] == pytest.approx((30 * 50_000 + 60_000) / 31)
    assert k1["aum_mad_time_deposit"] == pytest.approx(100_000)
    october = (10 * 20_000 + 21 * 40_000) / 31 + 100_000 + (30 * 50_000 + 60_000) / 31
    assert k1["aum_mad"] == pytest.approx(october)
    assert k1["aum_mad_prev_month"] == pytest.approx(20_000 + 100_000 + 16 * 50_000 / 30)  # September
    july = (15 * 10_000 + 16 * 20_000) / 31 + 100_000
    assert k1["aum_mad_3m_ago"] == pytest.approx(july)
    assert k1["aum_mad_6m_ago"] == 0  # April: nothing yet
    assert bank["K2"]["aum_mad"] == pytest.approx(1_000)


def test_trends_and_six_month_maximum(bank):
    k1, k3 = bank["K1"], bank["K3"]
    october = (10 * 20_000 + 21 * 40_000) / 31 + 100_000 + (30 * 50_000 + 60_000) / 31
    july = (15 * 10_000 + 16 * 20_000) / 31 + 100_000
    assert k1["aum_trend_3m"] == pytest.approx(october / july - 1)
    assert k1["aum_trend_6m"] is None  # nothing six months ago: no trend rather than infinity
    assert k1["aum_max_6m"] == pytest.approx(october)  # the highest month of May..October
    assert k3["aum_trend_3m"] == pytest.approx(0) and k3["aum_trend_6m"] == pytest.approx(0)
    assert k3["aum_max_6m"] == pytest.approx(500)


def test_liabilities(bank):
    k1, k2 = bank["K1"], bank["K2"]
    assert k2["loan_balance"] == 48_000 and k2["loan_count"] == 1 and k2["has_loan"] is True
    assert k2["net_assets"] == 1_000 - 48_000
    # The card exports no balances: 30 days' debits 3,000 - credits 1,000.
    assert k1["card_balance"] == 2_000 and k1["card_limit"] == 20_000
    assert k1["card_utilisation"] == pytest.approx(0.1)
    assert k1["net_assets"] == 200_000 - 2_000
    assert k2["card_utilisation"] is None and k1["has_loan"] is False


def test_holdings(bank):
    k1, k2, k5 = bank["K1"], bank["K2"], bank["K5"]
    assert (k1["product_count"], k1["account_count"], k1["category_count"]) == (4, 4, 4)
    held = {
        c for c in ("demand_deposit", "time_deposit", "wealth", "fund", "insurance", "loan", "credit_card")
    }
    assert {c for c in held if k1[f"holds_{c}"]} == {
        "demand_deposit",
        "time_deposit",
        "wealth",
        "credit_card",
    }
    assert {c for c in held if k2[f"holds_{c}"]} == {"demand_deposit", "loan"}
    assert k1["td_maturing_30d"] == 100_000 and k1["td_maturing_30d_count"] == 1
    assert k1["max_product_risk"] == 4
    assert k1["days_since_last_account_open"] == 46  # wealth account opened Sep 15
    assert k5["product_count"] == 0 and k5["max_product_risk"] is None


def test_transaction_windows(bank):
    k1 = bank["K1"]
    assert (k1["txn_count_30d"], k1["txn_count_90d"], k1["txn_count_180d"]) == (6, 10, 11)
    assert (k1["txn_in_amount_30d"], k1["txn_out_amount_30d"]) == (16_000, 70_000)
    assert (k1["txn_in_amount_90d"], k1["txn_out_amount_90d"]) == (46_010, 70_500)
    assert (k1["txn_in_amount_180d"], k1["txn_out_amount_180d"]) == (66_010, 70_500)
    assert (k1["txn_in_count_30d"], k1["txn_out_count_30d"]) == (2, 4)
    assert k1["net_flow_30d"] == -54_000 and k1["net_flow_90d"] == -24_490


def test_transactions_by_channel_and_kind(bank):
    k1 = bank["K1"]
    channels = {c: k1[f"txn_count_{c}_90d"] for c in ("mobile", "online", "counter", "atm", "pos", "api")}
    assert channels == {"mobile": 1, "online": 1, "counter": 0, "atm": 1, "pos": 3, "api": 4}
    assert (k1["purchase_count_30d"], k1["purchase_amount_30d"], k1["purchase_amount_90d"]) == (
        1,
        3_000,
        3_500,
    )
    assert k1["card_spend_30d"] == 3_000
    assert (k1["cash_withdrawal_amount_90d"], k1["cash_deposit_amount_90d"]) == (2_000, 0)
    assert (k1["transfer_in_amount_90d"], k1["transfer_out_amount_90d"]) == (0, 65_000)
    assert k1["repayment_amount_90d"] == 1_000  # the card repayment
    assert (k1["interest_amount_90d"], k1["fee_amount_90d"]) == (10, 0)
    assert (k1["salary_credits_90d"], k1["salary_amount_90d"]) == (3, 45_000)
    assert k1["max_txn_amount_90d"] == 60_000


def test_large_transfers_to_other_banks(bank):
    k1 = bank["K1"]
    # 60,000 to 招商银行 counts; 5,000 to this bank (本行) does not.
    assert k1["large_transfer_out_other_bank_30d"] == 1
    assert k1["large_transfer_out_other_bank_amount_30d"] == 60_000
    assert k1["transfer_out_other_bank_amount_30d"] == 60_000


def test_channel_activity(bank):
    k1, k2 = bank["K1"], bank["K2"]
    assert (k1["app_logins_7d"], k1["app_logins_30d"], k1["app_logins_90d"]) == (1, 2, 3)
    assert k1["days_since_last_login"] == 1 and k2["days_since_last_login"] is None
    assert (k1["product_views_30d"], k1["product_views_90d"], k1["investment_views_30d"]) == (2, 3, 1)
    assert (k1["app_searches_30d"], k1["app_purchases_30d"]) == (1, 1)
    assert k1["digital_txn_share_90d"] == pytest.approx(0.2)  # MOB + NET of 10
    assert k1["has_wecom"] is True and k2["has_wecom"] is False


def test_lifecycle(bank):
    k1, k2, k3, k5 = (bank[k] for k in ("K1", "K2", "K3", "K5"))
    assert k2["tenure_days"] == 60 and k2["is_new_customer"] is True and k1["is_new_customer"] is False
    assert k1["days_since_last_txn"] == 1  # the ATM withdrawal on Oct 30
    assert k3["days_since_last_txn"] == 244  # interest does not count; the cash of Mar 1 does
    assert k1["is_dormant"] is False
    assert k3["is_dormant"] is True and k5["is_dormant"] is True
    assert k2["is_dormant"] is False  # no transaction yet, but a customer for only 60 days
    assert k1["customer_status"] == "A"


def test_value_scores_follow_the_tie_rule(bank):
    scores = {
        k: (r["rfm_recency"], r["rfm_frequency"], r["rfm_monetary"], r["rfm_score"]) for k, r in bank.items()
    }
    # Four customers: rank 1 -> 5, rank 2 -> 5 - floor(5/4) = 4, rank 3 -> 5 - floor(10/4) = 3,
    # rank 4 -> 2. K2 and K5 tie (never transacted) and share rank 3.
    assert scores == {"K1": (5, 5, 5, 15), "K2": (3, 3, 4, 10), "K3": (4, 4, 3, 11), "K5": (3, 3, 2, 8)}
    percentiles = {k: r["aum_percentile"] for k, r in bank.items()}
    assert percentiles == pytest.approx({"K5": 0, "K3": 1 / 3, "K2": 2 / 3, "K1": 1})


def test_risk(bank):
    k1, k2, k3 = bank["K1"], bank["K2"], bank["K3"]
    assert k1["risk_level"] == 3 and k1["risk_assessed_on"] == date(2025, 10, 31)
    assert k1["risk_assessment_expired"] is True  # exactly one year old
    assert k3["risk_assessment_expired"] is False and k3["risk_assessment_age_days"] == 244
    assert k2["risk_level"] is None and k2["risk_assessment_expired"] is None
    assert k1["is_senior"] is True and k2["is_senior"] is False
    assert k1["holds_above_risk_level"] is True  # an R4 wealth product at C3
    assert k3["holds_above_risk_level"] is False
    assert k1["cross_border_txn_90d"] == 1 and k1["large_cash_txn_30d"] == 0


def test_consent(bank):
    k1, k2 = bank["K1"], bank["K2"]
    assert k1["consent_marketing_sms"] is True
    assert k1["consent_marketing_app"] is True  # the later grant on the app record wins
    assert k1["consent_marketing_wecom"] is False  # a refusal wins a tie
    assert k1["consent_marketing_call"] is False  # granted only after as_of
    assert k1["consent_marketing_email"] is False  # never asked
    assert k1["marketing_channels_granted"] == 2
    assert k1["consent_profiling"] is True and k1["consent_data_sharing"] is False
    assert not any(k2[f"consent_marketing_{c}"] for c in ("sms", "app", "wecom", "call", "email"))


def test_recomputing_a_day_gives_the_same_snapshot(engine, bank):
    compute_features(engine, AS_OF)
    assert features_by_customer(engine) == bank
