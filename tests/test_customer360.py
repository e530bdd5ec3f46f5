import pytest

from kequn.core.errors import NotFound
from kequn.customers import customer_360, search_customers
from tests import tiny_bank


@pytest.fixture
def bank(engine):
    tiny_bank.build(engine)
    return engine


@pytest.mark.parametrize(
    "query",
    ["K0000000001", "13812345678", "+86 138-1234-5678", "110101198003071234", "张伟", "張偉"],
)
def test_search_finds_the_customer_by_any_identifier(bank, query):
    hits = search_customers(bank, query)
    assert [h["customer_id"] for h in hits] == ["K0000000001"]
    assert hits[0]["phone"] == "138****5678"


def test_360_reports_aum_today_and_month_average(bank):
    view = customer_360(bank, "K0000000001")
    assert view["aum"] == 40000
    assert view["mad_aum"] == pytest.approx((15 * 10000 + 16 * 40000) / 31)
    assert view["liabilities"] == 1200
    assert {h["product_name"] for h in view["holdings"]} == {"活期储蓄", "信用卡"}
    assert view["profile"]["org_name"] == "浦东支行" and view["profile"]["rm_name"] == "李经理"
    assert view["transactions"]["summary"][0]["kind"] == "salary"
    assert view["channels"]["app"]["logins_30d"] == 1
    assert view["channels"]["feedback"][0]["score"] == 3
    assert len(view["linked_records"]) == 2
    assert view["aum_series"][-1]["aum"] == 40000


def test_360_masks_every_personal_field(bank):
    text = str(customer_360(bank, "K0000000001"))
    for secret in ("13812345678", "1234 5678", "110101198003071234", "世纪大道", "6222000000000000001"):
        assert secret not in text
    assert "138****5678" in text and "110101********1234" in text


def test_unknown_customer_is_not_found(bank):
    with pytest.raises(NotFound):
        customer_360(bank, "K9999999999")
