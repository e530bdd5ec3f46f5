"""The matcher every entry point shares: normalise → deterministic rule → Splink → clustering."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from kequn.identity import splink_model
from kequn.identity.cluster import Overrides, build_clusters
from kequn.identity.normalize import NORM_TABLE, build_norm_table
from kequn.identity.rules import ID_EDGE_TABLE, id_edges_sql, id_pairs_sql

Progress = Callable[[str], None]


@dataclass
class MatchStats:
    records: int = 0
    clusters: int = 0
    deterministic_pairs: int = 0
    splink_pairs: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


class _Clock:
    """Times phases; tells ``progress`` when each phase starts."""

    def __init__(self, stats: MatchStats, progress: Progress | None):
        self.stats, self.progress = stats, progress
        self.phase: str | None = None
        self.started = time.perf_counter()

    def start(self, phase: str) -> None:
        self.stop()
        self.phase, self.started = phase, time.perf_counter()
        if self.progress:
            self.progress(phase)

    def stop(self) -> None:
        if self.phase:
            self.stats.seconds[self.phase] = round(time.perf_counter() - self.started, 3)
        self.phase = None


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


def run_splink(con: duckdb.DuckDBPyConnection, records: int, id_pairs: int, threshold: float) -> int:
    """Train and predict; creates ``oneid_splink_edges``. Small inputs use the priors untrained."""
    if records < 2:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {splink_model.EDGE_TABLE} AS SELECT "
            "0::BIGINT AS rid_l, 0::BIGINT AS rid_r, 0.0::DOUBLE AS match_weight, "
            "0.0::DOUBLE AS match_probability WHERE false"
        )
        return 0
    linker = splink_model.build_linker(con, records)
    if records >= splink_model.MIN_TRAIN_RECORDS:
        splink_model.train(linker, records=records, id_pairs=id_pairs)
    return splink_model.predict_edges(con, linker, threshold)


def match(
    con: duckdb.DuckDBPyConnection,
    source: str = "person_record",
    *,
    overrides: Overrides | None = None,
    threshold: float = splink_model.DEFAULT_THRESHOLD,
    progress: Progress | None = None,
) -> MatchStats:
    """Cluster the person records in relation ``source``; leaves temp table ``oneid_cluster``."""
    stats = MatchStats()
    clock = _Clock(stats, progress)
    clock.start("normalise")
    stats.records = build_norm_table(con, source)
    clock.start("rules")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {ID_EDGE_TABLE} AS {id_edges_sql()}")
    stats.deterministic_pairs = _scalar(con, id_pairs_sql())
    clock.start("splink")
    stats.splink_pairs = run_splink(con, stats.records, stats.deterministic_pairs, threshold)
    clock.start("cluster")
    stats.clusters = build_clusters(
        con, ID_EDGE_TABLE, splink_model.EDGE_TABLE, overrides or Overrides(), stats.records
    )
    clock.stop()
    return stats


def drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Free the matcher's temp tables (the cluster table is kept for the caller)."""
    for name in (NORM_TABLE, ID_EDGE_TABLE, splink_model.EDGE_TABLE, "oneid_edges", "oneid_char"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
