"""The DuckDB read_csv fast path gives exactly what the pyarrow reader gives, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from kequn.core.errors import SourceFileError
from kequn.engine import DuckDBEngine, Warehouse
from kequn.ingest import ingest_sources
from kequn.ingest import run as ingest_run
from kequn.ingest.fastcsv import LineIndex, line_of_row
from tests.test_ingest_errors import AS_OF, TXNS, make_sources

TABLES = ("product", "account", "txn", "quarantine")


@pytest.fixture
def fast_used(monkeypatch) -> dict[str, object]:
    """file label -> whether the fast path kept the file, or "raised" (absent: not tried)."""
    used: dict[str, object] = {}
    monkeypatch.setattr(ingest_run, "FAST_CSV", True)  # opt-in (KEQUN_INGEST_READER=duckdb)
    original = ingest_run._stage_fast

    def spy(engine, entry, stream):
        try:
            used[entry.label] = original(engine, entry, stream)
        except Exception:
            used[entry.label] = "raised"
            raise
        return used[entry.label]

    monkeypatch.setattr(ingest_run, "_stage_fast", spy)
    return used


def run_both(tmp_path: Path, src: Path, maps: Path, monkeypatch) -> tuple[dict, dict]:
    """(fast path result, pyarrow-only result): every table's rows plus the per-file counts."""
    out = []
    for fast in (True, False):
        monkeypatch.setattr(ingest_run, "FAST_CSV", fast)
        engine = DuckDBEngine(Warehouse(tmp_path / f"wh-{fast}"))
        try:
            report = ingest_sources(engine, src, maps, as_of=AS_OF)
            got: dict = {
                "files": [(f.file, f.read, f.loaded, f.skipped, f.quarantined) for f in report.files]
            }
            for t in TABLES:
                engine.use_snapshot(t)
                got[t] = engine.query(f"SELECT * FROM {t} ORDER BY ALL").to_pylist()
        finally:
            engine.close()
        out.append(got)
    return out[0], out[1]


def test_fast_path_quarantine_equals_pyarrow_path(tmp_path, monkeypatch, fast_used):
    src, maps = make_sources(tmp_path)
    fast, slow = run_both(tmp_path, src, maps, monkeypatch)
    assert fast_used == {"products.csv": True, "accounts.csv": True, "txns.csv": True}
    assert fast == slow
    lines = [(r["line"], r["reason"]) for r in fast["quarantine"] if r["source_file"] == "txns.csv"]
    assert (4, "expected 5 fields, found 3") in lines and (6, "duplicate key") in lines
    assert all(f[1] == f[2] + f[3] + f[4] for f in fast["files"])


def test_fast_path_dedupe_last_equals_pyarrow_path(tmp_path, monkeypatch, fast_used):
    src, maps = make_sources(tmp_path)
    text = (maps / "test.yaml").read_text().replace("target: txn\n", "target: txn\n    dedupe: last\n")
    (maps / "test.yaml").write_text(text)
    (src / "txns2.csv").write_text(TXNS.replace("T8,", "T1,"), encoding="utf-8")
    text = text + text[text.index("  - path: txns.csv") :].replace("txns.csv", "txns2.csv")
    (maps / "test.yaml").write_text(text)
    fast, slow = run_both(tmp_path, src, maps, monkeypatch)
    assert fast_used["txns.csv"] is True and fast_used["txns2.csv"] is True
    assert fast == slow
    engine_rows = [r for r in fast["txn"] if r["txn_id"] == "T1"]
    assert len(engine_rows) == 1 and str(engine_rows[0]["amount"]) == "11.00"


