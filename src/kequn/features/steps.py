"""The intermediate steps of a feature run: pure SQL builders over the canonical tables.

Each step is one set-based query (no correlated subqueries, no engine-specific functions) whose result
later steps read by name. Big fact tables are reduced per account first (balance spans, transaction
aggregates), then rolled up per customer, so each large table is scanned once.

Point in time: every dated fact is filtered to on or before as_of here, in the SQL itself, so the same
text gives the same answer whatever later rows the snapshot holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kequn.features.catalog import (
    ASSET_CATEGORY_NAMES,
    CHANNEL_NAMES,
    CONSENT_CHANNELS,
    HELD_CATEGORY_NAMES,
)
from kequn.features.window import Windows, date_sql, ts_sql

ASSETS = tuple(ASSET_CATEGORY_NAMES)
INVESTMENTS = ("wealth", "fund", "insurance")
Step = tuple[str, str]  # (name, SELECT statement)


@dataclass(frozen=True)
class FeatureSettings:
    """Thresholds and codes the definitions depend on (defaults as the catalog describes them)."""

    large_transfer_amount: int = 50_000
    large_cash_amount: int = 50_000  # large-value cash report threshold (DOMAIN.md §4)
    own_bank_names: tuple[str, ...] = ("本行",)  # counterparty_bank values meaning this bank
    passive_kinds: tuple[str, ...] = ("interest", "fee")  # booked by the bank, not the customer
    dormant_days: int = 180
    new_customer_days: int = 90
    senior_age: int = 65
    login_event: str = "login"
    view_event: str = "view_product"
    search_event: str = "search"
    purchase_event: str = "purchase"


def lit(value: str) -> str:
    """A SQL string literal (settings are configuration, but quoted all the same)."""
    return "'" + value.replace("'", "''") + "'"


def in_list(values: tuple[str, ...]) -> str:
    return ", ".join(lit(v) for v in values)


def customers(w: Windows) -> Step:
    """Customers known on as_of; a risk assessment made after as_of is not yet known.

    Later steps join and group on ``customer_key`` (and ``account_key``), integer surrogates numbered
    in id order: grouping, joining and sorting on integers is about twice as fast as on the ids.
    """
    d = date_sql(w.as_of)
    return (
        "f_customer",
        "SELECT customer_id, CAST(row_number() OVER (ORDER BY customer_id) AS BIGINT) AS customer_key,"
        " gender, birth_date, city, org_id, rm_id, occupation, education, marital,"
        " income_band, opened_on, status, wecom_id,"
        f" CASE WHEN risk_assessed_on > {d} THEN NULL ELSE risk_level END AS risk_level,"
        f" CASE WHEN risk_assessed_on > {d} THEN NULL ELSE risk_assessed_on END AS risk_assessed_on"
        f" FROM customer WHERE opened_on IS NULL OR opened_on <= {d}",
    )


def links() -> Step:
    """The crosswalk restricted to customers known on as_of, with their integer key."""
    return (
        "f_link",
        "SELECT l.source, l.source_key, c.customer_key FROM source_link l"
        " JOIN f_customer c ON c.customer_id = l.customer_id",
    )


def accounts(w: Windows) -> Step:
    """Accounts opened on or before as_of, reached through the crosswalk, with their product."""
    d = date_sql(w.as_of)
    return (
        "f_account",
        "SELECT l.customer_key, a.account_id,"
        " CAST(row_number() OVER (ORDER BY a.account_id) AS BIGINT) AS account_key,"
        " a.product_id, p.category, p.risk_rating, a.credit_limit, a.maturity_on, a.opened_on,"
        f" CASE WHEN a.closed_on IS NOT NULL THEN a.closed_on > {d}"
        "  WHEN a.status = 'C' THEN FALSE ELSE TRUE END AS is_open"
        " FROM account a"
        " JOIN f_link l ON l.source = a.party_source AND l.source_key = a.party_key"
        " LEFT JOIN product p ON p.product_id = a.product_id"
        f" WHERE a.opened_on IS NULL OR a.opened_on <= {d}",
    )


MONTHS_BACK = (0, 1, 2, 3, 4, 5, 6)  # months with balance-days: averages, trends, 6-month maximum


def _spans(w: Windows) -> str:
    """Each balance row on or before as_of with the day the next row replaces it (its span's end).

    The last row of an account holds through as_of, so its span ends the day after as_of.
    """
    return (
        "SELECT a.account_key, b.day, CAST(b.balance * 100 AS DOUBLE) AS cents,"
        " coalesce(lead(b.day) OVER (PARTITION BY a.account_key ORDER BY b.day),"
        f" {date_sql(w.next_day)}) AS next_day"
        " FROM balance b JOIN f_account a ON a.account_id = b.account_id"
        f" WHERE b.day <= {date_sql(w.as_of)}"
    )


def _balance_on(day: str) -> str:
    return f"sum(cents) FILTER (WHERE day <= {day} AND next_day > {day})"


def _balance_days(w: Windows, back: int) -> str:
    """Cents x days of each span's overlap with a month: summed, / days = the monthly average."""
    m = w.month(back)
    start, end = date_sql(m.start), date_sql(m.end)
    overlap = f"date_diff('day', greatest(day, {start}), least(next_day, {end}))"
    return f"sum(cents * {overlap}) FILTER (WHERE day < {end} AND next_day > {start})"


def account_balances(w: Windows) -> Step:
    """Per account: balance on as_of and 30 days before, and balance-days of each recent month.

    Money is summed as whole cents in DOUBLE: exact (integers below 2**53) whatever the order of
    addition, so every engine and every run agrees to the cent, and cheaper than DECIMAL sums.
    """
    return (
        "f_account_balance",
        "SELECT account_key,"
        f" {_balance_on(date_sql(w.as_of))} AS bal_today,"
        f" {_balance_on(date_sql(w.days_ago(30)))} AS bal_30d_ago,"
        + ",".join(f" {_balance_days(w, k)} AS bd_m{k}" for k in MONTHS_BACK)
        + f" FROM ({_spans(w)}) s GROUP BY account_key",
    )


# Measures over nested windows (30 within 90 within 180 days) are summed per account over disjoint
# bands, so a transaction updates one band instead of every window containing it (a third fewer
# aggregate updates); the customer roll-up adds the bands back up. (base, aggregate, filter, windows)
NESTED: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("nin", "count(*)", "direction = 'in'", (30, 90, 180)),
    ("nout", "count(*)", "direction = 'out'", (30, 90, 180)),
    ("in", "sum(cents)", "direction = 'in'", (30, 90, 180)),
    ("out", "sum(cents)", "direction = 'out'", (30, 90, 180)),
    ("pur", "sum(cents)", "kind = 'purchase' AND direction = 'out'", (30, 90)),
)


