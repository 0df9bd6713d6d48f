"""The web view in headless Chromium (Debian's chromium + chromedriver, driven by Selenium)
against a real `stancestream up`: first empty, then awkward inputs drawn through the page's own
code (names with quotes and HTML, one pair, an actor with no quotes, a blank min count), then
fed the seed article. The default view hides neutral pairs and pairs seen once, draws the
Defense Ministry/Konashenkov -> State Department oppose edge, and no two names overlap; live
stances arrive over SSE while the news pages are ingested; clicking the actor opens its panel
with the quotes that carry a stance first. The browser console stays free of errors.

Screenshots: test-artifacts/web-view.png (the default view) and test-artifacts/web-view-actor.png
(the actor panel), saved as soon as each view is reached and, on a failure before that, of
whatever the page shows then."""

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
SHOTS = {"default": ARTIFACTS / "web-view.png", "actor": ARTIFACTS / "web-view-actor.png"}
SRC = re.compile(r"Konashenkov|Defense Ministry")
TGT = re.compile(r"State Department|Department of State")

# awkward names: quotes, markup, an ampersand, a lone "<", non-Latin script
TRICKY = [
    '<img src=x onerror="window.__xss=1">',
    'O\'Brien & "Sons" </script>',
    "a < b",
    "Сергей Лавров",
]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium from the system packages, its console log kept; skips only where none
    is installed."""
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
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.console = []  # every console entry read so far (get_log drains the browser's)
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


def _idle(browser: Any, what: str = "page idle", timeout: float = 60) -> None:
    """The page says ``idle`` once its data is loaded and the layout has stopped."""
    state = "return document.body.dataset.state"
    wait_until(lambda: browser.execute_script(state) in ("idle", "error"), timeout, what, 0.2)
    assert browser.execute_script(state) == "idle", browser.find_element("id", "status").text


def _console_errors(browser: Any) -> list[dict]:
    browser.console += browser.get_log("browser")
    return [e for e in browser.console if e["level"] == "SEVERE"]


def _overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["name"], b["name"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]
    ]


def _set(browser: Any, element_id: str, value: str | bool) -> None:
    """Set a control the way a user does (value, then a change event) and wait for the page."""
    browser.execute_script(
        "const e = document.getElementById(arguments[0]);"
        "if (e.type === 'checkbox') e.checked = arguments[1]; else e.value = arguments[1];"
        "e.dispatchEvent(new Event('change', {bubbles: true}));",
        element_id,
        value,
    )
    _idle(browser, f"page idle after setting #{element_id}")


def _tricky_graph() -> dict:
    nodes = [
        {"id": f"local:person:{n}", "name": n, "type": "person", "activity": 2} for n in TRICKY
    ]
    # the same actor linked and local: one node; a pair seen once; a self-stance after merging
    nodes += [
        {"id": "Q1", "name": "Acme", "type": "org", "wikidata": "Q1", "activity": 3},
        {"id": "local:org:acme", "name": "ACME", "type": "org", "activity": 2},
    ]
    edge = {"articles": 1, "articles_support": 0, "articles_oppose": 1, "stories": 1,
            "stories_support": 0, "stories_oppose": 1, "mean_score": 0.9}  # fmt: skip
    edges = [
        {**edge, "source": nodes[0]["id"], "target": nodes[1]["id"], "count": 3, "support": 0,
         "oppose": 3, "neutral": 0, "signed_score": -1.0},
        {**edge, "source": nodes[2]["id"], "target": "Q1", "count": 2, "support": 0,
         "oppose": 1, "neutral": 1, "signed_score": -1.0},
        {**edge, "source": nodes[3]["id"], "target": "local:org:acme", "count": 2, "support": 1,
         "oppose": 0, "neutral": 1, "articles_support": 1, "articles_oppose": 0,
         "stories_support": 1, "stories_oppose": 0, "signed_score": 1.0},
        {**edge, "source": "local:org:acme", "target": "Q1", "count": 4, "support": 0,
         "oppose": 4, "neutral": 0, "signed_score": -1.0},
    ]  # fmt: skip
    return {"nodes": nodes, "edges": edges, "total": len(edges), "limit": 5000, "offset": 0}


def _awkward_inputs(browser: Any) -> None:
    """Empty graph, awkward names, merged ids, one pair, an actor without quotes, blank and
    silly control values: drawn without a JS error, names shown as text."""
    view = "return window.stancestreamView"
    assert browser.execute_script(f"{view}.nodes()") == []
    assert "No stances stored yet" in browser.find_element("id", "status").text

    browser.execute_script(f"{view}.show(arguments[0])", _tricky_graph())
    _idle(browser, "tricky graph drawn")
    nodes = browser.execute_script(f"{view}.nodes()")
    assert sorted(n["name"] for n in nodes) == sorted([*TRICKY, "Acme"]), nodes
    acme = next(n for n in nodes if n["name"] == "Acme")
    assert sorted(acme["members"]) == ["Q1", "local:org:acme"], acme  # one actor, one node
    assert not browser.execute_script("return window.__xss"), "a name ran as HTML"

    _set(browser, "min-count", "")  # blank: every pair, no 422
    _set(browser, "min-count", "-3")
    _set(browser, "min-count", "2")
    browser.execute_script(
        f"{view}.show(arguments[0])",
        {"nodes": _tricky_graph()["nodes"][:2], "edges": _tricky_graph()["edges"][:1],
         "total": 1, "limit": 5000, "offset": 0},
    )  # fmt: skip
    _idle(browser, "one pair drawn")
    assert len(browser.execute_script(f"{view}.edges()")) == 1

    # an actor panel with no quotes and no stances in the window
    empty = {"items": [], "total": 0, "limit": 100, "offset": 0}
    actor = {"id": f"local:person:{TRICKY[0]}", "name": TRICKY[0], "type": "person",
             "wikidata": None, "aliases": [TRICKY[1]], "affiliations": [], "held": empty,
             "received": empty}  # fmt: skip
    browser.execute_script(f"{view}.showActor(arguments[0], arguments[1])", actor["id"],
                           [[actor, empty]])  # fmt: skip
    assert browser.find_element("id", "actor-name").text == TRICKY[0]
    assert "No quotes" in browser.find_element("id", "actor").text
    assert not browser.execute_script("return window.__xss"), "a name ran as HTML"

    search = browser.find_element("id", "search")
    search.send_keys("<b>\"nobody\" & 'co'</b>\n")
    wait_until(lambda: "no actor matches" in browser.find_element("id", "status").text, 15,
               "search answered")  # fmt: skip
    search.clear()
    assert _console_errors(browser) == []


def test_web_view_reads_and_stays_live(stack, news_site, shared_data, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    api, data_dir, _proc = stack
    feed_url, _pages = news_site
    ARTIFACTS.mkdir(exist_ok=True)
    for shot in SHOTS.values():
        shot.unlink(missing_ok=True)
    try:
        browser.get(f"{api}/")
        _idle(browser, "empty page idle")
        _awkward_inputs(browser)

        [seed_id] = ingest(data_dir, str(shared_data / "seed" / "tass-2017-10-20-idlib.txt"))
        wait_until(lambda: _seed_edge(api, seed_id), 90, "seed oppose edge stored")

        # the default view: min count 2, neutral pairs hidden, the seed's oppose edge drawn
        browser.get(f"{api}/")
        _idle(browser, "default view idle")
        browser.save_screenshot(str(SHOTS["default"]))
        assert browser.find_element(By.ID, "min-count").get_attribute("value") == "2"
        assert not browser.find_element(By.ID, "show-neutral").is_selected()
        status = browser.find_element(By.ID, "status").text
        assert "pairs seen 2+ times" in status and "neutral pairs hidden" in status, status
        edges = browser.execute_script("return stancestreamView.edges()")
        assert edges and all(e["stance"] != "neutral" and e["count"] >= 2 for e in edges), edges
        hits = [
            e
            for e in edges
            if e["stance"] == "oppose"
            and e["signed_score"] < 0
            and SRC.search(e["source_name"])
            and TGT.search(e["target_name"])
        ]
        assert hits, f"no Defense Ministry/Konashenkov -> State Department oppose edge in {edges}"
        nodes = browser.execute_script("return stancestreamView.nodes()")
        assert all(n["labelled"] for n in nodes), nodes  # a small graph: every name shows
        boxes = browser.execute_script("return stancestreamView.labelBoxes()")
        assert len(boxes) == len(nodes) and not _overlaps(boxes), _overlaps(boxes)
        assert all(b["y2"] - b["y1"] >= 11 for b in boxes), boxes  # names readable on screen

        # neutral pairs and pairs seen once come back with the controls
        _set(browser, "min-count", "1")
        _set(browser, "show-neutral", True)
        shown = browser.execute_script("return stancestreamView.edges()")
        assert any(e["stance"] == "neutral" for e in shown) and len(shown) > len(edges), shown
        _set(browser, "show-neutral", False)

        # the news pages (published in 2023) arrive while the page shows all time: their
        # stances come in over SSE and are drawn
        _set(browser, "window", "all")
        live = browser.find_element(By.ID, "live")
        wait_until(lambda: live.text.startswith("live"), 30, "SSE open")
        before = len(browser.execute_script("return stancestreamView.edges()"))
        pool = ThreadPoolExecutor(1)
        feeding = pool.submit(ingest, data_dir, "--feed", feed_url)

        def live_count() -> int:
            if feeding.done() and feeding.exception() is not None:
                raise feeding.exception()  # `stancestream ingest` failed: its stderr says why
            m = re.search(r"(\d+) new", live.text)
            return int(m[1]) if m and int(m[1]) > 0 else 0

        wait_until(live_count, 240, "live stances in the page", 1.0)
        feeding.result(timeout=180)
        pool.shutdown()
        wait_until(
            lambda: len(browser.execute_script("return stancestreamView.edges()")) > before,
            60,
            "new edges drawn",
        )
        _idle(browser, "idle after the live stances")
        boxes = browser.execute_script("return stancestreamView.labelBoxes()")
        assert boxes and not _overlaps(boxes), _overlaps(boxes)

        # click the actor: its panel, the stances it holds, the quotes with a stance first
        source, source_name = hits[0]["source"], hits[0]["source_name"]
        _set(browser, "min-count", "2")
        pos = browser.execute_script(
            "return stancestreamView.renderedPosition(arguments[0])", source
        )
        assert pos, f"{source_name} is not drawn"
        graph = browser.find_element(By.ID, "graph")
        ActionChains(browser).move_to_element_with_offset(
            graph, int(pos["x"] - graph.size["width"] / 2), int(pos["y"] - graph.size["height"] / 2)
        ).click().perform()
        wait_until(
            lambda: [e.text for e in browser.find_elements(By.ID, "actor-name")] == [source_name],
            30,
            "actor panel",
        )
        _idle(browser, "actor panel idle")
        browser.save_screenshot(str(SHOTS["actor"]))
        held = [r.text for r in browser.find_elements(By.CSS_SELECTOR, ".held tr.pair")]
        assert any(TGT.search(t) for t in held), held
        quotes = browser.find_elements(By.CSS_SELECTOR, ".quote")
        assert quotes
        stances = [
            [c.get_attribute("data-stance") for c in q.find_elements(By.CSS_SELECTOR, ".chip")]
            for q in quotes
        ]
        strong = [any(s != "neutral" for s in chips) for chips in stances]
        assert strong == sorted(strong, reverse=True), stances  # cards with a stance first
        for chips in stances:  # and in each card, the support/oppose readings first
            flags = [s != "neutral" for s in chips]
            assert flags == sorted(flags, reverse=True), chips
        behind = [
            q.find_element(By.CSS_SELECTOR, ".text").text
            for q in quotes
            if any(
                c.get_attribute("data-stance") == "oppose"
                and SRC.search(c.get_attribute("textContent"))
                and TGT.search(c.get_attribute("textContent"))
                for c in q.find_elements(By.CSS_SELECTOR, ".chip")
            )
        ]
        assert behind and all(len(t) > 20 for t in behind), [q.text for q in quotes]
        assert _console_errors(browser) == []
    finally:
        for shot in SHOTS.values():  # a failure before a view was reached: what the page shows
            if not shot.exists():
                browser.save_screenshot(str(shot))
