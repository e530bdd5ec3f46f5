"""Pure query builders for the customer 360 view: each returns (sql, params); only an engine runs them.

They read the canonical views an engine exposes (customer, source_link, person_record, account,
product, balance, txn, app_event, feedback, consent) and never touch files themselves.
"""

from __future__ import annotations

from datetime import date

# Asset definition for AUM (DOMAIN.md §1). Banks configure this; tiers (issue 3) make it a setting.
ASSET_CATEGORIES = ("demand_deposit", "time_deposit", "wealth", "fund", "insurance")
LIABILITY_CATEGORIES = ("loan", "credit_card")

Query = tuple[str, list[object]]

NORMALISED_PHONE = (
    "CASE WHEN length(regexp_replace({col}, '[^0-9]', '', 'g')) = 13 "
    "AND regexp_replace({col}, '[^0-9]', '', 'g') LIKE '86%' "
    "THEN substr(regexp_replace({col}, '[^0-9]', '', 'g'), 3) "
    "ELSE regexp_replace({col}, '[^0-9]', '', 'g') END"
)


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def customer_accounts_cte() -> str:
    """Accounts of customer ``?`` through the crosswalk (accounts point at person records)."""
    return (
        "cust_accounts AS ("
        " SELECT a.*, p.name AS product_name, p.category, p.risk_rating"
        " FROM source_link l"
        " JOIN account a ON a.party_source = l.source AND a.party_key = l.source_key"
        " LEFT JOIN product p ON p.product_id = a.product_id"
        " WHERE l.customer_id = ?)"
    )


def search_by_customer_id(customer_id: str) -> Query:
    return "SELECT customer_id FROM customer WHERE customer_id = ?", [customer_id]


def _customers_whose_records(condition: str) -> str:
    """Customers having at least one source record (any system's spelling) that meets ``condition``."""
    return (
        "SELECT DISTINCT l.customer_id FROM person_record r"
        " JOIN source_link l ON l.source = r.source AND l.source_key = r.source_key"
        f" WHERE {condition}"
    )


def search_by_phone(digits: str) -> Query:
    return _customers_whose_records(f"{NORMALISED_PHONE.format(col='r.phone')} = ?"), [digits]


def search_by_id_no(id_no: str) -> Query:
    return _customers_whose_records("upper(trim(r.id_no)) = ?"), [id_no.upper()]


def search_by_name(names: list[str]) -> Query:
    marks = ", ".join("?" for _ in names)
    return _customers_whose_records(f"r.name IN ({marks})"), list(names)


def hits(customer_ids_sql: str, limit: int) -> str:
    """Summary rows for the customers a search found (name, masked fields are masked later)."""
    return (
        "SELECT c.customer_id, c.name, c.gender, c.birth_date, c.phone, c.city, c.status,"
        " c.record_count FROM customer c"
        f" WHERE c.customer_id IN ({customer_ids_sql}) ORDER BY c.customer_id LIMIT {int(limit)}"
    )


def profile(customer_id: str) -> Query:
    sql = (
        "SELECT c.*, o.name AS org_name, s.name AS rm_name FROM customer c"
        " LEFT JOIN org o ON o.org_id = c.org_id"
        " LEFT JOIN staff s ON s.staff_id = c.rm_id"
        " WHERE c.customer_id = ?"
    )
    return sql, [customer_id]


def profile_without_org(customer_id: str) -> Query:
    return "SELECT c.* FROM customer c WHERE c.customer_id = ?", [customer_id]


def holdings(customer_id: str, as_of: date) -> Query:
    """Every account of the customer with its end-of-day balance on ``as_of``."""
    sql = (
        f"WITH {customer_accounts_cte()},"
        " last_balance AS ("
        "  SELECT b.account_id, arg_max(b.balance, b.day) AS balance"
        "  FROM balance b JOIN cust_accounts ca ON ca.account_id = b.account_id"
        "  WHERE b.day <= ? GROUP BY b.account_id)"
        " SELECT ca.account_id, ca.product_id, ca.product_name, ca.category, ca.risk_rating,"
        " ca.opened_on, ca.closed_on, ca.status, ca.currency, ca.maturity_on, ca.credit_limit,"
        " coalesce(lb.balance, 0) AS balance"
        " FROM cust_accounts ca LEFT JOIN last_balance lb ON lb.account_id = ca.account_id"
        " ORDER BY ca.category, ca.opened_on"
    )
    return sql, [customer_id, as_of]


def monthly_average_daily_aum(customer_id: str, as_of: date) -> Query:
    """月日均AUM, month to date: the mean over the month's days up to ``as_of`` of end-of-day assets.

    Balances are sparse (a row per change), so each row holds from its day until the next row's day;
    the overlap of that interval with the month gives the row's weight. Portable SQL (no ASOF join).
    """
    month_start = as_of.replace(day=1)
    days_in_window = (as_of - month_start).days + 1
    sql = (
        f"WITH {customer_accounts_cte()},"
        " spans AS ("
        "  SELECT b.account_id, b.balance, b.day AS start_day,"
        "   coalesce(lead(b.day) OVER (PARTITION BY b.account_id ORDER BY b.day), ? + INTERVAL 1 DAY)"
        "    AS end_day"
        "  FROM balance b JOIN cust_accounts ca ON ca.account_id = b.account_id"
        f"  WHERE b.day <= ? AND ca.category IN ({_in_list(ASSET_CATEGORIES)}))"
        " SELECT coalesce(sum(balance * greatest(0, datediff('day',"
        "   greatest(start_day, ?::DATE), least(end_day, ? + INTERVAL 1 DAY)))), 0) / ? AS mad_aum"
        " FROM spans"
    )
    return sql, [customer_id, as_of, as_of, month_start, as_of, days_in_window]


