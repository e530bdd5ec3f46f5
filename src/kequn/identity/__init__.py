"""OneID: resolve person records from every source system into one customer each.

Deterministic rule (same valid ID number) → Splink on DuckDB → connected components with guards and manual
overrides → stable customer ids → golden record. Published as warehouse snapshots ``source_link`` and
``customer`` at the as_of of the ``person_record`` snapshot.
"""

from kequn.identity.cluster import Overrides
from kequn.identity.evaluate import PairMetrics
from kequn.identity.files import FilesReport, resolve_files
from kequn.identity.matcher import MatchStats, match
from kequn.identity.overrides import OverrideView, add_merge, add_split, list_overrides
from kequn.identity.run import IdentityReport, evaluate_identity, resolve_identity

__all__ = [
    "FilesReport",
    "IdentityReport",
    "MatchStats",
    "OverrideView",
    "Overrides",
    "PairMetrics",
    "add_merge",
    "add_split",
    "evaluate_identity",
    "list_overrides",
    "match",
    "resolve_files",
    "resolve_identity",
]
