"""Segments on the Spark engine give what they give on DuckDB: members, counts, profile, overlap, refresh."""

from __future__ import annotations

import pytest

from kequn.engine import Warehouse
from kequn.engine.spark_engine import SparkEngine, spark_conf, start_session
from kequn.tags import segments as seg
from kequn.tags.segment_upload import parse_id_text
from tests.test_segments import D1, D2, write_base
from tests.test_segments_clustering import FEATURES, planted, write_planted

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    session = start_session(spark_conf())
    yield session
    session.stop()


@pytest.fixture
def engines(spark, engine, workspace):
    spark_engine = SparkEngine(Warehouse(workspace.warehouse), session=spark)
    yield engine, spark_engine, workspace.database_url
    spark_engine.close()


def _members(engine, url, segment_id, day):
    page = seg.segment_members(engine, url, segment_id, day, size=1000)
    return page["total"], page["items"]


def test_rule_static_and_overlap_agree(engines):
    duck, spark, url = engines
    write_base(duck, D1, 300, shift=0)
    write_base(duck, D2, 320, shift=11)
    rule = seg.create_rule_segment(
        duck,
        url,
        name_zh="规则",
        expression="aum_mad >= 300000 AND (is_senior OR tier = 'wealth')",
        owner="t",
    )
    ids = parse_id_text("\n".join(f"K{i:010d}" for i in range(0, 330, 3)))
    static = seg.create_static_segment(duck, url, name_zh="名单", ids=ids, owner="t")
    both = [rule.segment_id, static.segment_id]
    for s in both:  # on D1: the static list holds ids that are customers only from D2
        assert _members(spark, url, s, D1) == _members(duck, url, s, D1)
    assert seg.segment_overlap(spark, url, both, D2) == seg.segment_overlap(duck, url, both, D2)
    duck_profile = seg.segment_profile(duck, url, rule.segment_id, D1, top=100)
    spark_profile = seg.segment_profile(spark, url, rule.segment_id, D1, top=100)
    assert [f["field"] for f in spark_profile["fields"]] == [f["field"] for f in duck_profile["fields"]]
    for on_spark, on_duck in zip(spark_profile["fields"], duck_profile["fields"], strict=True):
        assert on_spark == _approx(on_duck), on_duck["field"]


def _approx(item: dict) -> dict:
    """The profile item with floats compared to 1e-4 (both engines round at 4 digits)."""
    out = {k: pytest.approx(v, abs=1e-4) if isinstance(v, float) else v for k, v in item.items()}
    if "values" in item:
        out["values"] = [_approx(v) for v in item["values"]]
    return out


def test_cluster_assignment_and_refresh_agree(engines):
    duck, spark, url = engines
    write_planted(duck, D1, planted(seed=3))
    clustered = seg.create_cluster_segment(duck, url, name_zh="聚类", features=FEATURES, owner="t")
    assert _members(spark, url, clustered.segment_id, D1) == _members(duck, url, clustered.segment_id, D1)
    rows = seg.refresh_segments(spark, D1, url)
    duck.use_snapshot("segment_members", D1, alias="sm")
    stored = duck.query("SELECT customer_id, cluster FROM sm ORDER BY customer_id").to_pylist()
    assert rows == len(stored) and stored == _members(duck, url, clustered.segment_id, D1)[1]