def transaction_summary(customer_id: str, as_of: date) -> Query:
    """Counts and amounts in and out over 30 and 90 days before ``as_of``, by kind."""
    sql = (
        f"WITH {customer_accounts_cte()}"
        " SELECT t.kind, t.direction,"
        "  count(*) FILTER (WHERE t.ts >= ? - INTERVAL 30 DAY) AS n_30d,"
        "  coalesce(sum(t.amount) FILTER (WHERE t.ts >= ? - INTERVAL 30 DAY), 0) AS amount_30d,"
        "  count(*) AS n_90d, coalesce(sum(t.amount), 0) AS amount_90d"
        " FROM txn t JOIN cust_accounts ca ON ca.account_id = t.account_id"
        " WHERE t.ts < ? + INTERVAL 1 DAY AND t.ts >= ? - INTERVAL 90 DAY"
        " GROUP BY t.kind, t.direction ORDER BY amount_90d DESC"
    )
    return sql, [customer_id, as_of, as_of, as_of, as_of]


def recent_transactions(customer_id: str, as_of: date, limit: int = 10) -> Query:
    sql = (
        f"WITH {customer_accounts_cte()}"
        " SELECT t.ts, t.account_id, t.direction, t.amount, t.kind, t.channel, t.counterparty_name,"
        " t.currency FROM txn t JOIN cust_accounts ca ON ca.account_id = t.account_id"
        f" WHERE t.ts < ? + INTERVAL 1 DAY ORDER BY t.ts DESC LIMIT {int(limit)}"
    )
    return sql, [customer_id, as_of]


def daily_aum_series(customer_id: str, as_of: date, days: int = 90) -> Query:
    """End-of-day assets for each of the last ``days`` days (for the AUM chart)."""
    sql = (
        f"WITH {customer_accounts_cte()},"
        " days AS (SELECT CAST(d AS DATE) AS day FROM range(?::DATE - (? - 1) * INTERVAL 1 DAY,"
        "  ?::DATE + INTERVAL 1 DAY, INTERVAL 1 DAY) r(d)),"
        " spans AS ("
        "  SELECT b.account_id, b.balance, b.day AS start_day,"
        "   coalesce(lead(b.day) OVER (PARTITION BY b.account_id ORDER BY b.day), DATE '9999-12-31')"
        "    AS end_day"
        "  FROM balance b JOIN cust_accounts ca ON ca.account_id = b.account_id"
        f"  WHERE ca.category IN ({_in_list(ASSET_CATEGORIES)}))"
        " SELECT d.day, coalesce(sum(s.balance), 0) AS aum FROM days d"
        " LEFT JOIN spans s ON s.start_day <= d.day AND d.day < s.end_day"
        " GROUP BY d.day ORDER BY d.day"
    )
    return sql, [customer_id, as_of, days, as_of]


def channel_activity(customer_id: str, as_of: date) -> Query:
    sql = (
        "SELECT count(*) FILTER (WHERE e.name = 'login' AND e.ts >= ? - INTERVAL 30 DAY) AS logins_30d,"
        " max(e.ts) FILTER (WHERE e.name = 'login') AS last_login,"
        " count(*) FILTER (WHERE e.name = 'view_product' AND e.ts >= ? - INTERVAL 30 DAY)"
        "  AS product_views_30d,"
        " count(*) AS events_total"
        " FROM app_event e JOIN source_link l ON l.source = e.party_source AND l.source_key = e.party_key"
        " WHERE l.customer_id = ? AND e.ts < ? + INTERVAL 1 DAY"
    )
    return sql, [as_of, as_of, customer_id, as_of]


def consents(customer_id: str) -> Query:
    sql = (
        "SELECT c.purpose, c.channel, bool_and(c.granted) AS granted, max(c.updated_at) AS updated_at"
        " FROM consent c JOIN source_link l ON l.source = c.party_source AND l.source_key = c.party_key"
        " WHERE l.customer_id = ? GROUP BY c.purpose, c.channel ORDER BY c.purpose, c.channel"
    )
    return sql, [customer_id]


def feedback(customer_id: str, limit: int = 5) -> Query:
    sql = (
        "SELECT f.ts, f.channel, f.score, f.text FROM feedback f"
        " JOIN source_link l ON l.source = f.party_source AND l.source_key = f.party_key"
        f" WHERE l.customer_id = ? ORDER BY f.ts DESC LIMIT {int(limit)}"
    )
    return sql, [customer_id]


def linked_records(customer_id: str) -> Query:
    sql = (
        "SELECT l.source, l.source_key, l.rule, l.match_weight, r.name, r.phone, r.id_no, r.city"
        " FROM source_link l"
        " LEFT JOIN person_record r ON r.source = l.source AND r.source_key = l.source_key"
        " WHERE l.customer_id = ? ORDER BY l.source, l.source_key"
    )
    return sql, [customer_id]
