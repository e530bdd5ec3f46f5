"""A small hand-made bank for the feature tests: five customers with known balances, transactions,
app events and consents from May to October 2026, and some facts dated after as_of.

Balances and transactions are set independently (features read each on its own), so every expected
value in tests/test_features*.py can be worked out by hand from the rows below; the comments show how.
"""

from __future__ import annotations

from datetime import date

from kequn.engine import Engine

AS_OF = date(2026, 10, 31)


def _values(rows: list[tuple], columns: str) -> str:
    """A SELECT over literal rows; each value is already SQL text (so NULL and DATE '...' work)."""
    body = ", ".join("(" + ", ".join(str(v) for v in row) + ")" for row in rows)
    return f"SELECT * FROM (VALUES {body}) t({columns})"


def d(text: str) -> str:
    return f"DATE '{text}'"


def ts(text: str) -> str:
    return f"TIMESTAMP '{text}'"


def s(text: str) -> str:
    return f"'{text}'"


NULL = "NULL"

CUSTOMER_COLUMNS = (
    "customer_id, kind, name, gender, birth_date, id_type, id_no, phone, email, address, city,"
    " occupation, education, marital, income_band, opened_on, org_id, rm_id, risk_level,"
    " risk_assessed_on, status, wecom_id, record_count"
)


def _customer(cid, name, gender, birth, opened, org, rm, risk, assessed, wecom, records) -> tuple:
    return (
        s(cid), s("person"), s(name), s(gender), d(birth), s("01"), s("110101199001011234"),
        s("13800000000"), NULL, s("上海市某路1号"), s("上海市"), s("职员"), s("本科"), s("已婚"),
        s("10-30万"), d(opened), s(org), rm, risk, assessed, s("A"), wecom, records,
    )  # fmt: skip


CUSTOMERS = [
    # K1: 65 on D (birthday Nov 15 still to come); assessment exactly one year old -> expired.
    _customer("K1", "陈一", "F", "1960-11-15", "2010-01-01", "B01S01", s("S001"), 3, d("2025-10-31"),
              s("wx1"), 3),
    # K2: opened Sep 1 (a new customer), never assessed.
    _customer("K2", "王二", "M", "1990-01-02", "2026-09-01", "B01S01", NULL, NULL, NULL, NULL, 1),
    # K3: 71, only old activity -> dormant.
    _customer("K3", "张三", "F", "1955-06-01", "2015-03-01", "B01S02", s("S002"), 2, d("2026-03-01"),
              s("wx3"), 2),
    # K4: opened after D -> not a customer yet on D.
    _customer("K4", "李四", "M", "1985-05-05", "2026-11-15", "B01S02", NULL, NULL, NULL, NULL, 1),
    # K5: no accounts at all.
    _customer("K5", "赵五", "M", "1980-07-07", "2020-01-01", "B01S02", NULL, NULL, NULL, NULL, 1),
]  # fmt: skip

LINKS = [
    ("core", "C1", "K1"),
    ("app", "U1", "K1"),
    ("cards", "CK1", "K1"),
    ("core", "C2", "K2"),
    ("core", "C3", "K3"),
    ("crm", "R3", "K3"),
    ("core", "C4", "K4"),
    ("core", "C5", "K5"),
]

PRODUCTS = [
    ("P_DD", "活期", "demand_deposit", 1),
    ("P_TD", "定期", "time_deposit", 1),
    ("P_WM", "理财", "wealth", 4),
    ("P_CC", "信用卡", "credit_card", 1),
    ("P_LN", "消费贷", "loan", 1),
]

ACCOUNT_COLUMNS = (
    "account_id, party_source, party_key, product_id, opened_on, closed_on, status, currency, maturity_on,"
    " credit_limit"
)


def _account(aid, source, key, product, opened, maturity=NULL, limit=NULL, closed=NULL) -> tuple:
    return (s(aid), s(source), s(key), s(product), d(opened), closed, s("N"), s("CNY"), maturity, limit)


ACCOUNTS = [
    _account("A1", "core", "C1", "P_DD", "2010-01-01"),
    _account("A2", "core", "C1", "P_TD", "2026-06-01", maturity=d("2026-11-20")),  # matures in 20 days
    _account("A3", "core", "C1", "P_WM", "2026-09-15"),
    _account("A4", "cards", "CK1", "P_CC", "2018-01-01", limit="20000.00"),  # no exported balances
    _account("B1", "core", "C2", "P_DD", "2026-09-01"),
    _account("B2", "core", "C2", "P_LN", "2026-09-01"),
    _account("C1", "core", "C3", "P_DD", "2015-03-01"),
    _account("D1", "core", "C4", "P_DD", "2026-11-15"),
]

