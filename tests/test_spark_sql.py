"""DuckDB SQL to Spark SQL without Spark: parameter binding, rewrites, engine selection, lazy pyspark."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import duckdb
import pytest

from kequn.core.errors import WorkspaceError
from kequn.core.workspace import open_workspace
from kequn.engine import DuckDBEngine, engine_for, engine_kind
from kequn.engine.spark_rewrites import UnsupportedSQL
from kequn.engine.spark_sql import UserParameterError, bind, literal, to_spark

HOSTILE = [
    "it's",
    "'; DROP TABLE customer; --",
    "\\",
    "ends with a backslash \\",
    "\\' OR 1=1 --",
    "line\nbreak\ttab",
    "/* not a comment */ ? -- nor this",
    "张伟 😀",
    "",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_bound_string_is_one_literal_with_the_same_value(value):
    sql = bind("SELECT ? AS v, 1 AS one", [value])
    assert duckdb.sql(sql).fetchall() == [(value, 1)]


@pytest.mark.parametrize(
    "value",
    [0, -7, 2**62, 1.5, -0.1, float("inf"), Decimal("12345.67"), True, None, date(2026, 1, 31)],
)
def test_bound_literals_keep_their_value_and_type_in_duckdb(value):
    direct = duckdb.execute("SELECT ? AS v", [value]).fetchall()
    assert duckdb.sql(bind("SELECT ? AS v", [value])).fetchall() == direct


def test_datetimes_bind_as_naive_utc_timestamps():
    aware = datetime(2026, 1, 31, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    assert literal(aware) == "TIMESTAMP '2026-01-31 00:00:00'"
    assert literal(datetime(2026, 1, 31, 9, 30, 0, 5)) == "TIMESTAMP '2026-01-31 09:30:00.000005'"


def test_placeholders_in_strings_and_comments_are_not_parameters():
    sql = "SELECT '?' AS q, ? AS v -- why?\n /* ? */"
    assert bind(sql, [1]) == "SELECT '?' AS q, 1 AS v -- why?\n /* ? */"


def test_placeholder_followed_by_a_cast_is_bound():
    assert to_spark("SELECT ?::DATE AS d", [date(2026, 1, 31)]) == (
        "SELECT CAST(CAST('2026-01-31' AS DATE) AS DATE) AS d"
    )


def test_placeholder_count_must_match():
    with pytest.raises(UserParameterError, match="2 '\\?' placeholders but 1 values"):
        bind("SELECT ?, ?", [1])


def test_unsupported_values_are_refused():
    with pytest.raises(TypeError, match="bytes"):
        literal(b"\x00")
    with pytest.raises(TypeError):
        literal(Decimal("NaN"))


def test_strings_reach_spark_escaped_for_spark():
    # Spark reads backslash escapes in string literals; DuckDB does not.
    assert to_spark("SELECT ?", ["a\\b'c"]) == "SELECT 'a\\\\b\\'c'"


def test_rewrites_are_applied_inside_each_other():
    sql = to_spark("SELECT (a / b) / c, x / 2 FROM t")
    # The inner division appears in both branches of the outer one; every division is in DOUBLE.
    assert sql.count(" / ") == sql.count(" / CAST(") == 4
    assert to_spark("SELECT avg(x) FROM t") == "SELECT AVG(CAST(x AS DOUBLE)) FROM t"


def test_unsupported_date_diff_unit_names_an_alternative():
    with pytest.raises(UnsupportedSQL, match="use day, month"):
        to_spark("SELECT date_diff('isoyear', a, b) FROM t")


def test_first_match_regexp_replace_is_refused_unless_anchored():
    with pytest.raises(UnsupportedSQL, match="pass 'g'"):
        to_spark("SELECT regexp_replace(s, 'x', '') FROM t")
    assert "'^x'" in to_spark("SELECT regexp_replace(s, '^x', '') FROM t")
    assert "'(?i)x'" in to_spark("SELECT regexp_replace(s, 'x', '', 'gi') FROM t")


def test_percentiles_stay_exact():
    sql = to_spark("SELECT quantile_cont(x, 0.9), percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM t")
    assert "APPROX" not in sql and "PERCENTILE(x, 0.9)" in sql


# --- engine selection -------------------------------------------------------------------------------


def _with_engine(workspace, section: str):
    config = workspace.root / "kequn.toml"
    text = config.read_text(encoding="utf-8").split("[engine]")[0]
    config.write_text(text + section, encoding="utf-8")
    return open_workspace(workspace.root)


def test_duckdb_is_the_default(workspace, monkeypatch):
    monkeypatch.delenv("KEQUN_ENGINE", raising=False)
    assert engine_kind(workspace) == "duckdb"
    engine = engine_for(workspace)
    assert isinstance(engine, DuckDBEngine)
    engine.close()


def test_kind_comes_from_kequn_toml_and_the_environment_overrides_it(workspace, monkeypatch):
    monkeypatch.delenv("KEQUN_ENGINE", raising=False)
    ws = _with_engine(workspace, '[engine]\nkind = "spark"\n')
    assert engine_kind(ws) == "spark"
    monkeypatch.setenv("KEQUN_ENGINE", "duckdb")
    assert engine_kind(ws) == "duckdb"
    monkeypatch.setenv("KEQUN_ENGINE", "Spark")
    assert engine_kind(workspace) == "spark"


def test_unknown_engine_kind_is_a_workspace_error(workspace, monkeypatch):
    monkeypatch.setenv("KEQUN_ENGINE", "oracle")
    with pytest.raises(WorkspaceError, match="unknown engine 'oracle'"):
        engine_for(workspace)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_importing_kequn_never_imports_pyspark():
    code = (
        "import sys\n"
        "import kequn, kequn.cli, kequn.api, kequn.engine\n"
        "from kequn.cli import commands\n"
        "from kequn.api.app import create_app\n"
        "create_app\n"
        "from kequn.engine import *\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j'))\n"
        "print(loaded)\n"
        "assert not loaded, loaded\n"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr[-2000:]


def test_spark_without_pyspark_says_how_to_install_it(tmp_path):
    code = (
        "import sys\n"
        "sys.modules['pyspark'] = None  # as if the 'spark' extra were not installed\n"
        "from kequn.core.workspace import init_workspace\n"
        "from kequn.engine import engine_for\n"
        "import os\n"
        "os.environ['KEQUN_ENGINE'] = 'spark'\n"
        f"ws = init_workspace(__import__('pathlib').Path({str(tmp_path)!r}) / 'ws')\n"
        "try:\n"
        "    engine_for(ws)\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    result = _python(code)
    assert "WorkspaceError" in result.stdout and "pip install 'kequn[spark]'" in result.stdout, result.stderr