def _band(base: str, windows: tuple[int, ...], i: int) -> str:
    """Alias of band i: the first band is the whole first window (``in30``), then ``in_30_90`` ..."""
    return f"{base}{windows[0]}" if i == 0 else f"{base}_{windows[i - 1]}_{windows[i]}"


def _nested_aggregates(w: Windows) -> list[tuple[str, str, str]]:
    out = []
    for base, agg, cond, windows in NESTED:
        for i, n in enumerate(windows):
            band = f"ts >= {ts_sql(w.days_start(n))}"
            if i:
                band += f" AND ts < {ts_sql(w.days_start(windows[i - 1]))}"
            out.append((_band(base, windows, i), agg, f"{cond} AND {band}"))
    return out


def _nested_rollup() -> list[str]:
    """Per customer window totals from the per-account bands; n (all transactions) = nin + nout."""
    out = []
    for base, _, _, windows in NESTED:
        for i, n in enumerate(windows):
            out.append(f"sum({_band_sum(base, windows, i)}) AS {base}{n}")
    for i, n in enumerate((30, 90, 180)):
        both = " + ".join(_band_sum(base, (30, 90, 180), i) for base in ("nin", "nout"))
        out.append(f"sum({both}) AS n{n}")
    return out


def _band_sum(base: str, windows: tuple[int, ...], i: int) -> str:
    return " + ".join(f"coalesce(t.{_band(base, windows, j)}, 0)" for j in range(i + 1))


