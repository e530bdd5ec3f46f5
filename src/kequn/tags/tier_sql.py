"""Pure SQL builders for tiers (DuckDB dialect, kept portable for sqlglot → Spark SQL).

Nothing here runs a query. The caller exposes the snapshots as views first:

- ``tier_features``: the features snapshot at ``as_of`` (customer_id, org_id, rm_id and the basis columns);
- ``tier_basis_features``: the features snapshot at the end of the basis month, when the basis cannot be
  read from ``tier_features`` (a weighted definition on a date inside a month);
- ``tier_previous``: the tiers snapshot the transition starts from (absent for a first run);
- ``tier_current`` / ``tier_from`` / ``tier_to`` / ``tier_staff``: what the reports read.
"""

from __future__ import annotations

from datetime import date

from kequn.tags.tier_scheme import AssetDefinition, TierScheme


def basis_columns(assets: AssetDefinition, *, month_complete: bool) -> tuple[str, ...]:
    """Feature columns the basis needs (the month's own averages, or last month's on a mid-month date).

    >>> basis_columns(AssetDefinition(), month_complete=False)
    ('aum_mad_prev_month',)
    >>> basis_columns(AssetDefinition({"wealth": 1.0}, net_of_loans=True), month_complete=True)
    ('aum_mad_wealth', 'loan_balance')
    """
    if assets.is_standard:
        return ("aum_mad",) if month_complete else ("aum_mad_prev_month",)
    weighted = tuple(f"aum_mad_{c}" for c, w in assets.weights.items() if w)
    return weighted + (("loan_balance",) if assets.net_of_loans else ())


def basis_expression(assets: AssetDefinition, columns: tuple[str, ...], alias: str) -> str:
    """Σ weight × column (a missing value counts as 0), minus the loan balance when the definition says so.

    >>> weighted = AssetDefinition({"wealth": 1.2, "fund": 1.0})
    >>> basis_expression(weighted, ("aum_mad_wealth", "aum_mad_fund"), "b")
    'COALESCE(b.aum_mad_wealth, 0) * 1.2 + COALESCE(b.aum_mad_fund, 0) * 1.0'
    """
    if assets.is_standard:
        return f"COALESCE({alias}.{columns[0]}, 0)"
    terms = [f"COALESCE({alias}.aum_mad_{c}, 0) * {float(w)!r}" for c, w in assets.weights.items() if w]
    loans = f" - COALESCE({alias}.loan_balance, 0)" if assets.net_of_loans else ""
    return " + ".join(terms) + loans


def scheme_values(scheme: TierScheme) -> str:
    """The scheme as an inline table: code, tier_rank (higher is better), downgrade_months, service_model."""
    rows = ", ".join(
        f"('{t.code}', {scheme.rank(t.code)}, {t.downgrade_months}, '{t.service_model}')"
        for t in scheme.tiers
    )
    return f"SELECT * FROM (VALUES {rows}) AS s(code, tier_rank, downgrade_months, service_model)"


def qualifying_case(scheme: TierScheme, column: str = "basis_aum") -> str:
    """The tier an amount alone qualifies for; the lowest tier takes the rest (negative net assets too)."""
    whens = " ".join(f"WHEN {column} >= {t.min_aum!r} THEN '{t.code}'" for t in scheme.tiers[:-1])
    return f"CASE {whens} ELSE '{scheme.tiers[-1].code}' END"


_NO_PREVIOUS = (
    "SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS VARCHAR) AS tier,"
    " CAST(NULL AS INTEGER) AS months_below, CAST(NULL AS DATE) AS tier_since WHERE 1 = 0"
)

# move: enter (no previous tier in this scheme), up, stay, watch (below, not yet long enough), down.
_MOVE = (
    "CASE WHEN previous_rank IS NULL THEN 'enter'"
    " WHEN qualifying_rank > previous_rank THEN 'up'"
    " WHEN qualifying_rank = previous_rank THEN 'stay'"
    " WHEN COALESCE(previous_months_below, 0) + 1 >= downgrade_months THEN 'down'"
    " ELSE 'watch' END"
)


