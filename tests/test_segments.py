"""Segments (智慧分群): counts, uploads, overlap, profiles and membership per snapshot against direct SQL.

The snapshots are hand-made here (features, tags, tiers, customer) so every expected figure is a plain
SQL query over the same Parquet files, independent of the segment code.
"""

from __future__ import annotations

from datetime import date

import pytest

from kequn.core.errors import NotFound, UserInputError
from kequn.engine import Engine
from kequn.tags import segments as seg
from kequn.tags.segment_store import list_size
from kequn.tags.segment_upload import parse_id_text

D1 = date(2024, 3, 31)
D2 = date(2024, 4, 30)
OWNER = "analyst"


def _cid(i: str) -> str:
    return f"'K' || lpad(CAST({i} AS VARCHAR), 10, '0')"


def write_base(engine: Engine, day: date, customers: int, shift: int) -> None:
    """features, tags, tiers and customer snapshots of ``customers`` people; ``shift`` moves values by day."""
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE base_src AS SELECT"
        f" {_cid('i')} AS customer_id,"
        " CASE WHEN i % 50 = 7 THEN NULL ELSE 20 + (i * 7) % 60 END AS age,"
        " CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS gender,"
        " ['北京', '上海', '成都', '杭州'][1 + i % 4] AS city,"
        f" CAST(((i * 37 + {shift}) % 100) * 10000 AS DOUBLE) AS aum,"
        f" CAST(((i * 37 + {shift}) % 100) * 9000 AS DOUBLE) AS aum_mad,"
        f" CAST((i + {shift}) % 13 AS INTEGER) AS txn_count_30d,"
        " CAST((i * 3) % 31 AS INTEGER) AS app_logins_30d,"
        f" (i + {shift}) % 10 = 0 AS is_dormant,"
        " i % 3 <> 0 AS consent_marketing_sms"
        f" FROM range({customers}) r(i)"
    )
    engine.write_snapshot("features", day, "SELECT * FROM base_src")
    engine.write_snapshot(
        "tags",
        day,
        "SELECT customer_id, age >= 65 AS is_senior, city IN ('北京', '上海') AS tier1_city FROM base_src",
    )
    engine.write_snapshot(
        "tiers",
        day,
        "SELECT customer_id, CASE WHEN aum_mad >= 500000 THEN 'wealth' WHEN aum_mad >= 50000 THEN 'affluent'"
        " WHEN aum_mad >= 1000 THEN 'mass' ELSE 'longtail' END AS tier, 'normal' AS tier_status,"
        " 0 AS months_below, DATE '2024-01-01' AS tier_since, aum_mad AS basis_aum,"
        " 'mass' AS qualifying_tier,"
        " CASE WHEN aum_mad >= 500000 THEN 'rm' ELSE 'digital' END AS service_model,"
        " 'O1' AS org_id, NULL AS rm_id, 1 AS scheme_version FROM base_src",
    )
    engine.write_snapshot("customer", day, "SELECT customer_id, 'person' AS kind FROM base_src")


@pytest.fixture
def bank(engine, workspace):
    write_base(engine, D1, 300, shift=0)
    write_base(engine, D2, 320, shift=11)
    return engine, workspace.database_url


def direct(engine: Engine, day: date, where: str) -> set[str]:
    """Customer ids meeting ``where`` over the three snapshots joined by hand (f, t, r)."""
    engine.use_snapshot("features", day, alias="f")
    engine.use_snapshot("tags", day, alias="t")
    engine.use_snapshot("tiers", day, alias="r")
    sql = (
        "SELECT f.customer_id FROM f JOIN t ON t.customer_id = f.customer_id"
        f" JOIN r ON r.customer_id = f.customer_id WHERE {where}"
    )
    return set(engine.query(sql).column(0).to_pylist())


def all_members(engine: Engine, url: str, segment_id: str, day: date | None = None) -> set[str]:
    page = seg.segment_members(engine, url, segment_id, day, size=1000)
    assert page["total"] == len(page["items"])
    return {m["customer_id"] for m in page["items"]}


# expression in the rule language → the same condition written by hand over f, t, r
RULES = {
    "aum_mad >= 450000 AND age >= 40": "f.aum_mad >= 450000 AND f.age >= 40",
    "is_senior OR tier = 'wealth'": "t.is_senior OR r.tier = 'wealth'",
    "city IN ('北京', '成都') AND NOT is_dormant AND txn_count_30d BETWEEN 3 AND 9": (
        "f.city IN ('北京', '成都') AND NOT f.is_dormant AND f.txn_count_30d BETWEEN 3 AND 9"
    ),
    "age IS NULL OR (consent_marketing_sms AND service_model = 'rm')": (
        "f.age IS NULL OR (f.consent_marketing_sms AND r.service_model = 'rm')"
    ),
}


