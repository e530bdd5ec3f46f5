"""The catalog, the published schema, and the SQL itself: one statement, portable to Spark via sqlglot."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest
import sqlglot

from kequn.core.errors import NotFound
from kequn.features import FEATURES, GROUPS, FeatureSettings, compute_features, feature, features_sql
from kequn.features.catalog import DTYPES
from tests import feature_bank
from tests.feature_bank import AS_OF, features_by_customer

GUARANTEED = [
    "age",
    "gender",
    "city",
    "org_id",
    "rm_id",
    "risk_level",
    "tenure_days",
    "aum",
    "aum_mad",
    "aum_mad_prev_month",
    "aum_trend_3m",
    "aum_trend_6m",
    "aum_max_6m",
    "loan_balance",
    "card_balance",
    "card_utilisation",
    "product_count",
    "td_maturing_30d",
    "txn_count_30d",
    "txn_in_amount_30d",
    "txn_out_amount_30d",
    "net_flow_30d",
    "salary_credits_90d",
    "large_transfer_out_other_bank_30d",
    "app_logins_7d",
    "app_logins_30d",
    "app_logins_90d",
    "days_since_last_login",
    "product_views_30d",
    "days_since_last_txn",
    "is_dormant",
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_score",
    "risk_assessment_expired",
    "consent_marketing_sms",
    "consent_marketing_app",
    "consent_marketing_wecom",
    "consent_marketing_call",
] + [
    f"aum{mad}_{c}"
    for mad in ("", "_mad")
    for c in ("demand_deposit", "time_deposit", "wealth", "fund", "insurance")
]
ARROW_TYPES = {
    "number": pa.float64(),
    "integer": pa.int64(),
    "string": pa.string(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}


def test_catalog_is_complete_and_bilingual():
    names = [f.name for f in FEATURES]
    assert len(names) >= 80 and len(set(names)) == len(names)
    assert set(GUARANTEED) <= set(names)
    assert {f.group for f in FEATURES} == set(GROUPS)
    for f in FEATURES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.name), f.name
        assert f.dtype in DTYPES and f.name_en and len(f.description) > 10, f.name
        assert f.unit in ("CNY", "days", "count", "years", "ratio", "score", "level", ""), f.name
        assert re.search(r"[\u4e00-\u9fff]", f.name_zh), f.name


def test_feature_lookup_suggests_a_near_name():
    assert feature("aum_mad").unit == "CNY"
    with pytest.raises(NotFound, match="did you mean 'aum_mad'"):
        feature("aum_mda")


def test_published_columns_follow_the_catalog_with_its_types(engine):
    feature_bank.build(engine)
    compute_features(engine, AS_OF)
    engine.use_snapshot("features", AS_OF, alias="published")
    schema = engine.query("SELECT * EXCLUDE (as_of) FROM published LIMIT 0").schema
    assert schema.names == ["customer_id"] + [f.name for f in FEATURES]
    mismatched = [f.name for f in FEATURES if schema.field(f.name).type != ARROW_TYPES[f.dtype]]
    assert mismatched == []


def test_one_statement_gives_what_the_steps_give(engine):
    feature_bank.build(engine)
    compute_features(engine, AS_OF)
    stepwise = features_by_customer(engine)
    rows = engine.query(f"SELECT * FROM ({features_sql(AS_OF)}) f ORDER BY customer_id").to_pylist()
    assert {r["customer_id"]: r for r in rows} == stepwise


# DuckDB-only syntax or functions that must not survive transpilation to Spark SQL.
DUCKDB_ONLY = (r"::", r"\bQUALIFY\b", r"\bASOF\b", r"\bRANGE\s*\(", r"\bLIST_", r"\bSTRUCT_PACK\b",
               r"\bEPOCH", r"\bARG_MAX\b", r"\bDATE_DIFF\s*\(", r"\bSTRFTIME\b", r"\bEXCLUDE\b",
               r"\bGROUP BY ALL\b")  # fmt: skip


def test_the_sql_transpiles_to_spark_without_duckdb_only_constructs():
    spark = sqlglot.transpile(features_sql(AS_OF), read="duckdb", write="spark")
    assert len(spark) == 1
    found = [p for p in DUCKDB_ONLY if re.search(p, spark[0], re.IGNORECASE)]
    assert found == []
    assert sqlglot.parse_one(spark[0], read="spark") is not None  # valid Spark SQL to sqlglot too
    assert "DATEDIFF(DAY," in spark[0]  # date_diff('day', a, b) -> Spark's DATEDIFF(DAY, a, b)


def test_a_bank_without_app_or_consent_sources_still_gets_every_feature(engine):
    for name, sql in feature_bank.tables().items():
        if name not in ("app_event", "consent"):
            engine.write_snapshot(name, AS_OF, sql)
    compute_features(engine, AS_OF)
    k1 = features_by_customer(engine)["K1"]
    assert k1["app_logins_30d"] == 0 and k1["days_since_last_login"] is None
    assert k1["consent_marketing_sms"] is False and k1["aum"] == 200_000


def test_thresholds_are_settings(engine):
    feature_bank.build(engine)
    compute_features(engine, AS_OF, settings=FeatureSettings(large_transfer_amount=70_000))
    assert features_by_customer(engine)["K1"]["large_transfer_out_other_bank_30d"] == 0


def test_progress_reports_each_step(engine):
    feature_bank.build(engine)
    phases: list[str] = []
    assert compute_features(engine, AS_OF, phases.append) == 4
    assert phases[0] == "inputs" and phases[-1] == "publish" and "account txn" in phases


def test_every_feature_is_documented():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "features.md").read_text(encoding="utf-8")
    assert [f.name for f in FEATURES if f"`{f.name}`" not in page] == []