def _txn_aggregates(w: Windows, s: FeatureSettings) -> list[tuple[str, str, str]]:
    """(alias, aggregate, filter) per account for every single-window measure."""
    t30, t90 = (ts_sql(w.days_start(n)) for n in (30, 90))
    out_other_bank = (
        "kind = 'transfer' AND direction = 'out' AND counterparty_bank IS NOT NULL"
        f" AND counterparty_bank <> '' AND counterparty_bank NOT IN ({in_list(s.own_bank_names)})"
    )
    aggs = [(f"ch_{k}", "count(*)", f"channel = '{c[0]}' AND ts >= {t90}") for k, c in CHANNEL_NAMES.items()]
    kinds = (
        ("pur_n30", "count(*)", "kind = 'purchase' AND direction = 'out'", t30),
        ("cash_out90", "sum(cents)", "kind = 'cash' AND direction = 'out'", t90),
        ("cash_in90", "sum(cents)", "kind = 'cash' AND direction = 'in'", t90),
        ("trf_in90", "sum(cents)", "kind = 'transfer' AND direction = 'in'", t90),
        ("trf_out90", "sum(cents)", "kind = 'transfer' AND direction = 'out'", t90),
        ("rep_out90", "sum(cents)", "kind = 'repayment' AND direction = 'out'", t90),
        ("rep_in90", "sum(cents)", "kind = 'repayment' AND direction = 'in'", t90),
        ("int90", "sum(cents)", "kind = 'interest'", t90),
        ("fee90", "sum(cents)", "kind = 'fee'", t90),
        ("sal_n90", "count(*)", "kind = 'salary' AND direction = 'in'", t90),
        ("sal90", "sum(cents)", "kind = 'salary' AND direction = 'in'", t90),
        ("lto_n30", "count(*)", f"{out_other_bank} AND cents >= {s.large_transfer_amount * 100}", t30),
        ("lto30", "sum(cents)", f"{out_other_bank} AND cents >= {s.large_transfer_amount * 100}", t30),
        ("oto30", "sum(cents)", out_other_bank, t30),
        ("max90", "max(cents)", "TRUE", t90),
        ("lcash_n30", "count(*)", f"kind = 'cash' AND cents >= {s.large_cash_amount * 100}", t30),
        ("xb_n90", "count(*)", "cross_border", t90),
    )
    aggs += [(alias, agg, f"{cond} AND ts >= {t}") for alias, agg, cond, t in kinds]
    active = f"kind IS NULL OR kind NOT IN ({in_list(s.passive_kinds)})"
    aggs.append(("last_active", "max(ts)", active))
    return aggs


def account_transactions(w: Windows, s: FeatureSettings) -> Step:
    """Per account, one pass over the transactions up to the end of as_of (money in whole cents)."""
    rows = (
        "SELECT a.account_key, t.ts, CAST(t.amount * 100 AS DOUBLE) AS cents, t.direction, t.kind,"
        " t.channel, t.counterparty_bank, t.cross_border"
        f" FROM txn t JOIN f_account a ON a.account_id = t.account_id WHERE t.ts < {ts_sql(w.next_day)}"
    )
    aggs = _nested_aggregates(w) + _txn_aggregates(w, s)
    cols = ", ".join(f"{agg} FILTER (WHERE {cond}) AS {alias}" for alias, agg, cond in aggs)
    return (
        "f_account_txn",
        f"SELECT account_key, {cols} FROM ({rows}) t GROUP BY account_key",
    )


def _by_category(expr: str, category: str) -> str:
    return f"sum(CASE WHEN a.category = '{category}' THEN {expr} END)"