@pytest.mark.parametrize("expression", list(RULES))
def test_rule_segment_counts_and_members_match_direct_sql(bank, expression):
    engine, url = bank
    s = seg.create_rule_segment(engine, url, name_zh="规则客群", expression=expression, owner=OWNER)
    for day in (D1, D2):
        expected = direct(engine, day, RULES[expression])
        assert 0 < len(expected) < 300  # the rule selects, it neither takes all nor nothing
        assert seg.segment_count(engine, url, s.segment_id, day) == len(expected)
        assert all_members(engine, url, s.segment_id, day) == expected
    assert seg.live_count(engine, expression, D1, store_url=url) == len(direct(engine, D1, RULES[expression]))


def test_rule_segment_refuses_bad_expressions(bank):
    engine, url = bank
    with pytest.raises(UserInputError, match="aum_mda"):
        seg.create_rule_segment(engine, url, name_zh="坏", expression="aum_mda > 1", owner=OWNER)
    with pytest.raises(UserInputError, match="condition"):
        seg.create_rule_segment(engine, url, name_zh="坏", expression="aum_mad * 2", owner=OWNER)
    with pytest.raises(UserInputError, match="name"):
        seg.create_rule_segment(engine, url, name_zh="  ", expression="age > 1", owner=OWNER)
    assert seg.list_segments(url) == []


def test_static_upload_reports_unknown_and_duplicate_ids_and_keeps_them(bank):
    engine, url = bank
    text = "customer_id,note\nK0000000001,a\nK0000000002,b\nX1,c\nK0000000001,d\nX2,e\nK0000000310,f\n"
    ids = parse_id_text(text)
    assert ids.rows == 6 and ids.duplicates == 1 and ids.duplicate_examples == ["K0000000001"]
    s = seg.create_static_segment(engine, url, name_zh="名单", name_en="List", ids=ids, owner=OWNER)
    report = s.config
    # K0000000310 is a customer only from D2: the latest customer snapshot knows it.
    assert report["unknown"] == 2 and report["unknown_examples"] == ["X1", "X2"]
    assert report["distinct"] == 5 and report["duplicates"] == 1 and report["checked_against"] == "2024-04-30"
    assert list_size(url, s.segment_id) == 5  # unknown ids are kept in the list
    assert all_members(engine, url, s.segment_id, D2) == {"K0000000001", "K0000000002", "K0000000310"}
    assert all_members(engine, url, s.segment_id, D1) == {"K0000000001", "K0000000002"}
    assert seg.segment_count(engine, url, s.segment_id, D1) == 2


def test_id_lists_one_per_line_and_bad_layouts():
    assert parse_id_text("\ufeffK1\r\nK2\r\n\r\nK2\r\n").ids == ["K1", "K2"]
    assert parse_id_text("Customer_ID\nK9\n").ids == ["K9"]
    with pytest.raises(UserInputError, match="line 2"):
        parse_id_text("K1\nK2,K3\n")
    with pytest.raises(UserInputError, match="no customer ids"):
        parse_id_text("\n \n")
    with pytest.raises(UserInputError, match="line 3: id longer"):
        parse_id_text("customer_id\nK1\n" + "K" * 65 + "\n")


def test_overlap_matches_direct_sql(bank):
    engine, url = bank
    a = seg.create_rule_segment(engine, url, name_zh="高资产", expression="aum_mad >= 450000", owner=OWNER)
    b = seg.create_rule_segment(engine, url, name_zh="活跃", expression="app_logins_30d >= 15", owner=OWNER)
    listed = [f"K{i:010d}" for i in range(0, 300, 7)] + ["NOPE"]
    c = seg.create_static_segment(
        engine, url, name_zh="名单", ids=parse_id_text("\n".join(listed)), owner=OWNER
    )
    result = seg.segment_overlap(engine, url, [a.segment_id, b.segment_id, c.segment_id], D1)
    sets = {
        a.segment_id: direct(engine, D1, "f.aum_mad >= 450000"),
        b.segment_id: direct(engine, D1, "f.app_logins_30d >= 15"),
        c.segment_id: direct(engine, D1, "f.customer_id IN (" + ", ".join(f"'{x}'" for x in listed) + ")"),
    }
    assert {s["segment_id"]: s["size"] for s in result["segments"]} == {k: len(v) for k, v in sets.items()}
    assert len(result["pairs"]) == 3
    for pair in result["pairs"]:
        left, right = sets[pair["a"]], sets[pair["b"]]
        assert pair["both"] == len(left & right) > 0
        assert pair["jaccard"] == round(len(left & right) / len(left | right), 4)
    with pytest.raises(UserInputError):
        seg.segment_overlap(engine, url, [a.segment_id, a.segment_id], D1)


