"""One SQL expression per catalog feature, over the per-customer steps (see steps.py).

The base projection reads ``f_customer c`` joined with ``f_customer_account x``, ``f_customer_txn t``,
``f_app p`` and ``f_consent s``. Money arrives as whole cents (exact DOUBLE sums) and leaves as CNY
DOUBLE; counts become BIGINT. The value group (RFM, percentile)
ranks the whole base: it is computed first, on a narrow projection of the same expressions.
"""

from __future__ import annotations

from kequn.features.catalog import ASSET_CATEGORY_NAMES, CHANNEL_NAMES, CONSENT_CHANNELS, HELD_CATEGORY_NAMES
from kequn.features.steps import FeatureSettings
from kequn.features.window import Windows, date_sql, ts_sql

VALUE_FEATURES = ("rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_score", "aum_percentile")


def money(cents: str) -> str:
    """CNY from whole cents (the steps sum money as cents, see steps.account_balances)."""
    return f"coalesce({cents}, 0) / 100"


def count(expr: str) -> str:
    return f"CAST(coalesce({expr}, 0) AS BIGINT)"


def days_since(day: str, w: Windows) -> str:
    return f"date_diff('day', {day}, {date_sql(w.as_of)})"


def ratio(numerator: str, denominator: str) -> str:
    """numerator / denominator as DOUBLE; NULL when the denominator is not positive."""
    return f"CASE WHEN {denominator} > 0 THEN CAST({numerator} AS DOUBLE) / CAST({denominator} AS DOUBLE) END"


def mad(cent_days: str, days: int) -> str:
    return f"coalesce({cent_days}, 0) / {100 * days}"


def age(w: Windows) -> str:
    d = w.as_of
    birthday_to_come = (
        f"CASE WHEN month(c.birth_date) > {d.month}"
        f" OR (month(c.birth_date) = {d.month} AND day(c.birth_date) > {d.day}) THEN 1 ELSE 0 END"
    )
    return f"{d.year} - year(c.birth_date) - {birthday_to_come}"


def _demographics(w: Windows, s: FeatureSettings) -> dict[str, str]:
    cols = {"age": age(w)}
    for name in ("gender", "city", "org_id", "rm_id", "occupation", "education", "marital", "income_band"):
        cols[name] = f"c.{name}"
    cols["has_rm"] = "c.rm_id IS NOT NULL"
    return cols


def _trend(w: Windows, back: int) -> str:
    now, then = w.month(0).days, w.month(back).days
    return (
        f"CASE WHEN x.bd_m{back} > 0 THEN (CAST(x.bd_m0 AS DOUBLE) / {now})"
        f" / (CAST(x.bd_m{back} AS DOUBLE) / {then}) - 1 END"
    )


def _assets(w: Windows) -> dict[str, str]:
    cols = {"aum": money("x.bal_today")}
    cols |= {f"aum_{c}": money(f"x.bal_{c}") for c in ASSET_CATEGORY_NAMES}
    cols["aum_mad"] = mad("x.bd_m0", w.month(0).days)
    cols |= {f"aum_mad_{c}": mad(f"x.bd_{c}", w.month(0).days) for c in ASSET_CATEGORY_NAMES}
    for suffix, back in (("prev_month", 1), ("3m_ago", 3), ("6m_ago", 6)):
        cols[f"aum_mad_{suffix}"] = mad(f"x.bd_m{back}", w.month(back).days)
    cols["aum_trend_3m"] = _trend(w, 3)
    cols["aum_trend_6m"] = _trend(w, 6)
    cols["aum_max_6m"] = f"greatest({', '.join(mad(f'x.bd_m{k}', w.month(k).days) for k in range(6))})"
    cols["aum_change_30d"] = money("coalesce(x.bal_today, 0) - coalesce(x.bal_30d_ago, 0)")
    invested = " + ".join(f"coalesce(x.bal_{c}, 0)" for c in ("wealth", "fund", "insurance"))
    cols["investment_share"] = ratio(invested, "x.bal_today")
    return cols


CARD_BALANCE = "coalesce(x.card_exported_balance, 0) + coalesce(t.card_estimate, 0)"


def _liabilities() -> dict[str, str]:
    owed = f"coalesce(x.loan_balance, 0) + {CARD_BALANCE}"
    return {
        "loan_balance": money("x.loan_balance"),
        "loan_count": count("x.loan_count"),
        "has_loan": "coalesce(x.loan_count, 0) > 0",
        "card_limit": money("x.card_limit"),
        "card_balance": money(CARD_BALANCE),
        "card_utilisation": ratio(CARD_BALANCE, "x.card_limit"),
        "net_assets": money(f"coalesce(x.bal_today, 0) - ({owed})"),
    }


def _holdings(w: Windows) -> dict[str, str]:
    cols = {
        "product_count": count("x.product_count"),
        "account_count": count("x.account_count"),
        "category_count": "CAST("
        + " + ".join(f"CASE WHEN x.open_{c} > 0 THEN 1 ELSE 0 END" for c in HELD_CATEGORY_NAMES)
        + " AS BIGINT)",
    }
    cols |= {f"holds_{c}": f"coalesce(x.open_{c}, 0) > 0" for c in HELD_CATEGORY_NAMES}
    cols |= {
        "td_maturing_30d": money("x.td_maturing"),
        "td_maturing_30d_count": count("x.td_maturing_n"),
        "max_product_risk": "CAST(x.max_risk AS BIGINT)",
        "days_since_last_account_open": days_since("x.last_open", w),
    }
    return cols


