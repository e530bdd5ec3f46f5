"""`kequn identity resolve FILE... --out OUT.csv` and the override commands, as a user runs them."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.identity_fixture import person_records
from tests.test_cli import run

HEADER = "record_id,source,name,gender,birth_date,id_no,phone,email,address,city,postcode"


def _write(path: Path, rows: list[list[str]], header: str = HEADER) -> Path:
    path.write_text(header + "\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _fixture_files(tmp_path: Path) -> tuple[list[Path], dict[str, int]]:
    table, truth = person_records(150, seed=5)
    cols = HEADER.split(",")
    rows = [["" if r.get(c) is None else str(r[c]) for c in cols] for r in table.to_pylist()]
    half = len(rows) // 2
    files = [_write(tmp_path / "a.csv", rows[:half]), _write(tmp_path / "b.csv", rows[half:])]
    person = {f"{s}:{k}": p for s, k, p in truth}
    return files, person


def test_resolve_writes_one_row_per_record(tmp_path):
    files, person = _fixture_files(tmp_path)
    out = tmp_path / "out" / "ids.csv"
    result = run("identity", "resolve", *map(str, files), "--out", str(out))
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["record_id", "customer_id"]
    assert [r[0] for r in rows[1:]] == list(person)  # input order, every record once
    by_person: dict[int, set[str]] = {}
    for record_id, customer_id in rows[1:]:
        by_person.setdefault(person[record_id], set()).add(customer_id)
    assert sum(len(ids) == 1 for ids in by_person.values()) >= 0.95 * len(by_person)
    assert all(len(r[1]) == 11 and r[1].startswith("K") for r in rows[1:])


def test_resolve_links_a_traditional_name_and_plus86_phone(tmp_path):
    f = _write(
        tmp_path / "p.csv",
        [
            ["core:1", "core", "陈丽华", "F", "1990-07-08", "", "13900000021", "", "", "", ""],
            ["cards:1", "cards", "陳麗華", "女", "1990-07-08", "", "+86 139 0000 0021", "", "", "", ""],
            ["crm:9", "crm", "李娜", "", "", "", "", "", "", "", ""],
        ],
    )
    out = tmp_path / "o.csv"
    assert run("identity", "resolve", str(f), "--out", str(out)).returncode == 0
    ids = dict(r for r in csv.reader(out.open(encoding="utf-8")))
    assert ids["core:1"] == ids["cards:1"] != ids["crm:9"]


def _one_line_exit_2(result, *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_resolve_bad_input_is_one_line_exit_2(tmp_path):
    out = str(tmp_path / "o.csv")
    _one_line_exit_2(run("identity", "resolve", str(tmp_path / "missing.csv"), "--out", out), "missing.csv")
    no_id = _write(tmp_path / "noid.csv", [["core", "王伟"]], header="source,name")
    _one_line_exit_2(run("identity", "resolve", str(no_id), "--out", out), "noid.csv", "record_id")
    bad_date = _write(
        tmp_path / "date.csv",
        [
            ["r1", "core", "王伟", "", "1990-01-01", "", "", "", "", "", ""],
            ["r2", "core", "李娜", "", "1990/13/45", "110105194912310021", "", "", "", "", ""],
        ],
    )
    result = run("identity", "resolve", str(bad_date), "--out", out)
    _one_line_exit_2(result, "date.csv", "line 3", "birth_date")
    assert "1990/13/45" not in result.stderr and "110105194912310021" not in result.stderr
    dup = _write(tmp_path / "dup.csv", [["r1", "core", "王伟"] + [""] * 8, ["r1", "app", "王伟"] + [""] * 8])
    _one_line_exit_2(run("identity", "resolve", str(dup), "--out", out), "duplicate", "r1")


def test_override_commands(workspace):
    ws = str(workspace.root)
    merged = run(
        "identity", "merge", "core:C1", "app:U9", "--by", "zhang", "--reason", "same person", "-w", ws
    )
    assert merged.returncode == 0, merged.stderr
    assert (
        run("identity", "split", "cards:K1", "--by", "li", "--reason", "wrong link", "-w", ws).returncode == 0
    )
    listed = run("identity", "overrides", "-w", ws)
    assert listed.returncode == 0 and "core:C1 + app:U9" in listed.stdout and "cards:K1" in listed.stdout
    _one_line_exit_2(run("identity", "split", "nokey", "--by", "li", "--reason", "x", "-w", ws), "SOURCE:KEY")