BALANCES = [
    # A1: 10,000 from May 1, 20,000 from Jul 16, 40,000 from Oct 11.
    #   July: (15 * 10,000 + 16 * 20,000) / 31; October: (10 * 20,000 + 21 * 40,000) / 31.
    ("A1", "2026-05-01", "10000.00"),
    ("A1", "2026-07-16", "20000.00"),
    ("A1", "2026-10-11", "40000.00"),
    ("A2", "2026-06-01", "100000.00"),
    # A3: 50,000 from Sep 15, valued 60,000 on D. October: (30 * 50,000 + 60,000) / 31.
    ("A3", "2026-09-15", "50000.00"),
    ("A3", "2026-10-31", "60000.00"),
    ("B1", "2026-09-01", "1000.00"),
    ("B2", "2026-09-01", "50000.00"),
    ("B2", "2026-10-20", "48000.00"),
    ("C1", "2026-01-01", "500.00"),
]

TXN_COLUMNS = (
    "txn_id, account_id, ts, amount, direction, channel, kind, counterparty_account, counterparty_name,"
    " counterparty_bank, cross_border, currency"
)


def _txn(tid, account, when, amount, direction, channel, kind, bank=NULL, cross="false") -> tuple:
    return (
        s(tid),
        s(account),
        ts(when),
        amount,
        s(direction),
        s(channel),
        s(kind),
        NULL,
        NULL,
        bank,
        cross,
        s("CNY"),
    )


TXNS = [
    # Windows on D = 2026-10-31: 30 days from Oct 2, 90 days from Aug 3, 180 days from May 5.
    _txn("T1", "A1", "2026-10-25 09:00:00", "15000.00", "in", "API", "salary", s("本行")),
    _txn("T2", "A1", "2026-09-25 09:00:00", "15000.00", "in", "API", "salary", s("本行")),
    _txn("T3", "A1", "2026-08-25 09:00:00", "15000.00", "in", "API", "salary", s("本行")),
    _txn("T4", "A1", "2026-10-28 14:00:00", "60000.00", "out", "MOB", "transfer", s("招商银行")),
    _txn("T5", "A1", "2026-10-05 10:00:00", "5000.00", "out", "NET", "transfer", s("本行")),
    _txn("T6", "A1", "2026-10-30 11:00:00", "2000.00", "out", "ATM", "cash"),
    _txn("T7", "A1", "2026-09-21 01:00:00", "10.00", "in", "API", "interest"),
    _txn("T8", "A1", "2026-06-01 10:00:00", "20000.00", "in", "CNT", "transfer", s("中国银行")),
    _txn("T9", "A4", "2026-10-20 12:00:00", "3000.00", "out", "POS", "purchase"),
    _txn("T10", "A4", "2026-10-25 12:00:00", "1000.00", "in", "POS", "repayment"),
    _txn("T11", "A4", "2026-09-01 12:00:00", "500.00", "out", "POS", "purchase", cross="true"),
    _txn("T12", "C1", "2026-09-21 01:00:00", "0.50", "in", "API", "interest"),
    _txn("T13", "C1", "2026-03-01 10:00:00", "100.00", "out", "ATM", "cash"),
]

EVENT_COLUMNS = "event_id, party_source, party_key, device_id, ts, name, page, product_id, props"


def _event(eid, when, name, product=NULL) -> tuple:
    return (s(eid), s("app"), s("U1"), s("dev1"), ts(when), s(name), s("p"), product, NULL)


EVENTS = [
    _event("E1", "2026-10-30 08:00:00", "login"),  # 7 days from Oct 25
    _event("E2", "2026-10-30 08:01:00", "view_product", s("P_WM")),
    _event("E3", "2026-10-30 08:02:00", "search"),
    _event("E4", "2026-10-30 08:03:00", "purchase", s("P_WM")),
    _event("E5", "2026-10-10 08:00:00", "login"),
    _event("E6", "2026-10-20 08:01:00", "view_product", s("P_DD")),
    _event("E7", "2026-08-15 08:00:00", "login"),
    _event("E8", "2026-09-01 08:01:00", "view_product", s("P_WM")),
]

CONSENT_COLUMNS = "party_source, party_key, purpose, channel, granted, updated_at, source"


def _consent(source, key, purpose, channel, granted, when) -> tuple:
    return (s(source), s(key), s(purpose), s(channel), granted, ts(when), s("branch"))


