"""The tag catalog, its governed changes, tag values per snapshot, audience counts and the daily run."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kequn.api import create_app
from kequn.cli import app
from kequn.cli import commands as _commands  # noqa: F401  (registers the sub-commands)
from kequn.core.errors import NotFound, UserInputError
from kequn.core.workspace import Workspace, open_workspace
from kequn.daily import month_ends, run_daily
from kequn.engine import DuckDBEngine, Warehouse
from kequn.expr import ExprError, parse_expr
from kequn.features.catalog import FEATURES
from kequn.store import run_steps
from kequn.tags.audience import count_audience, index_path
from kequn.tags.catalog import TagDef, builtin_tags, ensure_catalog, groups, list_tags, live_tags, tag_history
from kequn.tags.compute import catalog_namespace, customer_tags, infer_value_type, layers
from kequn.tags.manage import (
    approve_tag,
    create_tag,
    edit_tag,
    preview_tag,
    retire_tag,
    set_manual_values,
)
from tests.test_cli import run as run_kequn

DAY = date(2026, 10, 31)
PREVIOUS = date(2026, 9, 30)
STEPS = ("features", "tags", "tiers", "audience")


@pytest.fixture(scope="module")
def bank(small_bank: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A copy of the small bank with the daily run done for the last two month-ends."""
    root = tmp_path_factory.mktemp("tags_bank") / "ws"
    shutil.copytree(small_bank.root, root)
    ws = open_workspace(root)
    for day in (PREVIOUS, DAY):
        run_daily(ws, day, steps=STEPS)
    return ws


@pytest.fixture
def engine(bank: Workspace):
    eng = DuckDBEngine(Warehouse(bank.warehouse))
    yield eng
    eng.close()


def _parquet(ws: Workspace, table: str, day: date) -> str:
    return f"read_parquet('{ws.warehouse}/{table}/as_of={day}/*.parquet', hive_partitioning = false)"


# ---- the built-in catalog ------------------------------------------------------------------------------


def test_builtin_catalog_is_large_named_and_grouped():
    tags = builtin_tags()
    assert len(tags) >= 60
    tree = groups()
    for top in ("basic", "assets", "products", "transactions", "channel", "lifecycle", "value", "risk"):
        assert top in tree, top
    assert {t.kind for t in tags} == {"rule", "metric", "model", "manual"}
    for t in tags:
        assert t.name_zh and t.name_en and t.group in tree, t.name
    assert len({t.name for t in tags}) == len(tags)
    assert not {t.name for t in tags} & {f.name for f in FEATURES}


def test_builtin_expressions_check_and_layer():
    tags = [t for t in builtin_tags() if t.status == "approved"]
    typed = [t if t.value_type else TagDef(**{**t.__dict__, "value_type": infer_value_type(t)}) for t in tags]
    computed = [t for t in typed if t.computed]
    assert sum(len(layer) for layer in layers(typed, catalog_namespace(typed))) == len(computed)
    assert all(t.value_type == "boolean" for t in typed if t.kind == "rule")


# ---- values on a snapshot ---------------------------------------------------------------------------------


def test_tag_values_agree_with_hand_written_sql(bank: Workspace):
    features, tags = _parquet(bank, "features", DAY), _parquet(bank, "tags", DAY)
    con = duckdb.connect()
    checks = {
        "millionaire": "f.aum_mad >= 1000000",
        "senior_65": "f.age >= 65",
        "tier1_city": "f.city IN ('北京', '上海', '广州', '深圳')",
        "td_maturing": "f.td_maturing_30d > 0",
        "salary_customer": "f.salary_credits_90d >= 2",
    }
    for tag, condition in checks.items():
        expected = con.sql(f"SELECT count(*) FILTER (WHERE {condition}) FROM {features} f").fetchall()[0][0]
        got = con.sql(f'SELECT count(*) FILTER (WHERE "{tag}") FROM {tags}').fetchall()[0][0]
        assert got == expected, tag
    bands = con.sql(
        f"SELECT t.aum_band, count(*) FROM {tags} t JOIN {features} f USING (customer_id)"
        " WHERE (t.aum_band = 'zero') <> (coalesce(f.aum_mad, 0) <= 0) GROUP BY 1"
    ).fetchall()
    assert bands == []
    total = con.sql(f"SELECT count(*) FROM {tags}").fetchall()[0][0]
    assert total == con.sql(f"SELECT count(*) FROM {features}").fetchall()[0][0] > 300


