"""The deterministic rule: records carrying the same valid ID number are the same person."""

from __future__ import annotations

from kequn.identity.normalize import NORM_TABLE

ID_EDGE_TABLE = "oneid_id_edges"


def id_edges_sql(norm: str = NORM_TABLE) -> str:
    """SQL: a star of edges per valid ID number (each record to the group's smallest rid)."""
    return f"""
        SELECT rid AS rid_l, root AS rid_r FROM (
            SELECT rid, min(rid) OVER (PARTITION BY id_label) AS root FROM {norm} WHERE id_label IS NOT NULL
        ) WHERE rid <> root
    """


def id_pairs_sql(norm: str = NORM_TABLE) -> str:
    """SQL: the number of record pairs the rule links, Σ C(n, 2) over ID groups (counted, not listed)."""
    return f"""
        SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (
            SELECT count(*) AS n FROM {norm} WHERE id_label IS NOT NULL GROUP BY id_label
        )
    """