def _transactions() -> dict[str, str]:
    cols: dict[str, str] = {}
    for n in (30, 90, 180):
        cols[f"txn_count_{n}d"] = count(f"t.n{n}")
        cols[f"txn_in_amount_{n}d"] = money(f"t.in{n}")
        cols[f"txn_out_amount_{n}d"] = money(f"t.out{n}")
    cols["txn_in_count_30d"] = count("t.nin30")
    cols["txn_out_count_30d"] = count("t.nout30")
    for n in (30, 90):
        cols[f"net_flow_{n}d"] = money(f"coalesce(t.in{n}, 0) - coalesce(t.out{n}, 0)")
    cols |= {f"txn_count_{k}_90d": count(f"t.ch_{k}") for k in CHANNEL_NAMES}
    cols |= {
        "purchase_count_30d": count("t.pur_n30"),
        "purchase_amount_30d": money("t.pur30"),
        "purchase_amount_90d": money("t.pur90"),
        "card_spend_30d": money("t.card_spend30"),
        "cash_withdrawal_amount_90d": money("t.cash_out90"),
        "cash_deposit_amount_90d": money("t.cash_in90"),
        "transfer_in_amount_90d": money("t.trf_in90"),
        "transfer_out_amount_90d": money("t.trf_out90"),
        "repayment_amount_90d": money("coalesce(t.rep_out90, 0) + coalesce(t.card_rep_in90, 0)"),
        "interest_amount_90d": money("t.int90"),
        "fee_amount_90d": money("t.fee90"),
        "salary_credits_90d": count("t.sal_n90"),
        "salary_amount_90d": money("t.sal90"),
        "large_transfer_out_other_bank_30d": count("t.lto_n30"),
        "large_transfer_out_other_bank_amount_30d": money("t.lto30"),
        "transfer_out_other_bank_amount_30d": money("t.oto30"),
        "max_txn_amount_90d": money("t.max90"),
    }
    return cols


def _channel(w: Windows) -> dict[str, str]:
    return {
        "app_logins_7d": count("p.logins7"),
        "app_logins_30d": count("p.logins30"),
        "app_logins_90d": count("p.logins90"),
        "days_since_last_login": days_since("CAST(p.last_login AS DATE)", w),
        "product_views_30d": count("p.views30"),
        "product_views_90d": count("p.views90"),
        "investment_views_30d": count("p.inv_views30"),
        "app_searches_30d": count("p.searches30"),
        "app_purchases_30d": count("p.purchases30"),
        "digital_txn_share_90d": ratio("coalesce(t.ch_mobile, 0) + coalesce(t.ch_online, 0)", "t.n90"),
        "has_wecom": "c.wecom_id IS NOT NULL",
    }


def _lifecycle(w: Windows, s: FeatureSettings) -> dict[str, str]:
    recent = ts_sql(w.days_start(s.dormant_days))
    seasoned = date_sql(w.days_ago(s.dormant_days))
    return {
        "tenure_days": days_since("c.opened_on", w),
        "is_new_customer": f"{days_since('c.opened_on', w)} < {s.new_customer_days}",
        "customer_status": "c.status",
        "days_since_last_txn": days_since("CAST(t.last_active AS DATE)", w),
        "is_dormant": f"CASE WHEN t.last_active >= {recent} THEN FALSE"
        f" WHEN c.opened_on > {seasoned} THEN FALSE ELSE TRUE END",
    }


def _risk(w: Windows, s: FeatureSettings) -> dict[str, str]:
    return {
        "risk_level": "CAST(c.risk_level AS BIGINT)",
        "risk_assessed_on": "c.risk_assessed_on",
        "risk_assessment_age_days": days_since("c.risk_assessed_on", w),
        "risk_assessment_expired": f"c.risk_assessed_on <= {date_sql(w.one_year_ago)}",
        "is_senior": f"{age(w)} >= {s.senior_age}",
        "holds_above_risk_level": "x.max_risk > c.risk_level",
        "large_cash_txn_30d": count("t.lcash_n30"),
        "cross_border_txn_90d": count("t.xb_n90"),
    }


def _consent() -> dict[str, str]:
    cols = {f"consent_marketing_{k}": f"coalesce(s.mkt_{k}, FALSE)" for k in CONSENT_CHANNELS}
    granted = " + ".join(f"CASE WHEN s.mkt_{k} THEN 1 ELSE 0 END" for k in CONSENT_CHANNELS)
    cols["marketing_channels_granted"] = f"CAST({granted} AS BIGINT)"
    cols["consent_profiling"] = "coalesce(s.profiling, FALSE)"
    cols["consent_data_sharing"] = "coalesce(s.data_sharing, FALSE)"
    return cols


def base_columns(w: Windows, s: FeatureSettings) -> dict[str, str]:
    """Feature name -> expression for every feature outside the value group."""
    return (
        _demographics(w, s)
        | _assets(w)
        | _liabilities()
        | _holdings(w)
        | _transactions()
        | _channel(w)
        | _lifecycle(w, s)
        | _risk(w, s)
        | _consent()
    )


def quintile(order: str) -> str:
    """Score 5 (best) to 1 by quintile; ``order`` puts the best values first. Ties share the best rank."""
    return f"CAST(5 - floor(5 * (rank() OVER (ORDER BY {order}) - 1) / count(*) OVER ()) AS BIGINT)"


def value_columns(base: dict[str, str]) -> dict[str, str]:
    """Value features, ranking the base expressions of ``base`` (rfm_score is added over these)."""
    return {
        "rfm_recency": quintile(f"{base['days_since_last_txn']} ASC NULLS LAST"),
        "rfm_frequency": quintile(f"{base['txn_count_90d']} DESC"),
        "rfm_monetary": quintile(f"{base['aum_mad']} DESC"),
        "aum_percentile": f"CAST(percent_rank() OVER (ORDER BY {base['aum_mad']} ASC) AS DOUBLE)",
    }