def test_sql_and_python_compilations_agree_on_every_row(bank: Workspace):
    """Each computed tag, evaluated by its Python function on each features row, equals the snapshot."""
    url = bank.database_url
    live = [t for t in live_tags(url) if t.computed]
    namespace = catalog_namespace(live_tags(url))
    con = duckdb.connect()
    relation = con.sql(
        f"SELECT f.*, t.* EXCLUDE (customer_id) FROM {_parquet(bank, 'features', DAY)} f"
        f" JOIN {_parquet(bank, 'tags', DAY)} t USING (customer_id)"
    )
    columns, rows = relation.columns, relation.fetchall()
    checked = {t.name: parse_expr(t.expression or "", namespace).to_python() for t in live}
    mismatches = []
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        for name, fn in checked.items():
            got = fn(row)
            if got != row[name] and not (isinstance(got, float) and abs(got - row[name]) < 1e-9):
                mismatches.append((row["customer_id"], name, got, row[name]))
    assert mismatches == []


def test_customer_tags_is_one_call(engine, bank: Workspace):
    customer_id = engine.query(f"SELECT customer_id FROM {_parquet(bank, 'tags', DAY)} LIMIT 1").column(0)[0]
    result = customer_tags(engine, customer_id.as_py(), DAY, store_url=bank.database_url)
    assert result["as_of"] == DAY.isoformat()
    names = {t["name"] for t in result["tags"]}
    assert {"aum_band", "millionaire", "lifecycle_stage"} <= names and "as_of" not in names
    band = next(t for t in result["tags"] if t["name"] == "aum_band")
    assert band["name_zh"] == "资产规模段" and band["expression"].startswith("CASE")
    with pytest.raises(NotFound):
        customer_tags(engine, "K9999999999", DAY, store_url=bank.database_url)


# ---- governed changes --------------------------------------------------------------------------------------


def _draft(name: str, expression: str, status: str = "draft") -> TagDef:
    return TagDef(name, "测试标签", "Test tag", "assets/aum", "rule", "", expression, "", "", status)


def test_create_edit_approve_retire_keeps_every_version(engine, bank: Workspace):
    url = bank.database_url
    created = create_tag(url, _draft("t_rich", "aum_mad >= 200000"), by="alice", note="first")
    assert (created.version, created.status, created.value_type) == (1, "draft", "boolean")
    assert "t_rich" not in {t.name for t in live_tags(url)}  # drafts are not computed
    approved = approve_tag(url, "t_rich", by="bob")
    assert "t_rich" in {t.name for t in live_tags(url)}
    edited = edit_tag(url, "t_rich", {"expression": "aum_mad >= 300000"}, by="carol", note="raise bar")
    live = next(t for t in live_tags(url) if t.name == "t_rich")
    assert edited.status == "draft" and live.version == approved.version  # old version runs until approval
    approve_tag(url, "t_rich", by="dave")
    retired = retire_tag(url, "t_rich", by="erin", note="no longer used")
    history = tag_history(url, "t_rich")
    assert [(v.version, v.status, v.changed_by) for v in history] == [
        (1, "draft", "alice"),
        (2, "approved", "bob"),
        (3, "draft", "carol"),
        (4, "approved", "dave"),
        (5, "retired", "erin"),
    ]
    assert history[2].expression == "aum_mad >= 300000" and history[2].change_note == "raise bar"
    assert retired.status == "retired" and "t_rich" not in {t.name for t in live_tags(url)}


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        (_draft("t_typo", "aum_mda > 1"), "did you mean 'aum_mad'"),
        (_draft("t_number", "aum_mad * 2"), "yes/no"),
        (_draft("aum_mad", "aum_mad > 1"), "already a feature"),
        (_draft("Bad-Name", "aum_mad > 1"), "lowercase"),
        (TagDef("t_group", "组", "Group", "nowhere", "rule", "", "age > 1"), "known group"),
        (TagDef("t_noexpr", "组", "Group", "assets", "rule", "", None), "needs an expression"),
        (TagDef("t_manual", "组", "Group", "manual", "manual", "", None), "needs a type"),
    ],
)
def test_invalid_definitions_are_refused_with_one_line(bank: Workspace, tag: TagDef, message: str):
    with pytest.raises((UserInputError, ExprError)) as info:
        create_tag(bank.database_url, tag, by="alice")
    assert message in str(info.value) and "\n" not in str(info.value)


