"""The web view in headless Chromium (Debian's chromium + chromedriver, driven by Selenium)
against a real `stancestream up` fed the seed article, then the news pages while the page is
open: the Defense Ministry/Konashenkov -> US oppose edge is drawn, live stances arrive over SSE,
clicking the actor shows its stances and the quotes behind them. A screenshot is saved to
test-artifacts/web-view.png."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.stack_helpers import ROOT, ingest, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
pytest_plugins = ["tests.stack_fixtures"]  # stack, news_site

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,900",
)
ARTIFACTS = ROOT / "test-artifacts"
SRC = re.compile(r"Konashenkov|Defense Ministry")
TGT = re.compile(r"State Department|Department of State")

OPPOSE_EDGES_JS = """
return [...document.querySelectorAll('path.edge[data-stance="oppose"]')].map(p => [
  p.dataset.source, p.dataset.sourceName, p.dataset.target, p.dataset.targetName]);
"""


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium from the system packages; skips only where none is installed."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(
            f"no Chromium here ({CHROMIUM}, {CHROMEDRIVER}): "
            "apt-get install chromium chromium-driver (scripts/test does when it can)"
        )
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _seed_edge(api: str, seed_id: str) -> bool:
    r = httpx.get(f"{api}/stances", params={"article_id": seed_id, "limit": 500}, timeout=10)
    items = r.json()["items"] if r.status_code == 200 else []
    return any(
        s["stance"] == "oppose"
        and SRC.search(s["source_name"] or "")
        and TGT.search(s["target_name"] or "")
        for s in items
    )


def test_web_view_shows_the_graph_live_and_the_quotes(stack, news_site, shared_data, browser):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    api, data_dir, _proc = stack
    feed_url, _pages = news_site
    [seed_id] = ingest(data_dir, str(shared_data / "seed" / "tass-2017-10-20-idlib.txt"))
    wait_until(lambda: _seed_edge(api, seed_id), 90, "seed oppose edge stored")

    browser.get(f"{api}/")
    state_js = "return document.body.dataset.state"
    wait_until(lambda: browser.execute_script(state_js) != "loading", 30, "page loaded")
    assert browser.execute_script(state_js) == "ready", browser.find_element(By.ID, "panel").text
    edges = browser.execute_script(OPPOSE_EDGES_JS)
    hits = [e for e in edges if SRC.search(e[1]) and TGT.search(e[3])]
    assert hits, f"no Defense Ministry/Konashenkov -> US oppose edge among {edges}"
    wait_until(lambda: browser.find_element(By.ID, "live").text.startswith("live"), 30, "SSE open")

    # the news pages arrive while the page is open: their stances come in over SSE
    before = len(browser.find_elements(By.CSS_SELECTOR, "path.edge"))
    pool = ThreadPoolExecutor(1)
    feeding = pool.submit(ingest, data_dir, "--feed", feed_url)

    def live_count() -> int:
        if feeding.done() and feeding.exception() is not None:
            raise feeding.exception()  # `stancestream ingest` failed: its stderr is the message
        m = re.search(r"(\d+) new", browser.find_element(By.ID, "live").text)
        return int(m[1]) if m and int(m[1]) > 0 else 0

    wait_until(live_count, 240, "live stances in the page", 1.0)
    feeding.result(timeout=180)
    pool.shutdown()
    wait_until(
        lambda: len(browser.find_elements(By.CSS_SELECTOR, "path.edge")) > before,
        30,
        "new edges drawn",
    )

    # click the actor: its panel with the stances it holds and the quotes behind them
    source_id, source_name = hits[0][0], hits[0][1]
    node = next(
        n
        for n in browser.find_elements(By.CSS_SELECTOR, "g.node")
        if n.get_attribute("data-id") == source_id
    )
    try:
        node.find_element(By.TAG_NAME, "circle").click()
    except WebDriverException:  # covered by another node or label: click it the DOM way
        browser.execute_script(
            "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", node
        )
    wait_until(
        lambda: (
            browser.find_element(By.ID, "actor-name").text == source_name
            if browser.find_elements(By.ID, "actor-name")
            else False
        ),
        30,
        "actor panel",
    )
    wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, ".quote"), 30, "quotes")
    held = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "tr.pair")]
    assert any(TGT.search(t) for t in held), held
    quotes = browser.find_elements(By.CSS_SELECTOR, ".quote")
    behind = [
        q.find_element(By.CSS_SELECTOR, ".text").text
        for q in quotes
        if any(
            SRC.search(c.text) and TGT.search(c.text)
            for c in q.find_elements(By.CSS_SELECTOR, ".chip")
        )
    ]
    assert behind and all(len(t) > 20 for t in behind), [q.text for q in quotes]
    first = next(q for q in quotes if q.find_element(By.CSS_SELECTOR, ".text").text == behind[0])
    browser.execute_script("arguments[0].scrollIntoView()", first)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "web-view.png"))
