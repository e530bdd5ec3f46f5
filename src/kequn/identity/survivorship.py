"""The golden record of each customer: per attribute, the first non-empty value in survivorship order.

Order: core banking first, then cards, app, CRM; within a source the most complete record, then the most
recently opened. Names, phones, ID numbers and addresses come in their normalised form.
"""

from __future__ import annotations

from kequn.identity.normalize import NORM_TABLE

SOURCE_PRIORITY = ("core", "cards", "app", "crm")

# customer column -> expression over p (person_record) / n (normalised record)
FIELDS: dict[str, str] = {
    "name": "n.name_s",
    "gender": "n.gender",
    "birth_date": "n.birth_date",
    "id_type": "p.id_type",
    "phone": "n.phone",
    "email": "n.email",
    "address": "n.address",
    "city": "p.city",
    "occupation": "p.occupation",
    "education": "p.education",
    "marital": "p.marital",
    "income_band": "p.income_band",
    "org_id": "p.org_id",
    "rm_id": "p.rm_id",
    "status": "p.status",
    "wecom_id": "p.wecom_id",
}


def _priority_sql() -> str:
    whens = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SOURCE_PRIORITY))
    return f"CASE n.source {whens} ELSE {len(SOURCE_PRIORITY)} END"


def ranked_sql(links: str, norm: str = NORM_TABLE, records: str = "person_record") -> str:
    """SQL: every record with its customer_id and survivorship rank ``rk`` (1 = preferred)."""
    filled = " + ".join(
        f"(n.{c} IS NOT NULL)::INT" for c in ("name_s", "birth_date", "id_label", "phone", "email", "address")
    )
    return f"""
        SELECT l.customer_id, n.*, {", ".join(f"p.{c} AS p_{c}" for c in _P_COLUMNS)},
               row_number() OVER (
                   PARTITION BY l.customer_id
                   ORDER BY {_priority_sql()}, {filled} DESC, p.opened_on DESC NULLS LAST, n.record_id
               ) AS rk
        FROM {norm} n
        JOIN {records} p USING (record_id)
        JOIN {links} l ON l.source = n.source AND l.source_key = n.source_key
    """


_P_COLUMNS = (
    "id_type", "city", "occupation", "education", "marital", "income_band", "org_id", "rm_id", "status",
    "wecom_id", "opened_on", "risk_level", "risk_assessed_on",
)  # fmt: skip


def _pick(expr: str) -> str:
    col = expr.replace("p.", "p_").replace("n.", "")
    return f"arg_min({col}, rk) FILTER (WHERE {col} IS NOT NULL)"


def customer_sql(links: str, norm: str = NORM_TABLE, records: str = "person_record") -> str:
    """SQL: one golden row per customer, columns in the canonical CUSTOMER order."""
    f = {name: _pick(expr) for name, expr in FIELDS.items()}
    id_no = (
        "coalesce(arg_min(id_no, rk) FILTER (WHERE id_valid), "
        "arg_min(id_no, rk) FILTER (WHERE id_no IS NOT NULL))"
    )
    risk = (
        "arg_max(p_risk_level, coalesce(p_risk_assessed_on, DATE '1900-01-01')) "
        "FILTER (WHERE p_risk_level IS NOT NULL)"
    )
    return f"""
        SELECT customer_id, 'person' AS kind, {f["name"]} AS name, {f["gender"]} AS gender,
               {f["birth_date"]} AS birth_date, {f["id_type"]} AS id_type, {id_no} AS id_no,
               {f["phone"]} AS phone, {f["email"]} AS email, {f["address"]} AS address, {f["city"]} AS city,
               {f["occupation"]} AS occupation, {f["education"]} AS education, {f["marital"]} AS marital,
               {f["income_band"]} AS income_band, min(p_opened_on) AS opened_on, {f["org_id"]} AS org_id,
               {f["rm_id"]} AS rm_id, {risk} AS risk_level, max(p_risk_assessed_on) AS risk_assessed_on,
               {f["status"]} AS status, {f["wecom_id"]} AS wecom_id, count(*)::INTEGER AS record_count
        FROM ({ranked_sql(links, norm, records)})
        GROUP BY customer_id
    """