def test_cycles_and_retiring_a_used_tag_are_refused(bank: Workspace):
    url = bank.database_url
    create_tag(url, _draft("t_base", "age >= 40", status="approved"), by="alice")
    create_tag(url, _draft("t_user", "t_base AND aum_mad > 0", status="approved"), by="alice")
    with pytest.raises(UserInputError, match="still used by live tag"):
        retire_tag(url, "t_base", by="bob")
    with pytest.raises(UserInputError, match="cycle"):
        edit_tag(url, "t_base", {"expression": "t_user OR age > 90", "status": "approved"}, by="bob")
    with pytest.raises(UserInputError, match="already exists"):
        create_tag(url, _draft("t_base", "age > 1"), by="alice")


def test_preview_counts_what_the_snapshot_would_hold(engine, bank: Workspace):
    preview = preview_tag(engine, bank.database_url, _draft("t_preview", "aum_mad >= 50000 AND age < 50"))
    expected = engine.query(
        f"SELECT count(*) FROM {_parquet(bank, 'features', DAY)} WHERE aum_mad >= 50000 AND age < 50"
    ).column(0)[0]
    assert preview["covered"] == expected.as_py() and preview["as_of"] == DAY.isoformat()
    assert not any(t.name == "t_preview" for t in list_tags(bank.database_url))  # nothing saved