def test_membership_snapshot_per_date(bank):
    engine, url = bank
    rule = seg.create_rule_segment(engine, url, name_zh="老年", expression="is_senior", owner=OWNER)
    static = seg.create_static_segment(
        engine, url, name_zh="名单", ids=parse_id_text("K0000000005\nK0000000315\nZZ"), owner=OWNER
    )
    retired = seg.create_rule_segment(engine, url, name_zh="旧", expression="age > 30", owner=OWNER)
    assert seg.refresh_segments(engine, D1, url) == (
        len(direct(engine, D1, "t.is_senior")) + 1 + len(direct(engine, D1, "f.age > 30"))
    )
    seg.retire_segment(url, retired.segment_id)
    rows = seg.refresh_segments(engine, D2, url)
    assert rows == len(direct(engine, D2, "t.is_senior")) + 2
    for day, static_ids in ((D1, {"K0000000005"}), (D2, {"K0000000005", "K0000000315"})):
        engine.use_snapshot("segment_members", day, alias="sm")
        stored = engine.query("SELECT segment_id, customer_id, cluster FROM sm").to_pylist()
        by_segment: dict[str, set[str]] = {}
        for r in stored:
            assert r["cluster"] is None
            by_segment.setdefault(r["segment_id"], set()).add(r["customer_id"])
        assert by_segment[rule.segment_id] == direct(engine, day, "t.is_senior")
        assert by_segment[static.segment_id] == static_ids
        assert (retired.segment_id in by_segment) == (day == D1)
    assert seg.refresh_segments(engine, D2, url) == rows  # idempotent per date


def test_refresh_with_no_segments_writes_an_empty_snapshot(bank):
    engine, url = bank
    assert seg.refresh_segments(engine, D1, url) == 0
    engine.use_snapshot("segment_members", D1, alias="sm")
    empty = engine.query("SELECT segment_id, customer_id, cluster FROM sm")
    assert empty.num_rows == 0 and str(empty.schema.field("cluster").type) == "int32"


def test_profile_ranks_what_defines_the_segment(bank):
    engine, url = bank
    s = seg.create_rule_segment(
        engine,
        url,
        name_zh="高资产老年",
        name_en="Rich seniors",
        expression="aum_mad >= 600000 AND is_senior",
        owner=OWNER,
    )
    profile = seg.segment_profile(engine, url, s.segment_id, D1, top=50)
    members = direct(engine, D1, "f.aum_mad >= 600000 AND t.is_senior")
    assert profile["size"] == len(members) and profile["base"] == 300
    fields = {f["field"]: f for f in profile["fields"]}
    top3 = {f["field"] for f in profile["fields"][:3]}
    assert top3 & {"aum_mad", "aum", "is_senior", "basis_aum", "age"}
    aum = fields["aum_mad"]
    expected = engine.query(
        "SELECT avg(aum_mad) AS m, median(aum_mad) AS med, stddev_pop(aum_mad) AS sd FROM f"
    ).to_pylist()[0]
    seg_mean = engine.scalar(
        "SELECT avg(aum_mad) FROM f WHERE customer_id IN (" + ", ".join(f"'{x}'" for x in members) + ")"
    )
    assert aum["base_mean"] == pytest.approx(expected["m"]) and aum["base_median"] == pytest.approx(
        expected["med"]
    )
    assert aum["segment_mean"] == pytest.approx(seg_mean)
    assert aum["std_diff"] == pytest.approx((seg_mean - expected["m"]) / expected["sd"], abs=1e-3)
    assert aum["name_zh"] == "月日均AUM" and aum["name_en"]
    senior = fields["is_senior"]
    assert senior["segment_share"] == 1.0 and senior["lift"] > 1
    tier = fields["tier"]
    assert tier["kind"] == "string" and tier["values"][0]["value"] == "wealth"
    assert tier["values"][0]["segment_share"] == 1.0
    scores = [abs(f["score"] or 0) for f in profile["fields"]]
    assert scores == sorted(scores, reverse=True)


def test_members_paging_and_export(bank, tmp_path):
    engine, url = bank
    s = seg.create_rule_segment(engine, url, name_zh="交易", expression="txn_count_30d >= 6", owner=OWNER)
    expected = sorted(direct(engine, D2, "f.txn_count_30d >= 6"))
    first = seg.segment_members(engine, url, s.segment_id, page=1, size=50)
    second = seg.segment_members(engine, url, s.segment_id, page=2, size=50)
    assert first["total"] == len(expected) and first["as_of"] == "2024-04-30"
    assert [m["customer_id"] for m in first["items"] + second["items"]] == expected[:100]
    out = tmp_path / "out.csv"
    assert seg.export_segment(engine, url, s.segment_id, out) == len(expected)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].strip('"') == "customer_id" and [x.strip('"') for x in lines[1:]] == expected
    with pytest.raises(UserInputError):
        seg.segment_members(engine, url, s.segment_id, page=0)


def test_get_list_retire_and_unknown_ids(bank):
    engine, url = bank
    s = seg.create_rule_segment(engine, url, name_zh="甲", name_en="A", expression="age < 30", owner=OWNER)
    assert seg.get_segment(url, s.segment_id).name_en == "A"
    assert [x.segment_id for x in seg.list_segments(url, status="active")] == [s.segment_id]
    seg.retire_segment(url, s.segment_id)
    assert seg.list_segments(url, status="active") == []
    assert seg.get_segment(url, s.segment_id).status == "retired"
    with pytest.raises(NotFound):
        seg.get_segment(url, "seg_missing")
