"""Stable customer ids: each cluster keeps the id most of its records held in the previous crosswalk.

Ties go to the smallest id. When two clusters want the same id (a split), the one with more records that
held it keeps it (records split out by hand count last) and the other part gets a new id. New ids
continue the sequence ``K`` + 10 digits from the largest id ever issued.

>>> format_id(42)
'K0000000042'
"""

from __future__ import annotations

ID_PREFIX = "K"
ID_DIGITS = 10


def format_id(n: int) -> str:
    return f"{ID_PREFIX}{n:0{ID_DIGITS}d}"


def max_issued_sql(links_glob: str) -> str:
    """SQL: the largest sequence number among ids in every source_link snapshot matched by the glob."""
    literal = "'" + links_glob.replace("'", "''") + "'"
    return (
        f"SELECT coalesce(max(TRY_CAST(substr(customer_id, {len(ID_PREFIX) + 1}) AS BIGINT)), 0) "
        f"FROM read_parquet({literal}) WHERE starts_with(customer_id, '{ID_PREFIX}')"
    )


def assign_ids_sql(clusters: str, previous: str | None, max_issued: int) -> str:
    """SQL: (cluster, customer_id) for every cluster of ``clusters`` (record_id, source, source_key, cluster,
    rule).

    ``previous`` is the prior crosswalk (source, source_key, customer_id), or None on a first run.
    """
    votes = (
        "SELECT c.cluster, p.customer_id, count(*) AS n, "
        f"count(*) FILTER (WHERE c.rule <> 'manual_split') AS kept FROM {clusters} c "
        f"JOIN {previous} p ON p.source = c.source AND p.source_key = c.source_key GROUP BY ALL"
        if previous
        else "SELECT NULL::BIGINT AS cluster, NULL::VARCHAR AS customer_id, 0::BIGINT AS n, 0::BIGINT AS kept"
        " LIMIT 0"
    )
    return f"""
        WITH keyed AS (SELECT cluster, min(record_id) AS ckey FROM {clusters} GROUP BY cluster),
        votes AS ({votes}),
        pick AS (
            SELECT * FROM votes
            QUALIFY row_number() OVER (PARTITION BY cluster ORDER BY n DESC, customer_id) = 1
        ),
        won AS (
            SELECT p.cluster, p.customer_id FROM pick p JOIN keyed k USING (cluster)
            QUALIFY row_number() OVER (PARTITION BY p.customer_id ORDER BY p.kept DESC, p.n DESC, k.ckey) = 1
        ),
        fresh AS (
            SELECT cluster, '{ID_PREFIX}' || lpad(CAST({int(max_issued)} + seq AS VARCHAR), {ID_DIGITS}, '0')
                   AS customer_id
            FROM (
                SELECT cluster, row_number() OVER (ORDER BY ckey) AS seq
                FROM keyed ANTI JOIN won USING (cluster)
            )
        )
        SELECT cluster, customer_id FROM won UNION ALL SELECT cluster, customer_id FROM fresh
    """


def source_link_sql(clusters: str, ids: str, linked_at: str) -> str:
    """SQL: the source_link rows (one per person record)."""
    return f"""
        SELECT c.source, c.source_key, i.customer_id, c.match_weight, c.rule,
               CAST({linked_at} AS TIMESTAMP) AS linked_at
        FROM {clusters} c JOIN {ids} i USING (cluster)
    """
