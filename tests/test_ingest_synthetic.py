"""The synthetic bank (kequn generate) ingested end to end with the built-in `synthetic` mapping."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kequn.demo.generator import generate_bank
from kequn.ingest import ingest_sources


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bank")
    generate_bank(out, customers=2000, seed=1)
    return out


def test_synthetic_bank_loads_every_file(engine, bank):
    report = ingest_sources(engine, bank, "synthetic")
    manifest = json.loads((bank / "manifest.json").read_text())
    assert report.as_of == date.fromisoformat(manifest["as_of"])
    for f in report.files:
        assert f.read == f.loaded + f.skipped + f.quarantined, f
        if f.file in manifest.get("files", {}):
            assert f.read == manifest["files"][f.file], f
    planted = (bank / "ground_truth" / "planted_defects.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert report.quarantined == len(planted)  # exactly the defective rows the generator planted
    engine.use_snapshot("person_record")
    rows = engine.query("SELECT source, count(*) AS n FROM person_record GROUP BY 1").to_pylist()
    sources = {r["source"]: r["n"] for r in rows}
    assert set(sources) == {"core", "cards", "app", "crm"}
    assert sources["core"] >= 2000
    assert report.tables["txn"] == sum(f.loaded for f in report.for_target("txn"))
    engine.use_snapshot("txn")
    assert engine.scalar("SELECT count(*) FROM txn WHERE direction IS NULL OR kind IS NULL") == 0