def _balance_columns() -> list[str]:
    assets = f"a.category IN ({in_list(ASSETS)})"
    cols = [f"sum(CASE WHEN {assets} THEN b.{c} END) AS {c}" for c in ("bal_today", "bal_30d_ago")]
    cols += [f"sum(CASE WHEN {assets} THEN b.bd_m{k} END) AS bd_m{k}" for k in MONTHS_BACK]
    for cat in ASSETS:
        cols += [
            f"{_by_category('b.bal_today', cat)} AS bal_{cat}",
            f"{_by_category('b.bd_m0', cat)} AS bd_{cat}",
        ]
    return cols + [
        f"{_by_category('b.bal_today', 'loan')} AS loan_balance",
        f"{_by_category('b.bal_today', 'credit_card')} AS card_exported_balance",
    ]


def _holding_columns(w: Windows) -> list[str]:
    d, d30 = date_sql(w.as_of), date_sql(w.days_after(30))
    maturing = f"a.category = 'time_deposit' AND a.is_open AND a.maturity_on > {d} AND a.maturity_on <= {d30}"
    cols = [
        "count(*) FILTER (WHERE a.category = 'loan' AND a.is_open) AS loan_count",
        "sum(CAST(a.credit_limit * 100 AS DOUBLE)) FILTER (WHERE a.category = 'credit_card' AND a.is_open)"
        " AS card_limit",
        "count(DISTINCT CASE WHEN a.is_open THEN a.product_id END) AS product_count",
        "count(*) FILTER (WHERE a.is_open) AS account_count",
        f"sum(b.bal_today) FILTER (WHERE {maturing}) AS td_maturing",
        f"count(*) FILTER (WHERE {maturing}) AS td_maturing_n",
        "max(a.risk_rating) FILTER (WHERE a.is_open) AS max_risk",
        "max(a.opened_on) AS last_open",
    ]
    return cols + [
        f"count(*) FILTER (WHERE a.is_open AND a.category = '{c}') AS open_{c}" for c in HELD_CATEGORY_NAMES
    ]


def customer_accounts(w: Windows) -> Step:
    """Per customer: assets, liabilities and holdings rolled up from the accounts' balances."""
    return (
        "f_customer_account",
        f"SELECT a.customer_key, {', '.join(_balance_columns() + _holding_columns(w))}"
        " FROM f_account a LEFT JOIN f_account_balance b ON b.account_key = a.account_key"
        " GROUP BY a.customer_key",
    )


def customer_transactions(w: Windows, s: FeatureSettings) -> Step:
    """Per customer transaction totals from the accounts that have transactions.

    A credit card without exported balances gets an estimate: its 30 days' debits - credits, >= 0.
    """
    sums = _nested_rollup() + [
        f"{'max' if agg.startswith('max') else 'sum'}(t.{a}) AS {a}" for a, agg, _ in _txn_aggregates(w, s)
    ]
    card = "a.category = 'credit_card'"
    sums += [
        f"sum(t.pur30) FILTER (WHERE {card}) AS card_spend30",
        f"sum(t.rep_in90) FILTER (WHERE {card}) AS card_rep_in90",
        "sum(greatest(coalesce(t.out30, 0) - coalesce(t.in30, 0), 0))"
        f" FILTER (WHERE {card} AND b.account_key IS NULL) AS card_estimate",
    ]
    return (
        "f_customer_txn",
        f"SELECT a.customer_key, {', '.join(sums)}"
        " FROM f_account_txn t JOIN f_account a ON a.account_key = t.account_key"
        " LEFT JOIN f_account_balance b ON b.account_key = t.account_key"
        " GROUP BY a.customer_key",
    )


