"""Clustering: connected components over deterministic, Splink and manual-merge edges, with guards.

Split overrides detach a record from every automatic edge. A component holding two different valid ID
numbers (possible through chains of probabilistic links) is re-clustered greedily, strongest edge first,
never joining two groups whose valid ID numbers differ; manual merges are applied regardless.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from kequn.identity.normalize import NORM_TABLE

EDGES = "oneid_edges"
CLUSTERS = "oneid_cluster"
MANUAL_WEIGHT = 99.0
ID_WEIGHT = 50.0


@dataclass(frozen=True)
class Overrides:
    """Manual decisions as record ids: merges (pairs of record_id) and splits (record_id)."""

    merges: tuple[tuple[str, str], ...] = ()
    splits: tuple[str, ...] = ()


def register_overrides(con: duckdb.DuckDBPyConnection, overrides: Overrides) -> None:
    merges = pa.table(
        {"a": [m[0] for m in overrides.merges], "b": [m[1] for m in overrides.merges]},
        schema=pa.schema([("a", pa.string()), ("b", pa.string())]),
    )
    splits = pa.table({"record_id": list(overrides.splits)}, schema=pa.schema([("record_id", pa.string())]))
    con.register("oneid_merge_arrow", merges)
    con.register("oneid_split_arrow", splits)
    con.execute("CREATE OR REPLACE TEMP TABLE oneid_merge AS SELECT * FROM oneid_merge_arrow")
    con.execute("CREATE OR REPLACE TEMP TABLE oneid_split AS SELECT DISTINCT * FROM oneid_split_arrow")
    con.unregister("oneid_merge_arrow")
    con.unregister("oneid_split_arrow")


def edges_sql(id_edges: str, splink_edges: str, norm: str = NORM_TABLE) -> str:
    """SQL: all edges (rid_l, rid_r, weight, rule); automatic edges touching a split record are dropped."""
    return f"""
        WITH auto AS (
            SELECT rid_l, rid_r, {ID_WEIGHT} AS weight, 'id_no' AS rule FROM {id_edges}
            UNION ALL
            SELECT rid_l, rid_r, match_weight, 'splink' FROM {splink_edges}
        ), split AS (
            SELECT n.rid FROM {norm} n JOIN oneid_split s USING (record_id)
        ), manual AS (
            SELECT a.rid AS rid_l, b.rid AS rid_r, {MANUAL_WEIGHT} AS weight, 'manual_merge' AS rule
            FROM oneid_merge m JOIN {norm} a ON a.record_id = m.a JOIN {norm} b ON b.record_id = m.b
        )
        SELECT * FROM auto
        WHERE rid_l NOT IN (SELECT rid FROM split) AND rid_r NOT IN (SELECT rid FROM split)
        UNION ALL SELECT * FROM manual
    """


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes given edge endpoint arrays."""
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


class _Groups:
    """Union-find whose groups remember the valid ID numbers they hold."""

    def __init__(self, ids: dict[int, str | None]):
        self.parent = {r: r for r in ids}
        self.ids = {r: ({i} if i else set()) for r, i in ids.items()}

    def find(self, r: int) -> int:
        while self.parent[r] != r:
            self.parent[r] = self.parent[self.parent[r]]
            r = self.parent[r]
        return r

    def conflict(self, ra: int, rb: int) -> bool:
        """Joining would bring together valid ID numbers not already together (manual merges may)."""
        a, b = self.ids[ra], self.ids[rb]
        return bool(a and b and not (a <= b or b <= a))

    def union(self, a: int, b: int, force: bool) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or (not force and self.conflict(ra, rb)):
            return
        self.parent[rb] = ra
        self.ids[ra] |= self.ids.pop(rb)