def decide_sql(
    scheme: TierScheme,
    *,
    columns: tuple[str, ...],
    separate_basis: bool,
    has_previous: bool,
    effective_from: date,
) -> str:
    """The new tiers snapshot: one row per customer of ``tier_features``, decided in one statement.

    ``columns`` are the basis columns (``basis_columns``), read from ``tier_basis_features`` when
    ``separate_basis`` else from ``tier_features``; ``effective_from`` is the first day of the month the
    decided tier is in force for (the month after the basis month).
    """
    source = "tier_features f"
    if separate_basis:
        source += " LEFT JOIN tier_basis_features b ON b.customer_id = f.customer_id"
    basis = basis_expression(scheme.assets, columns, "b" if separate_basis else "f")
    previous = "SELECT customer_id, tier, months_below, tier_since FROM tier_previous"
    held = "move IN ('stay', 'watch')"
    since = f"DATE '{effective_from.isoformat()}'"
    return f"""
WITH scheme AS ({scheme_values(scheme)}),
basis AS (
  SELECT f.customer_id, f.org_id, f.rm_id, ROUND(CAST({basis} AS DOUBLE), 2) AS basis_aum FROM {source}
),
qualified AS (SELECT basis.*, {qualifying_case(scheme)} AS qualifying_tier FROM basis),
previous AS ({previous if has_previous else _NO_PREVIOUS}),
compared AS (
  SELECT q.*, p.tier AS previous_tier, p.months_below AS previous_months_below,
         p.tier_since AS previous_since,
         sq.tier_rank AS qualifying_rank, sp.tier_rank AS previous_rank, sp.downgrade_months
  FROM qualified q
  JOIN scheme sq ON sq.code = q.qualifying_tier
  LEFT JOIN previous p ON p.customer_id = q.customer_id
  LEFT JOIN scheme sp ON sp.code = p.tier
),
moved AS (SELECT compared.*, {_MOVE} AS move FROM compared),
decided AS (
  SELECT customer_id,
         CASE WHEN {held} THEN previous_tier ELSE qualifying_tier END AS tier,
         CASE WHEN move = 'watch' THEN 'watch' ELSE 'normal' END AS tier_status,
         CAST(CASE WHEN move = 'watch' THEN COALESCE(previous_months_below, 0) + 1 ELSE 0 END AS INTEGER)
           AS months_below,
         CASE WHEN {held} THEN COALESCE(previous_since, {since}) ELSE {since} END AS tier_since,
         basis_aum, qualifying_tier, org_id, rm_id
  FROM moved
)
SELECT d.customer_id, d.tier, d.tier_status, d.months_below, d.tier_since, d.basis_aum, d.qualifying_tier,
       s.service_model, d.org_id, d.rm_id, CAST({int(scheme.version)} AS INTEGER) AS scheme_version
FROM decided d JOIN scheme s ON s.code = d.tier
"""


def distribution_sql() -> str:
    """Per tier of ``tier_current``: customers, total and average basis AUM, customers on watch."""
    return (
        "SELECT tier, COUNT(*) AS customers, SUM(basis_aum) AS basis_aum, AVG(basis_aum) AS avg_basis_aum,"
        " SUM(CASE WHEN tier_status = 'watch' THEN 1 ELSE 0 END) AS watch,"
        " MAX(service_model) AS service_model, MAX(scheme_version) AS scheme_version"
        " FROM tier_current GROUP BY tier"
    )


def migration_sql() -> str:
    """Customers per (from tier, to tier) between ``tier_from`` and ``tier_to``; 'new' and 'left' included."""
    return (
        "SELECT COALESCE(a.tier, 'new') AS from_tier, COALESCE(b.tier, 'left') AS to_tier,"
        " COUNT(*) AS customers"
        " FROM tier_from a FULL OUTER JOIN tier_to b ON a.customer_id = b.customer_id"
        " GROUP BY COALESCE(a.tier, 'new'), COALESCE(b.tier, 'left')"
    )


def books_sql(codes: tuple[str, ...]) -> str:
    """Per relationship manager: customers per tier and RM-served customers against ``max_book``.

    Every staff member with a book limit is listed (an empty book too), and every ``rm_id`` that holds
    customers, known to ``tier_staff`` or not.
    """
    per_tier = ", ".join(f"SUM(CASE WHEN tier = '{c}' THEN 1 ELSE 0 END) AS n_{c}" for c in codes)
    picked = ", ".join(f"COALESCE(b.n_{c}, 0) AS n_{c}" for c in codes)
    return f"""
WITH book AS (
  SELECT rm_id, {per_tier},
         SUM(CASE WHEN service_model = 'rm' THEN 1 ELSE 0 END) AS rm_served, COUNT(*) AS customers
  FROM tier_current WHERE rm_id IS NOT NULL GROUP BY rm_id
)
SELECT COALESCE(b.rm_id, s.staff_id) AS rm_id, s.name, s.org_id, s.role, s.max_book, {picked},
       COALESCE(b.rm_served, 0) AS rm_served, COALESCE(b.customers, 0) AS customers
FROM book b FULL OUTER JOIN tier_staff s ON s.staff_id = b.rm_id
WHERE b.rm_id IS NOT NULL OR s.max_book > 0
"""


def without_rm_sql() -> str:
    """RM-served tiers' customers with no relationship manager (none, unknown, or staff without a book)."""
    return (
        "SELECT t.tier, COUNT(*) AS customers FROM tier_current t"
        " LEFT JOIN tier_staff s ON s.staff_id = t.rm_id"
        " WHERE t.service_model = 'rm' AND COALESCE(s.max_book, 0) <= 0"
        " GROUP BY t.tier"
    )