def test_fast_path_late_rows_equal_pyarrow_path(tmp_path, monkeypatch, fast_used):
    from tests.test_ingest_late import ACCOUNTS, ACCOUNTS2, MAPPING, PRODUCTS
    from tests.test_ingest_late import TXNS as LATE_TXNS

    src, maps = tmp_path / "src", tmp_path / "maps"
    src.mkdir()
    maps.mkdir()
    (maps / "test.yaml").write_text(MAPPING, encoding="utf-8")
    files = [("products.csv", PRODUCTS), ("accounts.csv", ACCOUNTS), ("accounts2.csv", ACCOUNTS2)]
    for name, text in [*files, ("txns.csv", LATE_TXNS.replace("\n", "\r\n"))]:  # CRLF too
        (src / name).write_text(text, encoding="utf-8")
    fast, slow = run_both(tmp_path, src, maps, monkeypatch)
    assert fast_used["txns.csv"] is True
    assert fast == slow
    assert all(r["raw"] for r in fast["quarantine"])


def big_txns(rows: int) -> tuple[str, dict[int, str]]:
    """A file large enough for DuckDB to read in parallel, with problems at known lines."""
    expected: dict[int, str] = {}
    out = ["id,acct,time,amount,dc"]
    for i in range(rows):
        line = len(out) + 1
        amount, acct, ident = "1.00", "A1", f"T{i}"
        if i % 50_000 == 7:
            amount, expected[line] = "x", "not a valid DECIMAL(18,2)"
        elif i % 70_000 == 11:
            acct, expected[line] = "A9", "unknown account_id"
        elif i % 90_000 == 13:
            ident, expected[line] = "T0", "duplicate key"
        elif i % 110_000 == 17:
            out.append(f"{ident},{acct},2026-10-01")
            expected[line] = "expected 5 fields, found 3"
            continue
        out.append(f'{ident},{acct},2026-10-01 10:00:00,"{amount}",C')
    return "\n".join(out) + "\n", expected


def test_fast_path_line_numbers_in_a_parallel_read(tmp_path, monkeypatch, fast_used):
    from kequn.ingest import fastcsv

    monkeypatch.setattr(fastcsv, "EXTRA_OPTIONS", ", buffer_size=262144")  # ~60 buffers, 2+ threads
    src, maps = make_sources(tmp_path)
    text, expected = big_txns(400_000)
    (src / "txns.csv").write_text(text, encoding="utf-8")
    fast, slow = run_both(tmp_path, src, maps, monkeypatch)
    assert fast_used["txns.csv"] is True
    got = {r["line"]: r["reason"] for r in fast["quarantine"] if r["source_file"] == "txns.csv"}
    assert got == expected
    assert fast == slow


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("T8,A1,", '"T8\nX",A1,'),  # a quoted value spanning two lines
        lambda t: t.replace("T8,A1,", "\nT8,A1,"),  # an empty line
        lambda t: t.replace("T8,A1,", '"T"8,A1,'),  # text after a closing quote
    ],
)
def test_files_the_fast_path_cannot_prove_go_through_pyarrow(tmp_path, monkeypatch, fast_used, change):
    src, maps = make_sources(tmp_path)
    (src / "txns.csv").write_text(change(TXNS), encoding="utf-8")
    fast, slow = run_both(tmp_path, src, maps, monkeypatch)
    assert fast_used == {"products.csv": True, "accounts.csv": True, "txns.csv": False}
    assert fast == slow


def test_invalid_utf8_in_a_utf8_file_names_the_line(engine, tmp_path, fast_used):
    src, maps = make_sources(tmp_path)
    (src / "txns.csv").write_bytes(TXNS.encode().replace(b"T7,", b"T\xff7,"))
    with pytest.raises(SourceFileError, match=r"^txns.csv: line 8: cannot decode as utf-8$"):
        ingest_sources(engine, src, maps, as_of=AS_OF)
    assert fast_used["txns.csv"] == "raised"
    assert not engine.warehouse.has("txn") and not engine.warehouse.has("quarantine")


