"""Berka (real, anonymised Czech bank data) ingested end to end with the built-in `berka` mapping."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kequn.ingest import ingest_sources

BERKA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "berka"
pytestmark = pytest.mark.skipif(not BERKA.is_dir(), reason="Berka data set not available")


@pytest.fixture(scope="module")
def berka(tmp_path_factory):
    from kequn.engine import DuckDBEngine, Warehouse

    engine = DuckDBEngine(Warehouse(tmp_path_factory.mktemp("wh")))
    report = ingest_sources(engine, BERKA, "berka")
    yield engine, report
    engine.close()


def _lines(name: str) -> int:
    return sum(1 for _ in open(BERKA / name, "rb")) - 1


def test_counts_reconcile_with_the_files(berka):
    _, report = berka
    assert report.as_of == date(1994, 3, 30)
    for f in report.files:
        assert f.read == f.loaded + f.skipped + f.quarantined, f
        if not f.file.endswith(".yaml#products"):
            assert f.read == _lines(f.file), f
    assert report.tables["txn"] == 46_997
    assert report.tables["person_record"] == 5_369
    assert report.tables["account"] == 4_500 + 682 + 892


def test_sex_and_birth_date_are_decoded_from_birth_number(berka):
    engine, _ = berka
    engine.use_snapshot("person_record")
    rows = engine.query(
        "SELECT source_key, gender, birth_date, city FROM person_record WHERE source_key IN ('1','2','3') "
        "ORDER BY source_key"
    ).to_pylist()
    # client.asc: 1;"706213";18  2;"450204";1  3;"406009";1 (women: month + 50)
    assert [(r["gender"], r["birth_date"]) for r in rows] == [
        ("F", date(1970, 12, 13)),
        ("M", date(1945, 2, 4)),
        ("F", date(1940, 10, 9)),
    ]
    assert rows[0]["city"] == "Pisek"
    assert (
        engine.scalar("SELECT count(*) FROM person_record WHERE record_id = 'berka:' || source_key") == 5369
    )


def test_owner_is_the_account_party_and_disponents_are_relations(berka):
    engine, report = berka
    engine.use_snapshot("account")
    engine.use_snapshot("relation")
    # disp.asc: 2;2;2;"OWNER"  3;3;2;"DISPONENT"
    assert engine.scalar("SELECT party_key FROM account WHERE account_id = '2'") == "2"
    rel = engine.query("SELECT * FROM relation WHERE to_id = '2'").to_pylist()
    assert [(r["from_id"], r["kind"]) for r in rel] == [("berka:3", "disponent")]
    assert engine.scalar("SELECT count(*) FROM relation") == 869
    disp = next(f for f in report.files if f.target == "relation")
    assert (disp.loaded, disp.skipped) == (869, 4500)
    assert engine.scalar("SELECT count(*) FROM account WHERE party_key IS NULL") == 0


def test_transactions_balances_and_codes(berka):
    engine, _ = berka
    for t in ("txn", "balance", "quarantine", "product"):
        engine.use_snapshot(t)
    assert engine.scalar("SELECT count(*) FROM quarantine") == 0
    assert engine.scalar("SELECT count(*) FROM txn WHERE direction NOT IN ('in', 'out')") == 0
    assert engine.scalar("SELECT count(*) FROM txn WHERE kind IS NULL") == 0
    # 695247;2378;930101;"PRIJEM";"VKLAD";700.00;700.00 -> a cash deposit
    row = engine.query("SELECT * FROM txn WHERE txn_id = '695247'").to_pylist()[0]
    assert (row["direction"], row["kind"], float(row["amount"])) == ("in", "cash", 700.0)
    # one balance per account and day: the last transaction's balance that day
    assert engine.scalar("SELECT count(*) - count(DISTINCT (account_id, day)) FROM balance") == 0
    assert engine.scalar("SELECT count(*) FROM product") == 5
