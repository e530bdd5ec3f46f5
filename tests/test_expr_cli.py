"""`kequn expr` as a user runs it: the checked form, or one error line and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

KEQUN = str(Path(sys.executable).parent / "kequn")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KEQUN_NO_PROGRESS": "1", "COLUMNS": "200"}
    env.pop("KEQUN_WORKSPACE", None)
    return subprocess.run(
        [KEQUN, "expr", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_check_prints_canonical_form_type_and_names_without_a_workspace(tmp_path):
    result = run(
        "check", "aum_mad>=500000 and risk_level>=3 and tier = 'wealth'", "--sql", "spark", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "aum_mad >= 500000 AND risk_level >= 3 AND tier = 'wealth'"
    assert lines[1] == "type: boolean (a condition)"
    assert lines[2] == "names (built-in catalog):"
    assert any(line.split()[:2] == ["aum_mad", "number"] and "月日均" in line for line in lines)
    assert any(line.split()[:2] == ["tier", "string"] and "Tier" in line for line in lines)
    assert "sql (spark): `aum_mad` >= 500000 AND `risk_level` >= 3 AND `tier` = 'wealth'" in lines


def test_errors_are_one_line_with_exit_2(tmp_path):
    unknown = run("check", "aum_mda >= 500000", cwd=tmp_path)
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert unknown.stderr.strip() == "error: unknown name 'aum_mda' at 1:1 — did you mean 'aum_mad'?"
    for hostile in ("1=1; DROP TABLE x", "(" * 3000 + "1" + ")" * 3000, "aum > 1e400"):
        result = run("check", hostile, cwd=tmp_path)
        assert result.returncode == 2, hostile
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_check_in_a_workspace_uses_its_catalog(tmp_path):
    assert subprocess.run([KEQUN, "init", str(tmp_path / "ws")], capture_output=True).returncode == 0
    result = run("check", "age >= 60 AND NOT is_dormant", "--workspace", str(tmp_path / "ws"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"names (workspace {tmp_path / 'ws'}):" in result.stdout
    listed = run("functions", cwd=tmp_path)
    assert listed.returncode == 0 and "date_diff" in listed.stdout
