"""The link decision must not demand more evidence from a large bank than from a small one."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from kequn.identity.splink_model import DEFAULT_THRESHOLD, EVIDENCE_BITS, link_weight


def _linker(lam: float) -> SimpleNamespace:
    return SimpleNamespace(_settings_obj=SimpleNamespace(_probability_two_random_records_match=lam))


def test_small_inputs_keep_the_posterior_threshold():
    posterior = math.log2(DEFAULT_THRESHOLD / (1 - DEFAULT_THRESHOLD))
    assert link_weight(_linker(0.15)) == pytest.approx(posterior)


@pytest.mark.parametrize("lam", [5e-5, 5e-6, 8e-7, 1e-8])
def test_large_banks_need_at_most_the_fixed_evidence(lam):
    needed_evidence = link_weight(_linker(lam)) - math.log2(lam / (1 - lam))
    assert needed_evidence <= EVIDENCE_BITS + 1e-9
