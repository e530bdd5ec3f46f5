"""Tier distribution, migration matrix and RM book sizes against direct SQL and hand counts."""

from __future__ import annotations

from collections import Counter

import pytest

from kequn.core.errors import UserInputError
from kequn.tags.tiers import compute_tiers, rm_book_sizes, tier_distribution, tier_migration
from tests.test_tiers_data import MONTHS, RM, expected_at, write_all_features, write_staff


@pytest.fixture
def computed(engine):
    write_all_features(engine)
    for day in MONTHS:
        compute_tiers(engine, day)
    write_staff(engine, MONTHS[0])
    return engine


def test_distribution_matches_direct_sql(computed):
    report = tier_distribution(computed, MONTHS[4])
    files = computed.warehouse.files_glob("tiers", MONTHS[4])
    direct = {
        r[0]: r[1:]
        for r in computed.con.execute(
            "SELECT tier, COUNT(*), SUM(basis_aum), AVG(basis_aum), COUNT(*) FILTER (tier_status = 'watch')"
            f" FROM read_parquet('{files}') GROUP BY tier"
        ).fetchall()
    }
    assert [r["tier"] for r in report["tiers"]] == ["private", "wealth", "affluent", "mass", "longtail"]
    for row in report["tiers"]:
        n, total, avg, watch = direct.get(row["tier"], (0, 0.0, None, 0))
        assert (row["customers"], row["watch"]) == (n, watch)
        assert row["basis_aum"] == pytest.approx(total) and row["avg_basis_aum"] == pytest.approx(avg)
        assert row["share"] == pytest.approx(n / report["customers"])
    hand = Counter(tier for tier, _, _ in expected_at(4).values())
    assert {r["tier"]: r["customers"] for r in report["tiers"] if r["customers"]} == hand
    assert report["watch"] == sum(1 for _, status, _ in expected_at(4).values() if status == "watch")
    assert (report["basis_month"], report["in_force_month"]) == ("2025-10", "2025-11")


def test_distribution_reads_the_latest_snapshot_on_or_before(computed):
    from datetime import date

    assert tier_distribution(computed, date(2025, 12, 15))["as_of"] == "2025-11-30"
    assert tier_distribution(computed)["as_of"] == "2026-01-31"


def test_migration_matrix_against_hand_counts(computed):
    report = tier_migration(computed, MONTHS[0], MONTHS[7])
    start, end = expected_at(0), expected_at(7)
    hand = Counter(
        (start[c][0] if c in start else "new", end[c][0] if c in end else "left")
        for c in set(start) | set(end)
    )
    cells = {(f, t): n for f, row in report["matrix"].items() for t, n in row.items() if n}
    assert cells == dict(hand)
    assert report["matrix"]["new"]["mass"] == 1 and report["matrix"]["longtail"]["left"] == 1
    s = report["summary"]
    # up: K01 mass→wealth, K08 affluent→private; down: K02, K03, K07; unchanged: K04.
    assert (s["upgraded"], s["downgraded"], s["unchanged"], s["stayed"], s["new"], s["left"]) == (
        2,
        3,
        1,
        6,
        1,
        1,
    )
    assert s["upgrade_rate"] == pytest.approx(2 / 6)


def test_migration_needs_two_different_snapshots(computed):
    with pytest.raises(UserInputError, match="must be before"):
        tier_migration(computed, MONTHS[3], MONTHS[1])
    from datetime import date

    with pytest.raises(UserInputError, match="both read the tiers snapshot of 2025-09-30"):
        tier_migration(computed, MONTHS[3], date(2025, 10, 15))


def test_book_sizes_against_hand_counts(computed):
    report = rm_book_sizes(computed, MONTHS[2])
    rms = {r["rm_id"]: r for r in report["rms"]}
    state = expected_at(2)
    rm_tiers = {"private", "wealth", "affluent"}
    for rm_id in ("R1", "P1", "R404", "OPS"):
        mine = [state[c][0] for c in state if RM.get(c) == rm_id]
        assert {t: n for t, n in rms[rm_id]["tiers"].items() if n} == dict(Counter(mine)), rm_id
        assert rms[rm_id]["rm_served"] == sum(t in rm_tiers for t in mine), rm_id
    # R1 (max 1) holds K01 and K02, both affluent in August: over capacity, and listed first.
    assert (
        report["rms"][0]["rm_id"] == "R1" and rms["R1"]["over_capacity"] and rms["R1"]["utilisation"] == 2.0
    )
    assert rms["P1"]["utilisation"] == pytest.approx(2 / 20) and not rms["P1"]["over_capacity"]
    assert rms["R2"]["customers"] == 0 and rms["R2"]["max_book"] == 80  # an empty book is listed
    assert rms["R404"]["name"] is None and rms["R404"]["max_book"] is None  # unknown to staff
    assert rms["OPS"]["max_book"] == 0 and not rms["OPS"]["over_capacity"]
    assert report["over_capacity"] == 1
    # K08 (affluent) sits with digital operations, K04 (wealth) with an RM the staff list lacks.
    assert report["without_rm"] == {"wealth": 1, "affluent": 1}
    assert report["staff_as_of"] == MONTHS[0].isoformat()


def test_book_sizes_use_a_later_staff_snapshot_when_none_is_earlier(engine):
    write_all_features(engine)
    compute_tiers(engine, MONTHS[0])
    write_staff(engine, MONTHS[5])
    assert rm_book_sizes(engine, MONTHS[0])["staff_as_of"] == MONTHS[5].isoformat()
