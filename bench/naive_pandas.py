"""The features as a pandas user would compute them: merge the frames, then groupby(...).apply per customer.

This is the baseline bench_daily.py measures kequn against. It follows the same definitions as the
catalog (windows ending on as_of, balances held until the next row, whole-month averages, RFM by
quintile with ties on the best rank) for a representative subset covering every feature group, so the
bench can also check that both give the same numbers.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from kequn.features.window import Windows

ASSETS = ("demand_deposit", "time_deposit", "wealth", "fund", "insurance")
CHANNELS = {"mobile": "MOB", "online": "NET", "counter": "CNT", "atm": "ATM", "pos": "POS", "api": "API"}


def _ts(day: date) -> pd.Timestamp:
    return pd.Timestamp(day)


def prepare(t: dict[str, pd.DataFrame], as_of: date) -> dict[str, pd.DataFrame]:
    """Attach customer ids to the facts and cut everything at as_of (the merges a pandas user writes)."""
    d = _ts(as_of)
    link = t["source_link"][["source", "source_key", "customer_id"]]
    acct = t["account"].merge(link, left_on=["party_source", "party_key"], right_on=["source", "source_key"])
    acct = acct.merge(t["product"][["product_id", "category", "risk_rating"]], on="product_id", how="left")
    acct = acct[acct["opened_on"].isna() | (pd.to_datetime(acct["opened_on"]) <= d)].copy()
    closed = pd.to_datetime(acct["closed_on"])
    acct["is_open"] = np.where(closed.notna(), closed > d, acct["status"] != "C")
    keys = acct[["account_id", "customer_id", "category"]]
    bal = t["balance"].merge(keys, on="account_id")
    bal["day"] = pd.to_datetime(bal["day"])
    bal = bal[bal["day"] <= d]
    txn = t["txn"].merge(keys, on="account_id")
    txn = txn[txn["ts"] < d + timedelta(days=1)]
    events = t["app_event"].merge(
        link, left_on=["party_source", "party_key"], right_on=["source", "source_key"]
    )
    events = events[events["ts"] < d + timedelta(days=1)]
    consent = t["consent"].merge(
        link, left_on=["party_source", "party_key"], right_on=["source", "source_key"]
    )
    consent = consent[consent["updated_at"].isna() | (consent["updated_at"] < d + timedelta(days=1))]
    customers = t["customer"][
        t["customer"]["opened_on"].isna() | (pd.to_datetime(t["customer"]["opened_on"]) <= d)
    ]
    return {
        "customer": customers,
        "account": acct,
        "balance": bal,
        "txn": txn,
        "app": events,
        "consent": consent,
    }


def balance_features(g: pd.DataFrame, w: Windows) -> pd.Series:
    """One customer's balance rows: spans per account, then amounts and monthly averages."""
    g = g.sort_values(["account_id", "day"])
    nxt = g.groupby("account_id")["day"].shift(-1).fillna(_ts(w.next_day))
    bal = g["balance"].astype(float)
    out: dict[str, float] = {}
    today, ago = _ts(w.as_of), _ts(w.days_ago(30))
    holds = (g["day"] <= today) & (nxt > today)
    is_asset = g["category"].isin(ASSETS)
    out["aum"] = bal[holds & is_asset].sum()
    for cat in ASSETS:
        out[f"aum_{cat}"] = bal[holds & (g["category"] == cat)].sum()
    out["aum_change_30d"] = out["aum"] - bal[(g["day"] <= ago) & (nxt > ago) & is_asset].sum()
    out["loan_balance"] = bal[holds & (g["category"] == "loan")].sum()
    out["card_exported"] = bal[holds & (g["category"] == "credit_card")].sum()
    mads = []
    for back in range(7):
        m = w.month(back)
        start, end = _ts(m.start), _ts(m.end)
        days = (np.minimum(nxt, end) - np.maximum(g["day"], start)).dt.days.clip(lower=0)
        mads.append((bal * days)[is_asset].sum() / m.days)
        if back == 0:
            for cat in ASSETS:
                out[f"aum_mad_{cat}"] = (bal * days)[g["category"] == cat].sum() / m.days
    out["aum_mad"], out["aum_mad_prev_month"] = mads[0], mads[1]
    out["aum_mad_3m_ago"], out["aum_mad_6m_ago"] = mads[3], mads[6]
    out["aum_trend_3m"] = mads[0] / mads[3] - 1 if mads[3] > 0 else np.nan
    out["aum_trend_6m"] = mads[0] / mads[6] - 1 if mads[6] > 0 else np.nan
    out["aum_max_6m"] = max(mads[:6])
    return pd.Series(out)