def test_missing_column_is_fatal_before_the_fast_read(engine, tmp_path, fast_used):
    src, maps = make_sources(tmp_path)
    (src / "txns.csv").write_text(TXNS.replace("amount", "amt", 1), encoding="utf-8")
    with pytest.raises(SourceFileError, match=r"^txns.csv: column 'amount' missing from header$"):
        ingest_sources(engine, src, maps, as_of=AS_OF)
    assert fast_used == {} and not engine.warehouse.has("txn")


def test_line_index(tmp_path, monkeypatch):
    from kequn.ingest import fastcsv

    monkeypatch.setattr(fastcsv, "CHUNK", 7)  # many blocks, lines crossing block ends
    path = tmp_path / "f.csv"
    lines = [f"line{i}" * (i % 4) for i in range(1, 60)]
    path.write_bytes("\n".join(lines).encode())  # no final newline
    index = LineIndex.build(path)
    assert index.lines == len(lines)
    assert index.read_lines(list(range(1, 60))) == {i: t.encode() for i, t in enumerate(lines, start=1)}
    starts = [sum(len(t) + 1 for t in lines[: i - 1]) for i in range(1, 60)]
    assert [index.line_of(p) for p in starts] == list(range(1, 60))
    assert [line_of_row(r, 2, [4, 5, 9]) for r in range(8)] == [2, 3, 6, 7, 8, 10, 11, 12]


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_late_raw_rows_by_line_or_by_re_read(tmp_path, monkeypatch, ending):
    """The pyarrow path fetches late rows by line (LF and CRLF files)."""
    from tests.test_ingest_late import ACCOUNTS, ACCOUNTS2, MAPPING, PRODUCTS
    from tests.test_ingest_late import TXNS as LATE_TXNS

    monkeypatch.setattr(ingest_run, "FAST_CSV", False)
    calls: list[bool] = []
    original = ingest_run._line_addressable
    monkeypatch.setattr(ingest_run, "_line_addressable", lambda e: calls.append(original(e)) or calls[-1])
    src, maps = tmp_path / "src", tmp_path / "maps"
    src.mkdir()
    maps.mkdir()
    (maps / "test.yaml").write_text(MAPPING, encoding="utf-8")
    files = [("products.csv", PRODUCTS), ("accounts.csv", ACCOUNTS), ("accounts2.csv", ACCOUNTS2)]
    for name, text in [*files, ("txns.csv", LATE_TXNS.replace("\n", ending))]:
        (src / name).write_text(text, encoding="utf-8", newline="")
    engine = DuckDBEngine(Warehouse(tmp_path / "wh"))
    try:
        ingest_sources(engine, src, maps, as_of=AS_OF)
        engine.use_snapshot("quarantine")
        rows = engine.query("SELECT line, reason, raw FROM quarantine WHERE source_file = 'txns.csv'")
    finally:
        engine.close()
    got = sorted((r["line"], r["reason"], r["raw"]) for r in rows.to_pylist())
    assert [(line, reason) for line, reason, _ in got] == [
        (2, "unknown account_id"),
        (3, "duplicate key"),
        (6, "unknown account_id"),
        (7, "duplicate key"),
    ]
    assert '"amount":"2.00"' in got[1][2].replace(" ", "")
    assert calls and all(calls)


def test_line_index_is_not_used_when_the_count_disagrees(tmp_path):
    from kequn.ingest.mapping import FileSpec
    from kequn.ingest.reader import open_stream

    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    spec = FileSpec(mapping_file="m.yaml", target="txn", path="t.csv")
    stream = open_stream(path, spec, "t.csv")
    entry = ingest_run._Entry(0, spec, "t.csv", stream.columns, 2, stream, rows=2)
    assert ingest_run._line_addressable(entry) and entry.lines is not None
    wrong = ingest_run._Entry(0, spec, "t.csv", stream.columns, 2, stream, rows=3)  # e.g. a bare CR split
    assert not ingest_run._line_addressable(wrong) and wrong.lines is None
