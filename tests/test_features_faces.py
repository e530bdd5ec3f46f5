"""Features through the CLI (kequn features compute | list | show) and REST (/api/v1/features)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from kequn.api import create_app
from kequn.engine import DuckDBEngine, Warehouse
from kequn.features import FEATURES
from tests import feature_bank
from tests.test_cli import run


@pytest.fixture
def bank_workspace(workspace):
    engine = DuckDBEngine(Warehouse(workspace.warehouse))
    feature_bank.build(engine)
    engine.close()
    return workspace


def test_cli_compute_then_show(bank_workspace):
    ws = str(bank_workspace.root)
    result = run("features", "compute", "--as-of", "2026-10-31", "--workspace", ws)
    assert result.returncode == 0, result.stderr
    assert f"4 customers × {len(FEATURES)} features" in result.stdout
    result = run("features", "show", "K1", "--json", "--workspace", ws)
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout)
    values = {f["name"]: f["value"] for g in view["groups"] for f in g["features"]}
    assert view["as_of"] == "2026-10-31" and values["aum"] == 200_000 and values["salary_credits_90d"] == 3
    table = run("features", "show", "K1", "--workspace", ws).stdout
    assert "月日均AUM" in table and "200,000.00" in table


def test_cli_compute_defaults_to_the_latest_customer_snapshot(bank_workspace):
    result = run("features", "compute", "--workspace", str(bank_workspace.root))
    assert result.returncode == 0 and "features 2026-10-31" in result.stdout


def test_cli_show_without_a_snapshot_is_one_line_exit_2(bank_workspace):
    result = run("features", "show", "K1", "--as-of", "2026-09-30", "--workspace", str(bank_workspace.root))
    assert result.returncode == 2
    assert "kequn features compute --as-of 2026-09-30" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_list_shows_the_bilingual_catalog():
    result = run("features", "list", "--group", "assets")
    assert result.returncode == 0 and "aum_mad" in result.stdout and "月日均AUM" in result.stdout
    assert "txn_count_30d" not in result.stdout
    listed = json.loads(run("features", "list", "--json").stdout)
    assert [f["name"] for f in listed] == [f.name for f in FEATURES]
    bad = run("features", "list", "--group", "nope")
    assert bad.returncode == 2 and "expected one of" in bad.stderr


def test_rest_catalog_and_customer_features(bank_workspace):
    engine = DuckDBEngine(Warehouse(bank_workspace.warehouse))
    from kequn.features import compute_features

    compute_features(engine, feature_bank.AS_OF)
    engine.close()
    client = TestClient(create_app(bank_workspace))
    catalog = client.get("/api/v1/features").json()
    assert len(catalog["features"]) == len(FEATURES) and catalog["groups"][0]["name_zh"] == "基础属性"
    body = client.get("/api/v1/features/K2", params={"as_of": "2026-10-31"}).json()
    values = {f["name"]: f["value"] for g in body["groups"] for f in g["features"]}
    assert values["loan_balance"] == 48_000 and values["is_new_customer"] is True
    missing = client.get("/api/v1/features/K4")  # opened after as_of: no features that day
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(
        "application/problem+json"
    )
    no_snapshot = client.get("/api/v1/features/K1", params={"as_of": "2026-01-31"})
    assert no_snapshot.status_code == 404
