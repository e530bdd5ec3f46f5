"""ground_truth/: the answers a pipeline or model is evaluated against, and the consents file."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from kequn.demo.generator.app import OFFERED
from kequn.demo.generator.arrays import concat, dates, digits, fmt_times, pick
from kequn.demo.generator.context import DAY, BankContext
from kequn.demo.generator.people import CHURN_REASONS, People

OFFERS = ("wealth_trial_bonus", "credit_limit_raise", "cd_rate_coupon")
PURPOSES = ("marketing", "data_sharing", "profiling")
CONSENT_CHANNELS = ("sms", "phone", "wecom", "app_push", "email")
CONSENT_SOURCES = ("app", "branch", "wecom", "call_center")


def person_links(source: str, key: pa.Array, person_id: pa.Array) -> pa.Table:
    return pa.table({"source": pa.array([source] * len(key)), "source_key": key, "person_id": person_id})


def intents(ctx: BankContext, chunk: int, people: People) -> np.ndarray:
    """Index into OFFERED of the product a person will buy after as_of (-1: none)."""
    rng = ctx.rng("intent", chunk)
    n = len(people)
    buys = (rng.random(n) < np.where(people.has_app, 0.04, 0.01)) & (people.status == 0)
    safe = rng.integers(0, len(OFFERED), n)
    return np.where(buys, safe, -1)


def purchases(
    ctx: BankContext, chunk: int, people: People, cust_no: pa.Array, intent: np.ndarray
) -> pa.Table:
    rng = ctx.rng("purchases", chunk)
    who = np.flatnonzero(intent >= 0)
    return pa.table(
        {
            "person_id": people.person_id.take(pa.array(who)),
            "cust_no": cust_no.take(pa.array(who)),
            "prod_code": pick(OFFERED, intent[who]),
            "purchase_date": dates(ctx.end + rng.integers(1, 31, len(who)) * DAY),
        }
    )


def attrition(people: People, cust_no: pa.Array) -> pa.Table:
    who = np.flatnonzero(people.churner)
    return pa.table(
        {
            "person_id": people.person_id.take(pa.array(who)),
            "cust_no": cust_no.take(pa.array(who)),
            "churn_date": dates(people.churn_day[who]),
            "reason": pick(CHURN_REASONS, people.churn_reason[who]),
        }
    )


def offer_responses(ctx: BankContext, chunk: int, people: People, cust_no: pa.Array) -> pa.Table:
    """True response probabilities with and without the offer; the uplift depends on who you are
    (young app users respond, wealthy older customers barely, some future churners are put off)."""
    rng = ctx.rng("offers", chunk)
    who = np.flatnonzero((rng.random(len(people)) < 0.3) & (people.status == 0))
    age, aum = people.age[who], people.aum[who]
    app = people.has_app[who].astype(float)
    base = -3.2 + 0.25 * np.log10(aum + 1) + 0.4 * app
    p_control = 1 / (1 + np.exp(-base))
    uplift = 0.09 * (age < 40) + 0.05 * app - 0.03 * (aum > 1e6) - 0.06 * people.churner[who]
    uplift = uplift + rng.normal(0, 0.01, len(who))
    p_treated = np.clip(p_control + uplift, 0.001, 0.999)
    return pa.table(
        {
            "person_id": people.person_id.take(pa.array(who)),
            "cust_no": cust_no.take(pa.array(who)),
            "offer": pick(OFFERS, rng.integers(0, len(OFFERS), len(who))),
            "p_control": pa.array(np.round(p_control, 4)),
            "p_treated": pa.array(np.round(p_treated, 4)),
        }
    )


def consents(ctx: BankContext, chunk: int, cust_no: pa.Array) -> pa.Table:
    """Per customer, the (purpose, channel) pairs they were asked about: PIPL consent is per purpose
    and per channel (DOMAIN.md §3)."""
    rng = ctx.rng("consents", chunk)
    n, pairs = len(cust_no), len(PURPOSES) * len(CONSENT_CHANNELS)
    asked = rng.random((n, pairs)) < 0.3
    cust, pair = np.nonzero(asked)
    m = len(cust)
    purpose = pair // len(CONSENT_CHANNELS)
    granted = rng.random(m) < np.array([0.6, 0.35, 0.5])[purpose]
    when = ctx.end.astype("datetime64[s]") - rng.integers(0, 3 * 365 * 86400, m).astype("timedelta64[s]")
    return pa.table(
        {
            "cust_no": cust_no.take(pa.array(cust)),
            "purpose": pick(PURPOSES, purpose),
            "channel": pick(CONSENT_CHANNELS, pair % len(CONSENT_CHANNELS)),
            "granted": pa.array(np.where(granted, "Y", "N")),
            "updated_at": fmt_times(when, "%Y-%m-%dT%H:%M:%S+08:00"),
            "source": pick(CONSENT_SOURCES, rng.integers(0, len(CONSENT_SOURCES), m)),
        }
    )


def aml_cases(
    people: People, cust_no: pa.Array, person_pos, pattern_names, case_pattern, case_ids, txn_case, first_id
) -> pa.Table:
    """One row per planted case with the ids of its transactions (``;``-separated)."""
    from kequn.demo.generator.ledger import txn_ids

    rows = np.flatnonzero(txn_case >= 0)
    ids = np.array(txn_ids(first_id, len(txn_case)).take(pa.array(rows)).to_pylist())
    by_case = np.argsort(txn_case[rows], kind="stable")
    sorted_case = txn_case[rows][by_case]
    bounds = np.searchsorted(sorted_case, case_ids)
    ends = np.searchsorted(sorted_case, case_ids, side="right")
    joined = [";".join(ids[by_case][a:b]) for a, b in zip(bounds, ends, strict=True)]  # one per case
    return pa.table(
        {
            "person_id": people.person_id.take(pa.array(person_pos)),
            "cust_no": cust_no.take(pa.array(person_pos)),
            "pattern": pick(pattern_names, case_pattern),
            "txn_ids": pa.array(joined, pa.string()),
        }
    )


__all__ = ["concat", "digits"]
