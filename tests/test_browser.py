"""The console in a real browser: a server in a subprocess, Debian chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kequn.engine import DuckDBEngine, Warehouse
from tests import tiny_bank
from tests.conftest import require_or_skip

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(workspace):
    engine = DuckDBEngine(Warehouse(workspace.warehouse))
    tiny_bank.build(engine)
    engine.close()
    port = _free_port()
    env = {**os.environ, "KEQUN_NO_PROGRESS": "1"}
    kequn = Path(sys.executable).parent / "kequn"
    proc = subprocess.Popen(
        [str(kequn), "serve", "--workspace", str(workspace.root), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=0.5).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"server did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def page(tmp_path):
    require_or_skip(CHROMIUM is not None, "Debian chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser.new_page(viewport={"width": 1280, "height": 900})
        browser.close()


def test_search_then_open_the_360_page(server, page, tmp_path):
    page.goto(server + "/")
    page.fill("[data-testid=search-input]", "13812345678")
    page.click("[data-testid=search-button]")
    page.wait_for_selector("[data-testid=search-results] [data-customer-id=K0000000001]")
    page.click("[data-testid=customer-link]")
    page.wait_for_selector("[data-testid=customer-title]")
    assert "张伟" in page.inner_text("[data-testid=customer-title]")
    assert page.inner_text("[data-testid=profile-phone]") == "138****5678"
    assert "40,000.00" in page.inner_text("[data-testid=aum-today]")
    page.wait_for_selector("[data-testid=aum-chart][data-rendered=true]")
    assert page.locator("[data-testid=linked-records] tbody tr").count() == 2
    assert "13812345678" not in page.content()
    page.screenshot(path=str(tmp_path / "customer360.png"), full_page=True)


def test_language_switch_to_english(server, page):
    page.goto(server + "/customers/K0000000001")
    assert "月日均AUM" in page.content()
    page.click("[data-testid=lang-switch] a")
    page.wait_for_load_state()
    assert "Monthly average daily AUM" in page.content()
