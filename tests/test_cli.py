"""The kequn command as a user runs it: exit codes, one-line errors, masked output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kequn.engine import DuckDBEngine, Warehouse
from tests import tiny_bank

KEQUN = str(Path(sys.executable).parent / "kequn")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KEQUN_NO_PROGRESS": "1", "COLUMNS": "200"}
    env.pop("KEQUN_WORKSPACE", None)
    return subprocess.run([KEQUN, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_init_creates_a_workspace(tmp_path):
    result = run("init", str(tmp_path / "ws"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ws" / "kequn.toml").is_file() and (tmp_path / "ws" / "warehouse").is_dir()


def test_missing_workspace_is_one_line_exit_2(tmp_path):
    result = run("customer", "show", "张伟", "--workspace", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "not a kequn workspace" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_customer_show_prints_the_masked_360(workspace):
    engine = DuckDBEngine(Warehouse(workspace.warehouse))
    tiny_bank.build(engine)
    engine.close()
    result = run("customer", "show", "+86 138 1234 5678", "--workspace", str(workspace.root))
    assert result.returncode == 0, result.stderr
    assert "张伟" in result.stdout and "138****5678" in result.stdout and "40,000.00" in result.stdout
    assert "13812345678" not in result.stdout and "110101198003071234" not in result.stdout
    missing = run("customer", "show", "13700000000", "--workspace", str(workspace.root))
    assert missing.returncode == 2 and "<phone>" in missing.stderr and "13700000000" not in missing.stderr
