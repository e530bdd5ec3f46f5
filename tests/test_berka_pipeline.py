"""The real Berka bank through the whole foundation: ingest, OneID, the 360 view."""

from __future__ import annotations

import pytest

from kequn.customers import customer_360
from kequn.identity import resolve_identity
from kequn.ingest import ingest_sources
from tests.conftest import SHARED

BERKA = SHARED / "datasets" / "berka"


@pytest.mark.slow
def test_berka_ingest_identity_and_360(engine, workspace):
    report = ingest_sources(engine, BERKA, "berka")
    assert report.read == report.loaded + report.skipped + report.quarantined
    identity = resolve_identity(engine, store_url=workspace.database_url)
    # Berka has one record per client and no names or phones: nothing to merge, nothing lost.
    assert identity.records == identity.customers == 5369
    engine.use_snapshot("account")
    engine.use_snapshot("source_link")
    owner = engine.scalar(
        "SELECT l.customer_id FROM account a JOIN source_link l"
        " ON l.source = a.party_source AND l.source_key = a.party_key ORDER BY a.account_id LIMIT 1"
    )
    view = customer_360(engine, owner)
    assert view["holdings"] and view["profile"]["birth_date"] is not None