CONSENTS = [
    _consent("core", "C1", "marketing", "sms", "true", "2026-01-01 00:00:00"),
    # app push: refused on the core record, granted later on the app record -> granted.
    _consent("core", "C1", "marketing", "app_push", "false", "2026-03-01 00:00:00"),
    _consent("app", "U1", "marketing", "app_push", "true", "2026-05-01 00:00:00"),
    # WeCom: granted and refused at the same moment -> the refusal wins.
    _consent("core", "C1", "marketing", "wecom", "true", "2026-06-01 00:00:00"),
    _consent("app", "U1", "marketing", "wecom", "false", "2026-06-01 00:00:00"),
    # phone: granted only after D -> not known on D.
    _consent("core", "C1", "marketing", "phone", "true", "2026-12-01 00:00:00"),
    _consent("core", "C1", "profiling", "sms", "true", "2026-01-01 00:00:00"),
]


def tables() -> dict[str, str]:
    link_rows = [(s(a), s(b), s(c), "1.0", s("rule"), ts("2026-10-31 00:00:00")) for a, b, c in LINKS]
    product_rows = [(s(p), s(n), s(c), r, 0, NULL, 0.0) for p, n, c, r in PRODUCTS]
    balance_rows = [(s(a), d(day), amount) for a, day, amount in BALANCES]
    return {
        "customer": _values(CUSTOMERS, CUSTOMER_COLUMNS),
        "source_link": _values(link_rows, "source, source_key, customer_id, match_weight, rule, linked_at"),
        "product": _values(
            product_rows, "product_id, name, category, risk_rating, min_amount, term_days, rate"
        ),
        "account": _values(ACCOUNTS, ACCOUNT_COLUMNS),
        "balance": _values(balance_rows, "account_id, day, balance")
        .replace("SELECT *", "SELECT account_id, day, CAST(balance AS DECIMAL(18,2)) AS balance"),
        "txn": _values(TXNS, TXN_COLUMNS).replace("SELECT *", _TXN_SELECT),
        "app_event": _values(EVENTS, EVENT_COLUMNS),
        "consent": _values(CONSENTS, CONSENT_COLUMNS),
    }  # fmt: skip


_TXN_SELECT = (
    "SELECT txn_id, account_id, ts, CAST(amount AS DECIMAL(18,2)) AS amount, direction, channel, kind,"
    " CAST(counterparty_account AS VARCHAR) AS counterparty_account,"
    " CAST(counterparty_name AS VARCHAR) AS counterparty_name,"
    " CAST(counterparty_bank AS VARCHAR) AS counterparty_bank, cross_border, currency"
)

# Facts dated after D (added to the same snapshot by the point-in-time test): none may change D's features.
LATER = {
    "balance": [("A1", "2026-11-02", "99999.00"), ("D1", "2026-11-15", "777.00")],
    "txn": [
        _txn("T90", "A1", "2026-11-01 00:00:00", "88888.00", "out", "MOB", "transfer", s("招商银行")),
        _txn("T91", "C1", "2026-11-03 10:00:00", "5.00", "out", "POS", "purchase"),
    ],
    "app_event": [_event("E90", "2026-11-01 00:00:01", "login")],
    "consent": [_consent("app", "U1", "marketing", "sms", "false", "2026-11-02 00:00:00")],
    "account": [_account("A9", "core", "C3", "P_WM", "2026-11-05")],
}


def build(engine: Engine, as_of: date = AS_OF, *, with_later_facts: bool = False) -> None:
    """Publish every input table of the bank as snapshot ``as_of``."""
    sql = tables()
    if with_later_facts:
        sql["balance"] += " UNION ALL " + _values(
            [(s(a), d(day), amount) for a, day, amount in LATER["balance"]], "account_id, day, balance"
        )
        sql["txn"] += " UNION ALL " + _values(LATER["txn"], TXN_COLUMNS).replace("SELECT *", _TXN_SELECT)
        sql["app_event"] += " UNION ALL " + _values(LATER["app_event"], EVENT_COLUMNS)
        sql["consent"] += " UNION ALL " + _values(LATER["consent"], CONSENT_COLUMNS)
        sql["account"] += " UNION ALL " + _values(LATER["account"], ACCOUNT_COLUMNS)
    for name, query in sql.items():
        engine.write_snapshot(name, as_of, query)


def features_by_customer(engine: Engine, as_of: date = AS_OF) -> dict[str, dict]:
    """The published features snapshot at ``as_of``, one dict per customer."""
    engine.use_snapshot("features", as_of, alias="computed_features")
    rows = engine.query("SELECT * FROM computed_features ORDER BY customer_id").to_pylist()
    return {r["customer_id"]: {k: v for k, v in r.items() if k != "as_of"} for r in rows}