def _conflict_rows(con: duckdb.DuckDBPyConnection, norm: str) -> tuple[list, list]:
    """Nodes (rid, id_label) and edges (l, r, rule) of components holding two different valid IDs."""
    bad = f"""
        SELECT label FROM oneid_label JOIN {norm} USING (rid) WHERE id_label IS NOT NULL
        GROUP BY label HAVING count(DISTINCT id_label) > 1
    """
    nodes = con.execute(
        f"SELECT rid, id_label FROM oneid_label JOIN {norm} USING (rid) WHERE label IN ({bad})"
    ).fetchall()
    edges = con.execute(
        f"SELECT rid_l, rid_r, rule FROM {EDGES} JOIN oneid_label ON rid = rid_l WHERE label IN ({bad}) "
        "ORDER BY rule = 'manual_merge' DESC, rule = 'id_no' DESC, weight DESC, rid_l, rid_r"
    ).fetchall()
    return nodes, edges


def resolve_conflicts(con: duckdb.DuckDBPyConnection, labels: np.ndarray, norm: str = NORM_TABLE) -> int:
    """Re-cluster components holding different valid ID numbers; updates ``labels``; returns how many."""
    con.register("oneid_label", pa.table({"rid": np.arange(len(labels)), "label": labels}))
    nodes, edges = _conflict_rows(con, norm)
    con.unregister("oneid_label")
    if not nodes:
        return 0
    groups = _Groups({r: i for r, i in nodes})
    for left, right, rule in edges:
        groups.union(left, right, force=rule == "manual_merge")
    fresh = int(labels.max()) + 1
    roots = {r: groups.find(r) for r, _ in nodes}
    new_label = {root: fresh + i for i, root in enumerate(sorted(set(roots.values())))}
    for r, root in roots.items():
        labels[r] = new_label[root]
    return len({labels[r] for r, _ in nodes})


def cluster_sql(norm: str = NORM_TABLE) -> str:
    """SQL: per record its cluster, the rule that placed it and its strongest Splink weight."""
    return f"""
        WITH kept AS (
            SELECT e.*, a.label FROM {EDGES} e
            JOIN oneid_label a ON a.rid = e.rid_l JOIN oneid_label b ON b.rid = e.rid_r
            WHERE a.label = b.label
        ), ends AS (
            SELECT rid_l AS rid, rule, weight FROM kept UNION ALL SELECT rid_r, rule, weight FROM kept
        ), per AS (
            SELECT rid,
                   CASE WHEN bool_or(rule = 'manual_merge') THEN 'manual_merge'
                        WHEN bool_or(rule = 'id_no') THEN 'id_no' ELSE 'splink' END AS rule,
                   max(weight) FILTER (WHERE rule = 'splink') AS match_weight
            FROM ends GROUP BY rid
        )
        SELECT n.rid, n.record_id, n.source, n.source_key, l.label AS cluster,
               coalesce(p.rule, CASE WHEN s.record_id IS NOT NULL THEN 'manual_split' ELSE 'singleton' END)
                   AS rule,
               p.match_weight
        FROM {norm} n JOIN oneid_label l USING (rid) LEFT JOIN per p USING (rid)
        LEFT JOIN oneid_split s USING (record_id)
    """


def build_clusters(
    con: duckdb.DuckDBPyConnection, id_edges: str, splink_edges: str, overrides: Overrides, n: int
) -> int:
    """Create ``oneid_cluster`` (rid, record_id, source, source_key, cluster, rule, match_weight)."""
    register_overrides(con, overrides)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {EDGES} AS {edges_sql(id_edges, splink_edges)}")
    ends = con.execute(f"SELECT rid_l, rid_r FROM {EDGES}").fetchnumpy()
    labels = components(
        n, np.asarray(ends["rid_l"], dtype=np.int64), np.asarray(ends["rid_r"], dtype=np.int64)
    )
    resolve_conflicts(con, labels)
    con.register("oneid_label", pa.table({"rid": np.arange(n, dtype=np.int64), "label": labels}))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {CLUSTERS} AS {cluster_sql()}")
    con.unregister("oneid_label")
    return int(con.execute(f"SELECT count(DISTINCT cluster) FROM {CLUSTERS}").fetchall()[0][0])
