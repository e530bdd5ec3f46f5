"""Segments through the CLI (as a user runs it) and the REST API: create, upload, cluster, read, overlap."""

from __future__ import annotations

import csv

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kequn.api import create_app
from tests.test_cli import run
from tests.test_segments import D1, D2, direct, write_base
from tests.test_segments_clustering import FEATURES, planted, write_planted


@pytest.fixture
def bank(engine, workspace):
    write_base(engine, D1, 300, shift=0)
    write_base(engine, D2, 320, shift=11)
    return engine, workspace


def _ok(*args: str) -> str:
    """Run ``kequn segment ARGS`` in-process (the start-up of a new process per command is slow)."""
    from kequn.cli import _register, app

    _register()
    result = CliRunner().invoke(app, ["segment", *args], env={"KEQUN_NO_PROGRESS": "1", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.stdout


def _created_id(stdout: str) -> str:
    return next(word for word in stdout.split() if word.startswith("seg_"))


def test_cli_round_trip(bank, tmp_path):
    engine, ws = bank
    w = ("--workspace", str(ws.root))
    expected = direct(engine, D2, "f.aum_mad >= 450000")
    assert _ok("count", "aum_mad >= 450000", *w).strip() == str(len(expected))
    rich = _created_id(_ok("create", "高资产", "--expr", "aum_mad >= 450000", "--name-en", "Rich", *w))
    ids = tmp_path / "ids.csv"
    ids.write_text("customer_id\nK0000000003\nK0000000003\nBOGUS\n", encoding="utf-8")
    out = _ok("upload", "名单", str(ids), *w)
    assert "1 duplicate" in out and "1 id(s) unknown" in out and "BOGUS" in out
    listed = _created_id(out)
    listing = _ok("list", *w)
    assert rich in listing and listed in listing and "Rich" in listing
    show = _ok("show", rich, *w)
    assert f"{len(expected):,} customers on 2024-04-30" in show and "月日均AUM" in show
    members = _ok("members", rich, "--limit", "5", *w).split()
    assert members[:5] == sorted(expected)[:5]
    export = tmp_path / "rich.csv"
    _ok("export", rich, "--out", str(export), *w)
    with export.open(encoding="utf-8") as handle:
        assert {r["customer_id"] for r in csv.DictReader(handle)} == expected
    overlap = _ok("overlap", rich, listed, *w)
    both = len(expected & {"K0000000003"})
    assert f"{rich} ∩ {listed}\t{both}" in overlap
    _ok("retire", listed, *w)
    assert listed not in _ok("list", *w)


def test_cli_errors_are_one_line_exit_2(bank):
    """In a real process, through the entry point that renders errors."""
    _, ws = bank
    bad = run("segment", "create", "坏", "--expr", "aum_mda > 1", "--workspace", str(ws.root))
    assert bad.returncode == 2 and "aum_mda" in bad.stderr and "Traceback" not in bad.stderr
    missing = run("segment", "show", "seg_nothere", "--workspace", str(ws.root))
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_cli_cluster(engine, workspace):
    write_planted(engine, D1, planted(seed=1))
    out = _ok("cluster", "聚类", "--features", ",".join(FEATURES), "--workspace", str(workspace.root))
    assert "k = 3 (best silhouette)" in out and "高月日均AUM" in out


@pytest.fixture
def client(bank):
    _, ws = bank
    return TestClient(create_app(ws))


def test_rest_round_trip(bank, client):
    engine, _ = bank
    created = client.post(
        "/api/v1/segments",
        json={"kind": "rule", "name_zh": "活跃", "name_en": "Active", "expression": "app_logins_30d >= 20"},
    )
    assert created.status_code == 201, created.text
    active = created.json()["segment_id"]
    static = client.post(
        "/api/v1/segments",
        json={"kind": "static", "name_zh": "名单", "customer_ids": ["K0000000001", "X", "X"]},
    ).json()
    assert static["config"]["unknown"] == 1 and static["config"]["duplicates"] == 1
    expected = direct(engine, D2, "f.app_logins_30d >= 20")
    assert client.get(f"/api/v1/segments/{active}/count").json()["count"] == len(expected)
    live = client.post(
        "/api/v1/segments/count", json={"expression": "app_logins_30d >= 20", "as_of": str(D1)}
    )
    assert live.json()["count"] == len(direct(engine, D1, "f.app_logins_30d >= 20"))
    assert {s["segment_id"] for s in client.get("/api/v1/segments").json()["items"]} == {
        active,
        static["segment_id"],
    }
    assert client.get(f"/api/v1/segments/{active}").json()["name_en"] == "Active"
    profile = client.get(f"/api/v1/segments/{active}/profile", params={"top": 3}).json()
    assert profile["fields"][0]["field"] == "app_logins_30d" and len(profile["fields"]) == 3
    page = client.get(f"/api/v1/segments/{active}/members", params={"page": 2, "size": 10}).json()
    assert [m["customer_id"] for m in page["items"]] == sorted(expected)[10:20]
    export = client.get(f"/api/v1/segments/{active}/export")
    assert export.headers["content-type"].startswith("text/csv")
    assert {line.strip('"') for line in export.text.splitlines()[1:]} == expected
    overlap = client.get(
        "/api/v1/segments/overlap", params={"ids": f"{active},{static['segment_id']}"}
    ).json()
    assert overlap["pairs"][0]["both"] == len(expected & {"K0000000001"})


def test_rest_errors_are_problem_documents(client):
    bad = client.post("/api/v1/segments", json={"kind": "rule", "name_zh": "坏", "expression": "nope > 1"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/segments/seg_nothere/count").status_code == 404
    assert client.post("/api/v1/segments", json={"kind": "static", "name_zh": "空"}).status_code == 400
