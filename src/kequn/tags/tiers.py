"""智慧分层 (customer tiers): the monthly tier decision and what it tells operations.

``compute_tiers`` writes the ``tiers`` snapshot at ``as_of`` from the ``features`` snapshot at ``as_of``
and the previous ``tiers`` snapshot, in one set-based statement (``tier_sql.decide_sql``). The rules
(DOMAIN.md §1, documented in docs/tiers.md):

- the basis is the monthly average daily AUM of the last complete month (``tier_months``), under the scheme's
  asset definition;
- ``tier`` is the tier **in force for the month after the basis month**; reaching a higher tier upgrades at
  once (so the new tier applies from the next month);
- a month below the tier puts the customer on watch (``months_below`` counts); after the tier's
  ``downgrade_months`` consecutive months below, the customer moves to the tier of the last month's average;
  a month back at or above the tier clears the watch;
- a customer without a previous tier (new, or a tier code the scheme no longer has) gets the basis tier.

Runs go month by month. When the previous snapshot is older than the month before the basis month, the
months in between were not observed and are not counted as months below (downgrades come late, never early);
a warning says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from kequn.core.errors import SnapshotMissing, UserInputError
from kequn.engine.base import Engine
from kequn.tags.tier_months import basis_month_end, in_force_from, is_month_end, months_apart
from kequn.tags.tier_reports import rm_book_sizes, tier_distribution, tier_migration
from kequn.tags.tier_scheme import DEFAULT_SCHEME, TierScheme, load_scheme_file
from kequn.tags.tier_sql import basis_columns, decide_sql
from kequn.tags.tier_store import current_scheme, save_scheme, scheme_history, scheme_version

log = logging.getLogger(__name__)

TABLE = "tiers"
_KEYS = ("customer_id", "org_id", "rm_id")


@dataclass(frozen=True)
class TierRunPlan:
    """What one tier computation reads: which snapshots, which basis columns, from when tiers apply."""

    as_of: date
    basis_end: date  # last day of the basis month
    effective_from: date  # first day of the month the decided tiers are in force for
    columns: tuple[str, ...]
    separate_basis: bool  # basis read from the features snapshot at basis_end, not at as_of
    previous: date | None  # the tiers snapshot the transition starts from
    unobserved_months: int  # months between the previous basis month and this one, not seen

    @property
    def first_run(self) -> bool:
        return self.previous is None


def plan_tiers(engine: Engine, as_of: date, scheme: TierScheme) -> TierRunPlan:
    """Decide which snapshots a computation at ``as_of`` reads (no query runs)."""
    complete = is_month_end(as_of)
    basis_end = basis_month_end(as_of)
    # A weighted definition needs last month's per-category averages, which only that month's final
    # features snapshot has; the standard definition reads aum_mad_prev_month from today's snapshot.
    separate = not complete and not scheme.assets.is_standard
    columns = basis_columns(scheme.assets, month_complete=complete)
    # The previous state is the latest snapshot judging an earlier month: any snapshot before the basis
    # month's end (a later one judged the same month and would count it twice).
    earlier = [d for d in engine.warehouse.snapshots(TABLE) if d < basis_end]
    previous = earlier[-1] if earlier else None
    unobserved = months_apart(basis_month_end(previous), basis_end) - 1 if previous else 0
    return TierRunPlan(as_of, basis_end, in_force_from(as_of), columns, separate, previous, unobserved)


def compute_tiers(
    engine: Engine,
    as_of: date,
    scheme: TierScheme | None = None,
    *,
    store_url: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write the ``tiers`` snapshot at ``as_of``; returns its row count. Re-running a date is idempotent.

    ``scheme``: the scheme to apply; else the one in force in the operational store at ``store_url``; else
    the shipped default.
    """
    scheme = scheme or (current_scheme(store_url) if store_url else DEFAULT_SCHEME)
    report = progress or (lambda _phase: None)
    report("tiers: read snapshots")
    plan = plan_tiers(engine, as_of, scheme)
    _expose_inputs(engine, plan)
    if plan.unobserved_months > 0:
        log.warning(
            "tiers %s: previous tiers snapshot %s leaves %d month(s) unobserved; they are not counted as "
            "months below (run month by month for exact downgrades)",
            as_of,
            plan.previous,
            plan.unobserved_months,
        )
    report("tiers: decide and publish")
    sql = decide_sql(
        scheme,
        columns=plan.columns,
        separate_basis=plan.separate_basis,
        has_previous=plan.previous is not None,
        effective_from=plan.effective_from,
    )
    return engine.write_snapshot(TABLE, as_of, sql)


def _expose_inputs(engine: Engine, plan: TierRunPlan) -> None:
    _use_exact(engine, "features", plan.as_of, "tier_features")
    basis_view = "tier_features"
    if plan.separate_basis:
        _use_exact(engine, "features", plan.basis_end, "tier_basis_features")
        basis_view = "tier_basis_features"
    _require_columns(engine, "tier_features", plan.as_of, _KEYS)
    _require_columns(engine, basis_view, plan.basis_end if plan.separate_basis else plan.as_of, plan.columns)
    if plan.previous is not None:
        engine.use_snapshot(TABLE, plan.previous, alias="tier_previous")


def _use_exact(engine: Engine, table: str, day: date, alias: str) -> None:
    """Expose the snapshot of ``day`` itself: tiers judged on stale features would be wrong, not late."""
    if day not in engine.warehouse.snapshots(table):
        raise SnapshotMissing(
            f"tiers need the '{table}' snapshot of {day}, which does not exist; compute it first"
        )
    engine.use_snapshot(table, day, alias=alias)


def _require_columns(engine: Engine, view: str, day: date, needed: tuple[str, ...]) -> None:
    present = set(engine.query(f"SELECT * FROM {view} LIMIT 0").schema.names)
    missing = [c for c in needed if c not in present]
    if missing:
        raise UserInputError(
            f"features snapshot {day} lacks column(s) {', '.join(missing)} needed by the tier scheme"
        )


__all__ = [
    "DEFAULT_SCHEME",
    "TABLE",
    "TierRunPlan",
    "TierScheme",
    "compute_tiers",
    "current_scheme",
    "load_scheme_file",
    "plan_tiers",
    "rm_book_sizes",
    "save_scheme",
    "scheme_history",
    "scheme_version",
    "tier_distribution",
    "tier_migration",
]
