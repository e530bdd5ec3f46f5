"""The generator plants a few defective rows; ingestion must quarantine exactly those, at their lines."""

from __future__ import annotations

import csv

from kequn.demo.generator import generate_bank
from kequn.ingest import ingest_sources


def test_every_planted_defect_is_quarantined_at_its_line(engine, tmp_path):
    bank = tmp_path / "bank"
    generate_bank(bank, customers=400, seed=11)
    report = ingest_sources(engine, bank, "synthetic")
    with (bank / "ground_truth" / "planted_defects.csv").open(encoding="utf-8") as fh:
        planted = {(r["file"], int(r["line"])) for r in csv.DictReader(fh)}
    engine.use_snapshot("quarantine")
    found = {tuple(r.values()) for r in engine.query("SELECT source_file, line FROM quarantine").to_pylist()}
    assert found == planted
    assert report.quarantined == len(planted)
    assert report.read == report.loaded + report.skipped + report.quarantined
