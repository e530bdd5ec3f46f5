"""Pair precision, recall and F1 of a clustering against ground truth, by counting (Σ C(n, 2)), never listing.

>>> m = PairMetrics(true_positive=8, predicted=10, actual=9)
>>> round(m.precision, 2), round(m.recall, 2), round(m.f1, 3)
(0.8, 0.89, 0.842)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from kequn.core.errors import SourceFileError


@dataclass(frozen=True)
class PairMetrics:
    true_positive: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "true_positive_pairs": self.true_positive,
            "predicted_pairs": self.predicted,
            "actual_pairs": self.actual,
        }


def _pairs(group_by: str) -> str:
    return (
        f"(SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM j GROUP BY {group_by}))"
    )


def pair_metrics_sql(clusters: str, truth: str) -> str:
    """SQL: (true positive, predicted, actual) pair counts over records present in both relations.

    ``clusters`` has (source, source_key, cluster); ``truth`` has (source, source_key, person_id).
    """
    return f"""
        WITH j AS (
            SELECT c.cluster, t.person_id FROM {clusters} c
            JOIN {truth} t ON t.source = c.source AND t.source_key = c.source_key
        )
        SELECT {_pairs("cluster, person_id")}, {_pairs("cluster")}, {_pairs("person_id")}
    """


def truth_sql(path: Path) -> str:
    """SQL reading a ground-truth CSV ``source,source_key,person_id`` (all text)."""
    literal = "'" + str(path).replace("'", "''") + "'"
    return f"SELECT source, source_key, person_id FROM read_csv({literal}, header = true, all_varchar = true)"


def pair_metrics(con: duckdb.DuckDBPyConnection, clusters: str, truth_csv: Path) -> PairMetrics:
    if not Path(truth_csv).is_file():
        raise SourceFileError(f"{truth_csv}: ground-truth file not found")
    row = con.execute(pair_metrics_sql(clusters, f"({truth_sql(truth_csv)})")).fetchall()[0]
    return PairMetrics(int(row[0]), int(row[1]), int(row[2]))
