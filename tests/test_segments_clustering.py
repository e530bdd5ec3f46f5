"""Clustering segments: planted clusters are found and named by the right features, deterministically."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from kequn.core.errors import UserInputError
from kequn.engine import Engine
from kequn.features.catalog import feature
from kequn.tags import clustering, segment_cluster
from kequn.tags import segments as seg

DAY = date(2024, 5, 31)
LATER = date(2024, 6, 30)
FEATURES = ["aum_mad", "txn_count_30d", "app_logins_30d", "is_dormant"]
GROUP_SIZE = 200  # per planted group


def planted(seed: int, offset: int = 0) -> pa.Table:
    """Three planted groups: rich traders (0), app natives (1), dormant small savers (2)."""
    rng = np.random.default_rng(seed)
    n = GROUP_SIZE
    aum = np.concatenate(
        [
            rng.lognormal(np.log(2e6), 0.3, n),
            rng.lognormal(np.log(3e4), 0.3, n),
            rng.lognormal(np.log(800), 0.3, n),
        ]
    )
    txn = np.concatenate([rng.poisson(60, n), rng.poisson(12, n), rng.poisson(0.3, n)])
    logins = np.concatenate([rng.poisson(2, n), rng.poisson(45, n), np.zeros(n, dtype=int)])
    dormant = np.repeat([False, False, True], n)
    ids = [f"K{i + offset:010d}" for i in range(3 * n)]
    return pa.table(
        {
            "customer_id": ids,
            "group": np.repeat([0, 1, 2], n),
            "aum": aum * 1.02,
            "aum_mad": aum,
            "txn_count_30d": txn.astype("int32"),
            "app_logins_30d": logins.astype("int32"),
            "is_dormant": dormant,
            "age": rng.integers(20, 80, 3 * n).astype("int32"),
        }
    )


def write_planted(engine: Engine, day: date, table: pa.Table) -> None:
    engine.register("planted_src", table)
    engine.write_snapshot("features", day, 'SELECT * EXCLUDE ("group") FROM planted_src')


@pytest.fixture
def bank(engine, workspace):
    write_planted(engine, DAY, planted(seed=1))
    return engine, workspace.database_url


def _members(engine: Engine, url: str, segment_id: str, day: date) -> dict[str, int]:
    page = seg.segment_members(engine, url, segment_id, day, size=1000)
    return {m["customer_id"]: m["cluster"] for m in page["items"]}


def test_planted_clusters_are_found_and_named_by_their_features(bank):
    engine, url = bank
    s = seg.create_cluster_segment(engine, url, name_zh="聚类", features=FEATURES, owner="analyst")
    config = s.config
    assert config["k_criterion"] == "silhouette" and len(config["centroids"]) == 3
    assert max(config["silhouette"], key=lambda k: config["silhouette"][k]) == "3"
    members = _members(engine, url, s.segment_id, DAY)
    groups = planted(seed=1).column("group").to_pylist()
    cluster_of_group = {}
    for g in range(3):
        clusters = [members[f"K{i:010d}"] for i in range(len(groups)) if groups[i] == g]
        top = max(set(clusters), key=clusters.count)
        assert clusters.count(top) >= 0.95 * GROUP_SIZE  # each planted group is (almost) one cluster
        cluster_of_group[g] = top
    assert len(set(cluster_of_group.values())) == 3
    described = {c["cluster"]: c for c in config["clusters"]}
    rich, app, dormant = (described[cluster_of_group[g]] for g in range(3))
    assert _traits(rich)[:2] in (
        [("aum_mad", "+"), ("txn_count_30d", "+")],
        [("txn_count_30d", "+"), ("aum_mad", "+")],
    )
    assert _traits(app)[0] == ("app_logins_30d", "+")
    assert ("is_dormant", "+") in _traits(dormant) and ("aum_mad", "-") in _traits(dormant)
    aum, dormancy = feature("aum_mad"), feature("is_dormant")
    assert f"高{aum.name_zh}" in rich["label_zh"] and f"high {_first_lower(aum.name_en)}" in rich["label_en"]
    assert f"{dormancy.name_zh}偏多" in dormant["label_zh"]
    assert f"more often {_first_lower(dormancy.name_en)}" in dormant["label_en"]
    assert sum(c["size"] for c in config["clusters"]) == 3 * GROUP_SIZE


def _first_lower(text: str) -> str:
    return text[0].lower() + text[1:]


def _traits(cluster: dict) -> list[tuple[str, str]]:
    return [(t["feature"], "+" if t["z"] > 0 else "-") for t in cluster["traits"]]


def test_same_seed_same_members_and_model(bank):
    engine, url = bank
    a = seg.create_cluster_segment(engine, url, name_zh="甲", features=FEATURES, owner="x", seed=7)
    b = seg.create_cluster_segment(engine, url, name_zh="乙", features=FEATURES, owner="x", seed=7)
    assert a.config["centroids"] == b.config["centroids"] and a.config["silhouette"] == b.config["silhouette"]
    assert _members(engine, url, a.segment_id, DAY) == _members(engine, url, b.segment_id, DAY)


def test_given_k_and_later_snapshots_use_the_stored_model(bank):
    engine, url = bank
    s = seg.create_cluster_segment(engine, url, name_zh="四类", features=FEATURES, owner="x", k=4)
    assert s.config["k_criterion"] == "given" and len(s.config["centroids"]) == 4
    later = planted(seed=2, offset=5000)  # new customers, new values: assigned, not re-trained
    write_planted(engine, LATER, later)
    members = _members(engine, url, s.segment_id, LATER)
    assert len(members) == later.num_rows and set(members.values()) <= {0, 1, 2, 3}
    specs = segment_cluster.feature_specs(engine, FEATURES, LATER, url)
    raw = np.column_stack([later.column(f).to_numpy().astype(float) for f in FEATURES])
    model = clustering.ClusterModel.from_config(s.config)
    expected = clustering.assign(raw, specs, model)  # numpy assignment agrees with the SQL one
    assert [members[cid] for cid in later.column("customer_id").to_pylist()] == expected.tolist()
    assert seg.segment_profile(engine, url, s.segment_id, LATER, cluster=0)["size"] == int(
        (expected == 0).sum()
    )


def test_money_features_are_log_scaled_and_missing_values_filled(bank):
    engine, url = bank
    specs = segment_cluster.feature_specs(engine, ["aum_mad", "txn_count_30d", "is_dormant"], DAY, url)
    assert [s.transform for s in specs] == ["signed_log1p", "identity", "identity"]
    assert specs[2].boolean and specs[0].name_zh == feature("aum_mad").name_zh
    raw = np.array([[1e6, 3, 0], [np.nan, 5, 1], [-50.0, np.nan, 0]] * 5)
    model = clustering.fit_clusters(raw, specs, k=2, seed=1)
    assert model.fill == [(1e6 - 50) / 2, 4.0, 0.0]  # training medians, raw units
    values = clustering.transform(raw, specs, np.asarray(model.fill))
    assert values[2, 0] == pytest.approx(-np.log1p(50.0))
    assert model.scale[2] == 1.0 and model.center[2] == pytest.approx(1 / 3)  # yes/no: centred, not scaled
    assert model.scale[1] == pytest.approx(np.std([3, 5, 4] * 5))  # numbers: population sd after filling


def test_clustering_refuses_what_it_cannot_use(bank):
    engine, url = bank
    with pytest.raises(UserInputError, match="did you mean 'aum_mad'"):
        seg.create_cluster_segment(engine, url, name_zh="x", features=["aum_mda"], owner="x")
    with pytest.raises(UserInputError, match="between 2 and"):
        seg.create_cluster_segment(engine, url, name_zh="x", features=FEATURES, owner="x", k=1)
    with pytest.raises(UserInputError, match="twice"):
        seg.create_cluster_segment(engine, url, name_zh="x", features=["age", "age"], owner="x")


def test_membership_snapshot_records_clusters(bank):
    engine, url = bank
    s = seg.create_cluster_segment(engine, url, name_zh="聚类", features=FEATURES, owner="x", k=3)
    assert seg.refresh_segments(engine, DAY, url) == 3 * GROUP_SIZE
    engine.use_snapshot("segment_members", DAY, alias="sm")
    stored = engine.query(
        "SELECT customer_id, cluster FROM sm WHERE segment_id = ?", [s.segment_id]
    ).to_pylist()
    assert {r["customer_id"]: r["cluster"] for r in stored} == _members(engine, url, s.segment_id, DAY)


def test_assignment_sql_transpiles_to_spark():
    import sqlglot

    specs = [
        clustering.FeatureSpec("aum_mad", "月日均AUM", "AUM", money=True),
        clustering.FeatureSpec("x", "x", "x"),
    ]
    model = clustering.fit_clusters(np.random.default_rng(0).normal(size=(50, 2)) ** 2, specs, k=3, seed=0)
    spark = sqlglot.transpile(clustering.assignment_sql(model), read="duckdb", write="spark")[0]
    assert "LEAST(" in spark and "LN(" in spark
