"""Canonical warehouse tables: the one layout every source is mapped into.

Types are DuckDB SQL types; the same names are valid Spark SQL after sqlglot transpiles them.
A column marked ``pii`` holds C2 personal data (DOMAIN.md §3): masked on display, never logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    pii: bool = False


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # (column, referenced table, referenced column): checked on ingest against the same snapshot.
    references: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _cols(spec: str) -> tuple[Column, ...]:
    """Parse ``"name type [required] [pii], ..."`` into columns (keeps the table list readable)."""
    out = []
    for part in re.split(r",(?![^(]*\))", spec):  # commas inside DECIMAL(18,2) do not split
        words = part.split()
        out.append(Column(words[0], words[1], "required" in words[2:], "pii" in words[2:]))
    return tuple(out)


# One row per person record in one source system, before identity resolution.
PERSON_RECORD = TableSchema(
    "person_record",
    _cols(
        "record_id VARCHAR required, source VARCHAR required, source_key VARCHAR required,"
        "name VARCHAR, gender VARCHAR, birth_date DATE, id_type VARCHAR, id_no VARCHAR pii,"
        "phone VARCHAR pii, email VARCHAR pii, address VARCHAR pii, city VARCHAR, postcode VARCHAR,"
        "occupation VARCHAR, education VARCHAR, marital VARCHAR, income_band VARCHAR,"
        "opened_on DATE, org_id VARCHAR, rm_id VARCHAR, risk_level INTEGER, risk_assessed_on DATE,"
        "status VARCHAR, wecom_id VARCHAR, app_user_id VARCHAR"
    ),
    key=("record_id",),
)

ORG = TableSchema(
    "org",
    _cols("org_id VARCHAR required, name VARCHAR required, level VARCHAR required, parent_id VARCHAR"),
    key=("org_id",),
)

STAFF = TableSchema(
    "staff",
    _cols("staff_id VARCHAR required, name VARCHAR, org_id VARCHAR required, role VARCHAR, max_book INTEGER"),
    key=("staff_id",),
    references=(("org_id", "org", "org_id"),),
)

PRODUCT = TableSchema(
    "product",
    _cols(
        "product_id VARCHAR required, name VARCHAR, category VARCHAR required, risk_rating INTEGER,"
        "min_amount DECIMAL(18,2), term_days INTEGER, rate DOUBLE"
    ),
    key=("product_id",),
)

# Accounts point at the person record that owns them (party_source, party_key); the customer_id is
# reached through source_link after identity resolution, so re-running OneID never rewrites facts.
ACCOUNT = TableSchema(
    "account",
    _cols(
        "account_id VARCHAR required pii, party_source VARCHAR required, party_key VARCHAR required,"
        "product_id VARCHAR required, opened_on DATE, closed_on DATE, status VARCHAR, currency VARCHAR,"
        "maturity_on DATE, credit_limit DECIMAL(18,2)"
    ),
    key=("account_id",),
    references=(("product_id", "product", "product_id"),),
)

# Sparse end-of-day balances: one row per account per day the balance changed (DESIGN.md Storage).
BALANCE = TableSchema(
    "balance",
    _cols("account_id VARCHAR required pii, day DATE required, balance DECIMAL(18,2) required"),
    key=("account_id", "day"),
    references=(("account_id", "account", "account_id"),),
)

TXN = TableSchema(
    "txn",
    _cols(
        "txn_id VARCHAR required, account_id VARCHAR required pii, ts TIMESTAMP required,"
        "amount DECIMAL(18,2) required, direction VARCHAR required, channel VARCHAR, kind VARCHAR,"
        "counterparty_account VARCHAR pii, counterparty_name VARCHAR, counterparty_bank VARCHAR,"
        "cross_border BOOLEAN, currency VARCHAR"
    ),
    key=("txn_id",),
    references=(("account_id", "account", "account_id"),),
)

CONSENT = TableSchema(
    "consent",
    _cols(
        "party_source VARCHAR required, party_key VARCHAR required, purpose VARCHAR required,"
        "channel VARCHAR required, granted BOOLEAN required, updated_at TIMESTAMP, source VARCHAR"
    ),
    key=("party_source", "party_key", "purpose", "channel"),
)

APP_EVENT = TableSchema(
    "app_event",
    _cols(
        "event_id VARCHAR required, party_source VARCHAR required, party_key VARCHAR required,"
        "device_id VARCHAR, ts TIMESTAMP required, name VARCHAR required, page VARCHAR,"
        "product_id VARCHAR, props VARCHAR"
    ),
    key=("event_id",),
)

FEEDBACK = TableSchema(
    "feedback",
    _cols(
        "feedback_id VARCHAR required, party_source VARCHAR, party_key VARCHAR, phone VARCHAR pii,"
        "ts TIMESTAMP required, channel VARCHAR, text VARCHAR, score INTEGER"
    ),
    key=("feedback_id",),
)

RELATION = TableSchema(
    "relation",
    _cols(
        "from_id VARCHAR required, to_id VARCHAR required, kind VARCHAR required, share DOUBLE, since DATE"
    ),
    key=("from_id", "to_id", "kind"),
)

# Written by identity: the crosswalk from every person record to its customer.
SOURCE_LINK = TableSchema(
    "source_link",
    _cols(
        "source VARCHAR required, source_key VARCHAR required, customer_id VARCHAR required,"
        "match_weight DOUBLE, rule VARCHAR, linked_at TIMESTAMP"
    ),
    key=("source", "source_key"),
)

# Written by identity: one golden record per customer (survivorship over its person records).
CUSTOMER = TableSchema(
    "customer",
    _cols(
        "customer_id VARCHAR required, kind VARCHAR, name VARCHAR, gender VARCHAR, birth_date DATE,"
        "id_type VARCHAR, id_no VARCHAR pii, phone VARCHAR pii, email VARCHAR pii, address VARCHAR pii,"
        "city VARCHAR, occupation VARCHAR, education VARCHAR, marital VARCHAR, income_band VARCHAR,"
        "opened_on DATE, org_id VARCHAR, rm_id VARCHAR, risk_level INTEGER, risk_assessed_on DATE,"
        "status VARCHAR, wecom_id VARCHAR, record_count INTEGER"
    ),
    key=("customer_id",),
)

TABLES: dict[str, TableSchema] = {
    t.name: t
    for t in (
        PERSON_RECORD,
        ORG,
        STAFF,
        PRODUCT,
        ACCOUNT,
        BALANCE,
        TXN,
        CONSENT,
        APP_EVENT,
        FEEDBACK,
        RELATION,
        SOURCE_LINK,
        CUSTOMER,
    )
}


def table(name: str) -> TableSchema:
    """The canonical schema called ``name``; raises KeyError for an unknown table."""
    return TABLES[name]