def test_manual_values_reach_the_next_snapshot(bank: Workspace, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(bank.root, root)
    ws = open_workspace(root)
    some = duckdb.sql(
        f"SELECT customer_id FROM {_parquet(ws, 'features', DAY)} ORDER BY 1 LIMIT 3"
    ).fetchall()
    ids = [r[0] for r in some]
    set_manual_values(ws.database_url, "rm_key_client", dict.fromkeys(ids, "true"), by="rm01")
    with pytest.raises(UserInputError, match="only manual tags"):
        set_manual_values(ws.database_url, "millionaire", {ids[0]: "true"}, by="rm01")
    run_daily(ws, DAY, steps=("tags",))
    marked = duckdb.sql(f"SELECT customer_id FROM {_parquet(ws, 'tags', DAY)} WHERE rm_key_client ORDER BY 1")
    assert [r[0] for r in marked.fetchall()] == ids


# ---- audience counts and the daily run ---------------------------------------------------------------------


def test_audience_count_from_index_equals_direct_sql(engine, bank: Workspace):
    expression = "aum_mad >= 50000 AND age BETWEEN 30 AND 60 AND risk_level >= 3 AND tier <> 'longtail'"
    assert index_path(engine, DAY) is not None
    got = count_audience(engine, expression, DAY, store_url=bank.database_url)
    expected = duckdb.sql(
        f"SELECT count(*) FROM {_parquet(bank, 'features', DAY)} f"
        f" JOIN {_parquet(bank, 'tiers', DAY)} r USING (customer_id)"
        " WHERE f.aum_mad >= 50000 AND f.age BETWEEN 30 AND 60 AND f.risk_level >= 3 AND r.tier <> 'longtail'"
    ).fetchall()[0][0]
    assert got == expected
    assert (
        count_audience(engine, "millionaire OR senior_65", PREVIOUS)
        == duckdb.sql(
            f"SELECT count(*) FROM {_parquet(bank, 'tags', PREVIOUS)} WHERE millionaire OR senior_65"
        ).fetchall()[0][0]
    )
    with pytest.raises(UserInputError, match="condition"):
        count_audience(engine, "aum_mad + 1", DAY)


def test_daily_run_is_idempotent_and_recorded(bank: Workspace, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(bank.root, root)
    ws = open_workspace(root)
    run_daily(ws, DAY, steps=("tags",))  # this copy's catalog may hold other tests' tags
    before = duckdb.sql(f"SELECT * FROM {_parquet(ws, 'tags', DAY)} ORDER BY customer_id").fetchall()
    results = run_daily(ws, DAY, steps=("features", "tags"), run_id="again")
    after = duckdb.sql(f"SELECT * FROM {_parquet(ws, 'tags', DAY)} ORDER BY customer_id").fetchall()
    assert before == after
    assert [r.step for r in results] == ["features", "tags"]
    assert [s.step for s in run_steps(ws.database_url, "again")] == ["features", "tags"]
    with pytest.raises(UserInputError, match="unknown step"):
        run_daily(ws, DAY, steps=("feature",))


def test_month_ends():
    assert month_ends(date(2026, 5, 5), date(2026, 8, 31)) == [
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 8, 31),
    ]
    assert month_ends(date(2026, 2, 1), date(2026, 2, 27)) == []


# ---- the CLI and REST faces ------------------------------------------------------------------------------


def test_cli_tag_commands(bank: Workspace, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(bank.root, root)
    runner, w = CliRunner(), ["-w", str(root)]
    listed = runner.invoke(
        app, ["tag", "list", "--group", "risk", "--lang", "en", *w], env={"COLUMNS": "250"}
    )
    assert listed.exit_code == 0 and "Risk tolerance" in listed.output
    created = runner.invoke(
        app,
        ["tag", "create", "t_cli", "--zh", "命令行", "--en", "CLI", "--group", "assets",
         "--expr", "aum_mad >= 1000", "--by", "alice", *w],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "preview on 2026-10-31" in created.output and "saved t_cli v1 (draft)" in created.output
    bad = run_kequn(
        "tag", "create", "t_bad", "--zh", "x", "--en", "x", "--group", "assets", "--expr", "agee > 1", *w
    )
    assert (
        bad.returncode == 2
        and bad.stderr.strip() == "error: unknown name 'agee' at 1:1 — did you mean 'age'?"
    )
    run = runner.invoke(app, ["run", "--as-of", "2026-10-31", "--steps", "tags", *w])
    assert run.exit_code == 0 and "tags" in run.output


def test_rest_tag_catalog_and_changes(bank: Workspace, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(bank.root, root)
    client = TestClient(create_app(open_workspace(root)))
    catalog = client.get("/api/v1/tags", params={"group": "assets"}).json()
    assert catalog["total"] >= 10 and all(t["group"].startswith("assets") for t in catalog["items"])
    body = {"name": "t_api", "name_zh": "接口", "name_en": "API", "group": "assets", "expression": "aum > 0"}
    preview = client.post("/api/v1/tags/preview", json=body).json()
    assert preview["customers"] > 0 and preview["covered"] <= preview["customers"]
    created = client.post("/api/v1/tags", json=body, headers={"X-Kequn-User": "alice"})
    assert created.status_code == 201 and created.json()["tag"]["changed_by"] == "alice"
    changed = client.put("/api/v1/tags/t_api", json={"expression": "aum > 100", "status": "approved"})
    assert changed.json()["tag"]["version"] == 2 and changed.json()["tag"]["status"] == "approved"
    history = client.get("/api/v1/tags/t_api/history").json()["items"]
    assert [v["version"] for v in history] == [1, 2]
    problem = client.post("/api/v1/tags", json={**body, "name": "t_api2", "expression": "aum >"})
    assert problem.status_code == 400 and problem.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert client.get("/api/v1/tags/nope").status_code == 404
    groups_tree = client.get("/api/v1/tags/groups").json()["items"]
    assert {
        "path": "assets/aum",
        "parent": "assets",
        "name_zh": "AUM规模",
        "name_en": "AUM size",
    } in groups_tree


def test_catalog_seeding_is_idempotent(tmp_path):
    from kequn.core.workspace import init_workspace
    from kequn.store import upgrade_store

    ws = init_workspace(tmp_path / "ws")
    upgrade_store(ws.database_url)
    ensure_catalog(ws.database_url, infer_type=infer_value_type)
    ensure_catalog(ws.database_url, infer_type=infer_value_type)
    tags = list_tags(ws.database_url)
    assert len(tags) == len(builtin_tags()) and all(t.version == 1 for t in tags)
    assert next(t for t in tags if t.name == "aum_band").value_type == "string"


def test_console_360_page_shows_tier_and_tags(bank: Workspace):
    client = TestClient(create_app(bank))
    customer_id = duckdb.sql(
        f"SELECT customer_id FROM {_parquet(bank, 'tags', DAY)} WHERE millionaire ORDER BY 1 LIMIT 1"
    ).fetchall()[0][0]
    page = client.get(f"/customers/{customer_id}").text
    assert 'data-testid="tags"' in page and "百万资产客户" in page and 'data-testid="tier"' in page
    english = client.get(f"/customers/{customer_id}", params={"lang": "en"}).text
    assert "AUM of one million or more" in english


def test_tags_and_counts_may_use_the_snapshot_date(engine, bank: Workspace):
    """``as_of`` in an expression is the date being computed or counted."""
    expression = "date_diff('day', risk_assessed_on, as_of) > 300"
    preview = preview_tag(engine, bank.database_url, _draft("t_old_assessment", expression))
    expected = duckdb.sql(
        f"SELECT count(*) FROM {_parquet(bank, 'features', DAY)}"
        f" WHERE date_diff('day', risk_assessed_on, DATE '{DAY}') > 300"
    ).fetchall()[0][0]
    assert preview["covered"] == expected > 0
    assert count_audience(engine, expression, DAY) == expected
