"""OneID on hand-made hard cases inside a generated background; stable ids and overrides across re-runs."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from kequn.core.workspace import init_workspace
from kequn.engine import DuckDBEngine, Warehouse
from kequn.identity import add_merge, add_split, list_overrides, resolve_identity
from kequn.identity.normalize import id_check_char
from tests.identity_fixture import COLUMNS, canonical_select, person_records


def _id(first17: str) -> str:
    return first17 + id_check_char(first17)


ID_T, ID_W1, ID_W2 = _id("11010519800304123"), _id("31011519850505111"), _id("31011519850505222")
ID_C, ID_M, ID_I = _id("44030619900708456"), _id("44010619750102789"), _id("32010219680909321")
ID_I_TYPO = ID_I[:10] + str((int(ID_I[10]) + 1) % 10) + ID_I[11:]
ADDR_W = "上海市浦东新区世纪大道100号"

# source, key, name, gender, birth, id_no, phone, address
CASES = [
    ("core", "T1", "赵明远", "1", "1980-03-04", ID_T, "13900000001", "北京市朝阳区建国路1号"),
    ("app", "T2", "赵明源", None, None, None, "+86 139 0000 0001", None),  # homophone typo, same phone
    ("core", "W1", "王伟", "1", "1985-05-05", ID_W1, "13900000011", ADDR_W),
    ("core", "W2", "王伟", "1", "1985-05-05", ID_W2, "13900000012", ADDR_W),  # same name+birthday+address
    ("crm", "W3", "王伟", "M", "1985-05-05", None, None, ADDR_W),  # could chain W1 and W2
    ("core", "C1", "陈丽华", "2", "1990-07-08", ID_C, "13900000021", "深圳市福田区深南大道8号"),
    ("cards", "C2", "陳麗華", "女", "1990-07-08", None, "+86 139 0000 0021", None),  # traditional, +86
    ("core", "M1", "刘强", "1", "1975-01-02", ID_M, "13900000031", "广州市天河区体育西路10号"),
    ("crm", "M2", "刘强", "M", None, None, "139-0000-0031", "深圳市南山区科技园路8号"),  # moved address
    ("core", "I1", "孙静", "2", "1968-09-09", ID_I, None, "南京市鼓楼区中山路5号"),
    ("cards", "I2", "孙静", "女", "1968-09-09", ID_I_TYPO, None, None),  # ID number typo
    ("core", "N1", "钱新", "1", "2000-02-02", _id("11010120000202555"), "13900000041", "北京市东城区1号"),
]
LATE = {"crm:M2", "core:N1"}  # arrive on day 2: a new record of an existing person, and a new person


def _cases() -> pa.Table:
    rows = []
    for source, key, name, gender, birth, id_no, phone, address in CASES:
        rows.append({"record_id": f"{source}:{key}", "source": source, "source_key": key, "name": name,
                     "gender": gender, "birth_date": date.fromisoformat(birth) if birth else None,
                     "id_no": id_no, "phone": phone, "email": None, "address": address, "city": None,
                     "postcode": None, "opened_on": None})  # fmt: skip
    return pa.Table.from_pylist(rows, schema=BACKGROUND.schema)


BACKGROUND, _ = person_records(400, seed=11)
DAYS = [date(2026, 10, d) for d in (1, 2, 3, 4)]


def _publish(engine: DuckDBEngine, day: date, late: bool) -> None:
    table = pa.concat_tables([BACKGROUND, _cases()])
    if not late:
        table = table.filter(pa.compute.invert(pa.compute.is_in(table["record_id"], pa.array(sorted(LATE)))))
    engine.register("oneid_test_records", table)
    engine.write_snapshot("person_record", day, canonical_select("oneid_test_records", COLUMNS))


def _links(engine: DuckDBEngine, day: date) -> dict[str, str]:
    engine.use_snapshot("source_link", day, alias="l")
    rows = engine.query("SELECT source || ':' || source_key AS r, customer_id FROM l").to_pylist()
    return {r["r"]: r["customer_id"] for r in rows}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("oneid") / "ws")
    engine = DuckDBEngine(Warehouse(ws.warehouse))
    out = {}
    for day in DAYS:
        if day == DAYS[2]:
            add_split(ws.database_url, ("app", "T2"), "qa", "different person, confirmed by phone call")
            add_merge(ws.database_url, ("core", "C1"), ("core", "M1"), "qa", "test merge")
        _publish(engine, day, late=day != DAYS[0])
        report = resolve_identity(engine, day, store_url=ws.database_url)
        out[day] = (_links(engine, day), report)
    out["overrides"] = list_overrides(ws.database_url)
    engine.use_snapshot("customer", DAYS[1], alias="c")
    out["customer"] = engine.query("SELECT * FROM c").to_pylist()
    engine.close()
    return out


def test_hard_cases_resolve(runs):
    links, report = runs[DAYS[1]]
    assert links["core:T1"] == links["app:T2"], "homophone typo with the same phone"
    assert links["core:W1"] != links["core:W2"], "same name and birthday, different valid ID numbers"
    assert links["core:C1"] == links["cards:C2"], "traditional characters and +86 phone"
    assert links["core:M1"] == links["crm:M2"], "moved address, same phone"
    assert links["core:I1"] == links["cards:I2"], "ID number with a typo"
    assert report.records == BACKGROUND.num_rows + len(CASES)
    assert report.deterministic_pairs > 0 and report.splink_pairs > 0


def test_ids_are_stable_when_records_are_added(runs):
    before, after = runs[DAYS[0]][0], runs[DAYS[1]][0]
    assert all(after[r] == cid for r, cid in before.items())
    assert after["crm:M2"] == before["core:M1"]
    assert after["core:N1"] not in set(before.values())
    assert after["core:N1"] > max(before.values())


def test_overrides_apply_and_survive_reruns(runs):
    day2, day3, day4 = runs[DAYS[1]][0], runs[DAYS[2]][0], runs[DAYS[3]][0]
    for links in (day3, day4):
        assert links["app:T2"] != links["core:T1"]
        assert links["core:C1"] == links["core:M1"] == links["cards:C2"] == links["crm:M2"]
    assert day3["core:T1"] == day2["core:T1"], "the part keeping most records keeps the id"
    assert day3["app:T2"] not in set(day2.values()), "the split-off part gets a new id"
    assert day4 == day3
    assert [o.kind for o in runs["overrides"]] == ["split", "merge"]


def test_golden_record_prefers_core(runs):
    links = runs[DAYS[1]][0]
    golden = {c["customer_id"]: c for c in runs["customer"]}
    chen = golden[links["core:C1"]]
    assert chen["name"] == "陈丽华" and chen["id_no"] == ID_C and chen["phone"] == "13900000021"
    assert chen["record_count"] == 2
    assert sum(c["record_count"] for c in runs["customer"]) == len(links)