def txn_features(g: pd.DataFrame, w: Windows) -> pd.Series:
    out: dict[str, float] = {}
    amount = g["amount"].astype(float)
    is_in, is_out = g["direction"] == "in", g["direction"] == "out"
    for n in (30, 90, 180):
        inside = g["ts"] >= _ts(w.days_start(n))
        out[f"txn_count_{n}d"] = inside.sum()
        out[f"txn_in_amount_{n}d"] = amount[inside & is_in].sum()
        out[f"txn_out_amount_{n}d"] = amount[inside & is_out].sum()
    in30, in90 = g["ts"] >= _ts(w.days_start(30)), g["ts"] >= _ts(w.days_start(90))
    out["net_flow_30d"] = out["txn_in_amount_30d"] - out["txn_out_amount_30d"]
    for name, code in CHANNELS.items():
        out[f"txn_count_{name}_90d"] = (in90 & (g["channel"] == code)).sum()
    purchase = (g["kind"] == "purchase") & is_out
    out["purchase_amount_90d"] = amount[in90 & purchase].sum()
    out["card_spend_30d"] = amount[in30 & purchase & (g["category"] == "credit_card")].sum()
    salary = in90 & (g["kind"] == "salary") & is_in
    out["salary_credits_90d"], out["salary_amount_90d"] = salary.sum(), amount[salary].sum()
    other_bank = (
        g["counterparty_bank"].notna() & (g["counterparty_bank"] != "") & (g["counterparty_bank"] != "本行")
    )
    large = in30 & (g["kind"] == "transfer") & is_out & other_bank & (amount >= 50_000)
    out["large_transfer_out_other_bank_30d"] = large.sum()
    active = g.loc[~g["kind"].isin(["interest", "fee"]), "ts"]
    out["days_since_last_txn"] = (_ts(w.as_of) - active.max().normalize()).days if len(active) else np.nan
    card = g[(g["category"] == "credit_card") & in30]
    owed = card["amount"].astype(float).where(card["direction"] == "out", -card["amount"].astype(float))
    out["card_estimate"] = max(owed.groupby(card["account_id"]).sum().clip(lower=0).sum(), 0.0)
    return pd.Series(out)


def holding_features(g: pd.DataFrame, w: Windows) -> pd.Series:
    open_ = g[g["is_open"]]
    maturity = pd.to_datetime(open_["maturity_on"])
    maturing = (
        (open_["category"] == "time_deposit")
        & (maturity > _ts(w.as_of))
        & (maturity <= _ts(w.days_after(30)))
    )
    out = {
        "product_count": open_["product_id"].nunique(),
        "account_count": len(open_),
        "td_maturing_30d_count": int(maturing.sum()),
        "card_limit": open_.loc[open_["category"] == "credit_card", "credit_limit"].astype(float).sum(),
        "max_product_risk": open_["risk_rating"].max(),
    }
    for cat in (*ASSETS, "loan", "credit_card"):
        out[f"holds_{cat}"] = bool((open_["category"] == cat).any())
    return pd.Series(out)


def app_features(g: pd.DataFrame, w: Windows) -> pd.Series:
    login = g[g["name"] == "login"]
    views = g[(g["name"] == "view_product") & (g["ts"] >= _ts(w.days_start(30)))]
    out = {f"app_logins_{n}d": int((login["ts"] >= _ts(w.days_start(n))).sum()) for n in (7, 30, 90)}
    out["days_since_last_login"] = (
        (_ts(w.as_of) - login["ts"].max().normalize()).days if len(login) else np.nan
    )
    out["product_views_30d"] = len(views)
    return pd.Series(out)


def consent_features(g: pd.DataFrame) -> pd.Series:
    out = {}
    for name, channel in (("sms", "sms"), ("app", "app_push"), ("wecom", "wecom"), ("call", "phone")):
        rows = g[(g["purpose"] == "marketing") & (g["channel"] == channel)]
        rows = rows.sort_values(["updated_at", "granted"], ascending=[False, True])
        out[f"consent_marketing_{name}"] = bool(rows["granted"].iloc[0]) if len(rows) else False
    return pd.Series(out)


def rfm(frame: pd.DataFrame) -> pd.DataFrame:
    n = len(frame)

    def score(values: pd.Series, best_first_ascending: bool) -> pd.Series:
        rank = values.rank(method="min", ascending=best_first_ascending, na_option="bottom")
        return (5 - np.floor(5 * (rank - 1) / n)).astype(int)

    frame["rfm_recency"] = score(frame["days_since_last_txn"], True)
    frame["rfm_frequency"] = score(frame["txn_count_90d"], False)
    frame["rfm_monetary"] = score(frame["aum_mad"], False)
    frame["rfm_score"] = frame["rfm_recency"] + frame["rfm_frequency"] + frame["rfm_monetary"]
    return frame


def naive_features(tables: dict[str, pd.DataFrame], as_of: date) -> pd.DataFrame:
    """Every customer's features, the groupby/apply way."""
    w = Windows(as_of)
    t = prepare(tables, as_of)
    parts = [
        t["balance"].groupby("customer_id").apply(balance_features, w),
        t["txn"].groupby("customer_id").apply(txn_features, w),
        t["account"].groupby("customer_id").apply(holding_features, w),
        t["app"].groupby("customer_id").apply(app_features, w),
        t["consent"].groupby("customer_id").apply(consent_features),
    ]
    cust = t["customer"].set_index("customer_id")
    frame = cust[["gender", "city", "rm_id"]].join(parts, how="left")
    birth = pd.to_datetime(cust["birth_date"])
    frame["age"] = as_of.year - birth.dt.year - ((birth.dt.month > as_of.month) | (
        (birth.dt.month == as_of.month) & (birth.dt.day > as_of.day))).astype(int)  # fmt: skip
    frame["tenure_days"] = (_ts(as_of) - pd.to_datetime(cust["opened_on"])).dt.days
    # Customers without rows in a frame: amounts and counts are 0, flags False, "days since" stays NaN.
    keep_missing = ("aum_trend_3m", "aum_trend_6m", "days_since_last_txn", "days_since_last_login")
    keep_missing += ("max_product_risk", "age", "tenure_days", "gender", "city", "rm_id")
    for col in frame.columns:
        if col.startswith(("holds_", "consent_")):
            frame[col] = frame[col].fillna(False).astype(bool)
        elif col not in keep_missing:
            frame[col] = frame[col].fillna(0)
    frame["card_balance"] = frame["card_exported"] + frame["card_estimate"]
    return rfm(frame)
