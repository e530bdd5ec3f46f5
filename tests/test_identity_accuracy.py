"""OneID accuracy on a generated 20,000-customer bank: pair F1 ≥ 0.98 against ground truth."""

from __future__ import annotations

import logging

import pytest

from kequn.demo.generator import generate_bank
from kequn.engine import DuckDBEngine, Warehouse
from kequn.identity import evaluate_identity, resolve_identity
from kequn.ingest import ingest_sources


@pytest.mark.slow
def test_f1_on_a_generated_20k_bank(tmp_path, workspace):
    logging.getLogger("splink").setLevel(logging.WARNING)
    bank = tmp_path / "bank"
    generate_bank(bank, customers=20_000, seed=1, days=1)
    engine = DuckDBEngine(Warehouse(workspace.warehouse))
    try:
        ingest_sources(engine, bank, "synthetic")
        report = resolve_identity(engine, store_url=workspace.database_url)
        metrics = evaluate_identity(engine, bank / "ground_truth" / "persons.csv")
    finally:
        engine.close()
    assert report.records > 45_000 and report.splink_pairs > 0
    assert metrics.f1 >= 0.98, metrics.as_dict()
    assert metrics.precision >= 0.98 and metrics.recall >= 0.98
