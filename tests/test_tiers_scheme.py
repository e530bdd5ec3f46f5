"""The tier scheme: JSON/YAML round trip, one-line validation errors, versions in the operational store."""

from __future__ import annotations

import copy
import json

import pytest

from kequn.core.errors import NotFound, UserInputError
from kequn.tags.tier_scheme import (
    DEFAULT_SCHEME,
    load_scheme_file,
    scheme_from_dict,
    scheme_from_text,
    scheme_to_text,
)
from kequn.tags.tiers import compute_tiers, current_scheme, save_scheme, scheme_history, scheme_version
from tests.test_tiers_data import MONTHS, write_all_features


def test_default_scheme_is_domain_section_1():
    tiers = {t.code: t for t in DEFAULT_SCHEME.tiers}
    assert [t.code for t in DEFAULT_SCHEME.tiers] == ["private", "wealth", "affluent", "mass", "longtail"]
    assert {c: t.min_aum for c, t in tiers.items()} == {
        "private": 6_000_000, "wealth": 500_000, "affluent": 50_000, "mass": 1_000, "longtail": 0,
    }  # fmt: skip
    assert {c: t.downgrade_months for c, t in tiers.items()} == {
        "private": 6, "wealth": 3, "affluent": 3, "mass": 3, "longtail": 3,
    }  # fmt: skip
    assert [t.service_model for t in DEFAULT_SCHEME.tiers] == ["rm", "rm", "rm", "digital", "digital"]
    assert DEFAULT_SCHEME.assets.is_standard and not DEFAULT_SCHEME.assets.net_of_loans


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip(fmt, tmp_path):
    text = scheme_to_text(DEFAULT_SCHEME, fmt)
    assert scheme_from_text(text) == DEFAULT_SCHEME
    path = tmp_path / f"scheme.{fmt}"
    path.write_text(text, encoding="utf-8")
    assert load_scheme_file(path) == DEFAULT_SCHEME
    if fmt == "json":
        assert json.loads(text)["tiers"][0] == {
            "code": "private", "name_zh": "私人银行", "name_en": "Private banking", "min_aum": 6000000,
            "service_model": "rm", "downgrade_months": 6,
        }  # fmt: skip


def _default(**change):
    data = copy.deepcopy(DEFAULT_SCHEME.to_dict())
    for path, value in change.items():
        *parents, last = path.split("__")
        target = data
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        target[int(last) if last.isdigit() else last] = value
    return data


BAD = [
    (_default(tiers__2__min_aum=600_000), "tiers[2].min_aum: 600000 must be below tiers[1].min_aum 500000"),
    (_default(tiers__4__min_aum=10), "tiers[4].min_aum: the lowest tier must start at 0"),
    (_default(tiers__1__code="private"), "tiers[1].code: 'private' appears twice"),
    (_default(tiers__1__code="Wealth Tier"), "tiers[1].code: 'Wealth Tier' is not a code"),
    (_default(tiers__3__code="new"), "tiers[3].code: 'new' is reserved"),
    (
        _default(tiers__0__service_model="branch"),
        "tiers[0].service_model: 'branch' is not one of rm, digital",
    ),
    (_default(tiers__0__downgrade_months=0), "tiers[0].downgrade_months: 0 is not a whole number 1..24"),
    (_default(tiers__0__downgrade_months="six"), "tiers[0].downgrade_months: 'six' is not a whole number"),
    (_default(tiers__1__min_aum=-5), "tiers[1].min_aum: -5 is not an amount >= 0"),
    (_default(tiers__1__min_aum="500k"), "tiers[1].min_aum: '500k' is not an amount >= 0"),
    (_default(tiers__1__name_zh=" "), "tiers[1].name_zh: expected a non-empty name"),
    (_default(tiers__1__colour="gold"), "tiers[1]: unknown key 'colour'"),
    (_default(assets__weights={"gold": 1}), "assets.weights: unknown category 'gold'"),
    (_default(assets__weights={"wealth": 0, "fund": 0}), "at least one category needs a weight above 0"),
    (_default(assets__net_of_loans="yes"), "assets.net_of_loans: 'yes' is not true or false"),
    (_default(thresholds=[1]), "unknown key 'thresholds'"),
    ({"tiers": [DEFAULT_SCHEME.to_dict()["tiers"][0]]}, "tiers: expected a list of at least 2 tiers"),
    ([1, 2], "expected a mapping with 'tiers' and 'assets'"),
]


@pytest.mark.parametrize(("data", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_validation_errors_are_one_line(data, message):
    with pytest.raises(UserInputError) as err:
        scheme_from_dict(data, source="s.yaml")
    text = str(err.value)
    assert message in text and text.startswith("s.yaml: ") and "\n" not in text


def test_unreadable_files_name_the_file(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("tiers: [\n  - code: x\n", encoding="utf-8")
    with pytest.raises(UserInputError, match=r"broken.yaml: not valid YAML/JSON at line \d"):
        load_scheme_file(broken)
    with pytest.raises(UserInputError, match="missing.yaml: cannot read"):
        load_scheme_file(tmp_path / "missing.yaml")


@pytest.fixture
def store_url(tmp_path):
    return f"sqlite:///{tmp_path}/kequn.db"


def test_versions_are_kept_with_who_when_and_why(store_url):
    assert scheme_version(store_url).version == 0 and current_scheme(store_url) == DEFAULT_SCHEME
    private_8m = scheme_from_dict(_default(tiers__0__min_aum=8_000_000))
    saved = save_scheme(store_url, private_8m, changed_by="ops_li", note="ICBC-style private threshold")
    assert saved.version == 1 and saved.changed_by == "ops_li" and saved.changed_at is not None
    assert current_scheme(store_url).tiers[0].min_aum == 8_000_000
    again = save_scheme(store_url, private_8m, changed_by="ops_wang")  # no change, no new version
    assert again.version == 1 and again.changed_by == "ops_li"
    save_scheme(store_url, DEFAULT_SCHEME, changed_by="ops_li", note="back to the default")
    assert [v.version for v in scheme_history(store_url)] == [2, 1, 0]
    assert scheme_version(store_url, 1).note == "ICBC-style private threshold"
    with pytest.raises(NotFound):
        scheme_version(store_url, 9)
    with pytest.raises(UserInputError, match="needs who"):
        save_scheme(store_url, private_8m, changed_by=" ")


def test_compute_uses_the_scheme_in_force(engine, store_url):
    write_all_features(engine)
    save_scheme(
        store_url, scheme_from_dict(_default(tiers__0__min_aum=8_000_000)), changed_by="ops_li", note="8M"
    )
    compute_tiers(engine, MONTHS[0], store_url=store_url)
    engine.use_snapshot("tiers", MONTHS[0], alias="t")
    rows = dict(engine.con.execute("SELECT customer_id, tier FROM t").fetchall())
    assert rows["K03"] == "private" and rows["K07"] == "wealth"  # 8,000,000 qualifies; 7,000,000 no longer
    assert engine.scalar("SELECT DISTINCT scheme_version FROM t") == 1