def app_activity(w: Windows, s: FeatureSettings) -> Step:
    """Per customer app activity; events are reduced per app user before the crosswalk join."""
    t7, t30, t90 = (ts_sql(w.days_start(n)) for n in (7, 30, 90))
    login, view = f"e.name = {lit(s.login_event)}", f"e.name = {lit(s.view_event)}"
    per_user = (
        "SELECT e.party_source, e.party_key,"
        f" count(*) FILTER (WHERE {login} AND e.ts >= {t7}) AS logins7,"
        f" count(*) FILTER (WHERE {login} AND e.ts >= {t30}) AS logins30,"
        f" count(*) FILTER (WHERE {login} AND e.ts >= {t90}) AS logins90,"
        f" max(e.ts) FILTER (WHERE {login}) AS last_login,"
        f" count(*) FILTER (WHERE {view} AND e.ts >= {t30}) AS views30,"
        f" count(*) FILTER (WHERE {view} AND e.ts >= {t90}) AS views90,"
        f" count(*) FILTER (WHERE {view} AND e.ts >= {t30} AND p.category IN ({in_list(INVESTMENTS)}))"
        "  AS inv_views30,"
        f" count(*) FILTER (WHERE e.name = {lit(s.search_event)} AND e.ts >= {t30}) AS searches30,"
        f" count(*) FILTER (WHERE e.name = {lit(s.purchase_event)} AND e.ts >= {t30}) AS purchases30"
        " FROM app_event e LEFT JOIN product p ON p.product_id = e.product_id"
        f" WHERE e.ts < {ts_sql(w.next_day)} GROUP BY e.party_source, e.party_key"
    )
    sums = ", ".join(
        f"sum(u.{c}) AS {c}"
        for c in (
            "logins7",
            "logins30",
            "logins90",
            "views30",
            "views90",
            "inv_views30",
            "searches30",
            "purchases30",
        )
    )
    return (
        "f_app",
        f"SELECT l.customer_key, {sums}, max(u.last_login) AS last_login FROM ({per_user}) u"
        " JOIN f_link l ON l.source = u.party_source AND l.source_key = u.party_key"
        " GROUP BY l.customer_key",
    )


def _latest(purpose: str, channel: str | None, granted: bool) -> str:
    """When the latest grant (or refusal) for a purpose (and channel) was recorded."""
    where = f"purpose = '{purpose}'" + (f" AND channel = '{channel}'" if channel else "")
    where += " AND granted" if granted else " AND NOT granted"
    return f"max(coalesce(updated_at, {ts_sql(date(1900, 1, 1))})) FILTER (WHERE {where})"


def _decisions() -> list[tuple[str, str, str | None]]:
    """(alias, purpose, channel): marketing per channel, the other purposes on any channel."""
    out: list[tuple[str, str, str | None]] = [
        (f"mkt_{suffix}", "marketing", channel) for suffix, (channel, _, _) in CONSENT_CHANNELS.items()
    ]
    return [*out, ("profiling", "profiling", None), ("data_sharing", "data_sharing", None)]


def consents(w: Windows) -> Step:
    """Per customer consent: the latest decision on or before as_of wins, a refusal wins a tie.

    Reduced per source record first (latest grant and latest refusal), then over the customer's
    records; granted when the latest grant is later than the latest refusal.
    """
    decisions = _decisions()
    per_record = ", ".join(
        f"{_latest(p, c, True)} AS g_{alias}, {_latest(p, c, False)} AS r_{alias}"
        for alias, p, c in decisions
    )
    records = (
        f"SELECT party_source, party_key, {per_record} FROM consent"
        f" WHERE updated_at IS NULL OR updated_at < {ts_sql(w.next_day)} GROUP BY party_source, party_key"
    )
    latest = ", ".join(f"max(u.g_{a}) AS g_{a}, max(u.r_{a}) AS r_{a}" for a, _, _ in decisions)
    per_customer = (
        f"SELECT l.customer_key, {latest} FROM ({records}) u"
        " JOIN f_link l ON l.source = u.party_source AND l.source_key = u.party_key"
        " GROUP BY l.customer_key"
    )
    granted = ", ".join(
        f"g_{a} IS NOT NULL AND (r_{a} IS NULL OR g_{a} > r_{a}) AS {a}" for a, _, _ in decisions
    )
    return "f_consent", f"SELECT customer_key, {granted} FROM ({per_customer}) d"


def intermediate_steps(w: Windows, s: FeatureSettings) -> list[Step]:
    """Every step before the final projection, in dependency order."""
    return [
        customers(w),
        links(),
        accounts(w),
        account_balances(w),
        account_transactions(w, s),
        customer_accounts(w),
        customer_transactions(w, s),
        app_activity(w, s),
        consents(w),
    ]
