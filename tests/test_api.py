import pytest
from fastapi.testclient import TestClient

from kequn.api import create_app
from tests import tiny_bank


@pytest.fixture
def client(workspace, engine):
    tiny_bank.build(engine)
    return TestClient(create_app(workspace))


def test_search_and_360_over_rest(client):
    hits = client.get("/api/v1/customers", params={"q": "13812345678"}).json()["items"]
    assert [h["customer_id"] for h in hits] == ["K0000000001"]
    view = client.get("/api/v1/customers/K0000000001").json()
    assert view["aum"] == 40000 and view["profile"]["phone"] == "138****5678"
    assert "13812345678" not in str(view)


def test_unknown_customer_is_a_problem_document(client):
    response = client.get("/api/v1/customers/K9999999999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_bad_query_is_400(client):
    response = client.get("/api/v1/customers", params={"q": "   "})
    assert response.status_code == 400
    assert "empty query" in response.json()["detail"]


def test_openapi_is_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/customers/{customer_id}" in spec["paths"]


def test_console_search_and_360_pages(client):
    page = client.get("/search", params={"q": "张伟"})
    assert page.status_code == 200 and 'data-customer-id="K0000000001"' in page.text
    partial = client.get("/search", params={"q": "张伟"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text and "K0000000001" in partial.text
    page = client.get("/customers/K0000000001")
    assert "客户360视图" in page.text and "月日均AUM" in page.text and "138****5678" in page.text
    assert "13812345678" not in page.text
    english = client.get("/customers/K0000000001", params={"lang": "en"})
    assert "Monthly average daily AUM" in english.text


def test_console_error_page_for_browsers(client):
    page = client.get("/customers/K9999999999", headers={"accept": "text/html"})
    assert page.status_code == 404 and 'data-testid="error-detail"' in page.text
