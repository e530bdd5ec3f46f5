"""The tier faces a user touches: `kequn tier …` and /api/v1/tiers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kequn.api import create_app
from kequn.cli import _register, app
from kequn.tags.tier_scheme import DEFAULT_SCHEME
from tests.test_tiers_data import MONTHS, write_all_features, write_staff

KEQUN = str(Path(sys.executable).parent / "kequn")


@pytest.fixture
def ws(workspace, engine):
    """A workspace with features at every month-end and a staff list; no tiers computed yet."""
    write_all_features(engine)
    write_staff(engine, MONTHS[0])
    return workspace


def cli(ws, *args: str):
    _register()
    result = CliRunner().invoke(app, ["tier", *args, "--workspace", str(ws.root)], env={"COLUMNS": "220"})
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_cli_compute_show_migration_books(ws):
    for day in MONTHS[:4]:
        out = cli(ws, "compute", "--as-of", day.isoformat())
    assert "tiers 2025-09-30: 8 customers, scheme v0; basis month 2025-09, tiers in force for 2025-10" in out
    shown = cli(ws, "show", "--as-of", "2025-08-31")
    assert "私人银行 Private banking" in shown and "长尾 Long tail" in shown and "关注 Watch" in shown
    # August: private K03 (1,000,000) and K07 (0) on watch; the whole base's basis AUM is 1,781,500.
    assert "500,000.00" in shown and "1,781,500.00" in shown
    matrix = cli(ws, "migration", "--from", "2025-06-30", "--to", "2025-09-30")
    assert "2025-06-30 → 2025-09-30" in matrix and "upgraded 1 (14.3%), downgraded 2" in matrix
    books = cli(ws, "books", "--as-of", "2025-08-31")
    assert "R1" in books and "超额 over" in books and "1 RM(s) over capacity" in books
    only_over = cli(ws, "books", "--as-of", "2025-08-31", "--over-capacity")
    assert "R1" in only_over and "P1" not in only_over


def test_cli_scheme_show_set_history(ws, tmp_path):
    shown = cli(ws, "scheme", "show")
    assert shown.startswith("# tier scheme v0 · kequn · shipped")
    data = yaml.safe_load(shown)
    data["tiers"][0]["min_aum"] = 8_000_000
    path = tmp_path / "scheme.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert "tier scheme v1 saved" in cli(ws, "scheme", "set", str(path), "--by", "ops_li", "--note", "8M")
    assert "unchanged" in cli(ws, "scheme", "set", str(path), "--by", "ops_li")
    assert "min_aum: 8000000" in cli(ws, "scheme", "show")
    history = cli(ws, "scheme", "history").splitlines()
    assert history[0].startswith("v1\t") and "ops_li" in history[0] and history[-1].startswith("v0\t")
    cli(ws, "compute", "--as-of", MONTHS[0].isoformat())
    assert "v1" in cli(ws, "compute", "--as-of", MONTHS[1].isoformat())


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KEQUN_NO_PROGRESS": "1"}
    return subprocess.run([KEQUN, *args], capture_output=True, text=True, env=env, timeout=300)


def test_cli_bad_scheme_and_dates_are_one_line_exit_2(ws, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"tiers": [{"code": "a", "name_zh": "甲", "name_en": "A", "min_aum": 5,'
                   ' "service_model": "rm"}, {"code": "b", "name_zh": "乙", "name_en": "B", "min_aum": 9,'
                   ' "service_model": "digital"}]}', encoding="utf-8")  # fmt: skip
    result = run("tier", "scheme", "set", str(bad), "--by", "me", "--workspace", str(ws.root))
    assert result.returncode == 2, result.stderr
    assert "bad.json: tiers[1].min_aum: 9 must be below tiers[0].min_aum 5" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    result = run("tier", "migration", "--from", "June", "--to", "2025-09-30", "--workspace", str(ws.root))
    assert result.returncode == 2 and "--from 'June': expected a date" in result.stderr


@pytest.fixture
def client(ws, engine):
    for day in MONTHS[:3]:
        from kequn.tags.tiers import compute_tiers

        compute_tiers(engine, day)
    return TestClient(create_app(ws))


def test_rest_distribution_migration_books(client):
    report = client.get("/api/v1/tiers", params={"as_of": "2025-08-31"}).json()
    assert report["customers"] == 7 and report["tiers"][0]["tier"] == "private"
    assert report["tiers"][0]["customers"] == 2 and report["tiers"][0]["watch"] == 2
    migration = client.get(
        "/api/v1/tiers/migration", params={"from": "2025-06-30", "to": "2025-08-31"}
    ).json()
    assert migration["matrix"]["mass"]["affluent"] == 1 and migration["summary"]["upgraded"] == 1
    books = client.get("/api/v1/tiers/books", params={"as_of": "2025-08-31"}).json()
    assert books["rms"][0]["rm_id"] == "R1" and books["rms"][0]["over_capacity"] is True


def test_rest_errors_are_problem_documents(client):
    response = client.get("/api/v1/tiers/migration", params={"from": "2025-08-31", "to": "2025-06-30"})
    assert response.status_code == 400 and "must be before" in response.json()["detail"]
    assert response.headers["content-type"].startswith("application/problem+json")
    missing = client.get("/api/v1/tiers", params={"as_of": "2020-01-31"})
    assert missing.status_code == 404 and "no snapshot on or before 2020-01-31" in missing.json()["detail"]


def test_rest_scheme_get_put(client):
    current = client.get("/api/v1/tiers/scheme").json()
    assert current["version"] == 0 and current["config"] == DEFAULT_SCHEME.to_dict()
    config = current["config"]
    config["tiers"][0]["downgrade_months"] = 12
    saved = client.put("/api/v1/tiers/scheme", json={"config": config, "changed_by": "ops_li", "note": "12m"})
    assert saved.status_code == 200 and saved.json()["version"] == 1
    assert client.get("/api/v1/tiers/scheme").json()["config"]["tiers"][0]["downgrade_months"] == 12
    again = client.put("/api/v1/tiers/scheme", json={"config": config, "changed_by": "ops_li"})
    assert again.json()["version"] == 1  # the same scheme twice is one version
    config["tiers"][0]["service_model"] = "branch"
    bad = client.put("/api/v1/tiers/scheme", json={"config": config, "changed_by": "ops_li"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("tier scheme: tiers[0].service_model")
    history = client.get("/api/v1/tiers/scheme/history").json()["items"]
    assert [v["version"] for v in history] == [1, 0]
    assert client.get("/api/v1/tiers/scheme", params={"version": 5}).status_code == 404
