"""Pure SQL builders for segment membership and overlap (DuckDB dialect, portable to Spark via sqlglot).

Every membership query reads the ``audience`` view (kequn.tags.audience) and, for static segments, the
uploaded lists registered as ``segment_list`` (segment_id, customer_id). Each returns the columns
``customer_id, cluster`` (cluster is NULL unless the segment is a clustering).
"""

from __future__ import annotations

LIST_TABLE = "segment_list"
MEMBERS_TABLE = "segment_members"  # the warehouse snapshot table refresh_segments writes
NO_CLUSTER = "CAST(NULL AS INTEGER) AS cluster"


def literal(text: str) -> str:
    """A SQL string literal (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def rule_members_sql(where_sql: str) -> str:
    """Members of a rule segment: audience rows meeting the compiled expression."""
    return f"SELECT customer_id, {NO_CLUSTER} FROM audience WHERE {where_sql}"


def static_members_sql(segment_id: str) -> str:
    """Members of a static segment: its uploaded ids that are customers in the audience snapshot."""
    return (
        f"SELECT a.customer_id, {NO_CLUSTER} FROM audience a"
        f" JOIN {LIST_TABLE} l ON l.customer_id = a.customer_id WHERE l.segment_id = {literal(segment_id)}"
    )


def tagged_sql(segment_id: str, members_sql: str) -> str:
    """Membership rows of one segment in the ``segment_members`` layout."""
    return f"SELECT {literal(segment_id)} AS segment_id, customer_id, cluster FROM ({members_sql}) m"


def memberships_sql(members: dict[str, str]) -> str:
    """All segments' membership rows (segment_id, customer_id, cluster); empty but typed when none."""
    if not members:
        return (
            "SELECT CAST(NULL AS VARCHAR) AS segment_id, CAST(NULL AS VARCHAR) AS customer_id,"
            f" {NO_CLUSTER} WHERE 1 = 0"
        )
    return " UNION ALL ".join(tagged_sql(sid, sql) for sid, sql in members.items())


def overlap_sql(table: str) -> str:
    """Pairwise shared members of the segments in ``table`` (segment_id, customer_id), each pair once."""
    return (
        "SELECT a.segment_id AS a, b.segment_id AS b, count(*) AS both_count"
        f" FROM {table} a JOIN {table} b ON a.customer_id = b.customer_id AND a.segment_id < b.segment_id"
        " GROUP BY a.segment_id, b.segment_id"
    )


def sizes_sql(table: str) -> str:
    return f"SELECT segment_id, count(*) AS size FROM {table} GROUP BY segment_id"


def page_sql(members_sql: str, *, limit: int, offset: int) -> str:
    """One page of members in customer_id order (stable across pages)."""
    return (
        f"SELECT customer_id, cluster FROM ({members_sql}) m"
        f" ORDER BY customer_id LIMIT {int(limit)} OFFSET {int(offset)}"
    )


def count_sql(members_sql: str) -> str:
    return f"SELECT count(*) FROM ({members_sql}) m"


def cluster_sizes_sql(members_sql: str) -> str:
    return f"SELECT cluster, count(*) AS size FROM ({members_sql}) m GROUP BY cluster ORDER BY cluster"
