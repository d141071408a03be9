"""The dashboard as a trader uses it: each tab draws, controls redraw with the right numbers, links reopen
the view, rules are managed on the page, downloads and reports match the CLI."""
import csv
import json
import math
import re
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import DAY_FROM, DAY_TO, TRADES, make_driver, Page, run, start_server, stop_server

PAIR_QUERY = f"pair=BTCUSDT/ETHUSDT&tf=1m&from={DAY_FROM}&to={DAY_TO}&window=60&z=2&hedge=ols"


def analyze(db, pair="BTCUSDT/ETHUSDT", timeframe="1m", window=60, hedge="ols", start=DAY_FROM, end=DAY_TO):
    """`pairbook analyze --format json --no-store` over the same window as the page."""
    out = run("analyze", "--db", db, "--pair", pair, "--timeframe", timeframe, "--window", window, "--hedge", hedge,
              "--from", start, "--to", end, "--format", "json", "--no-store").stdout
    return json.loads(out)


def stat_value(page, testid):
    """A statistic at full precision (data-value) and as shown (text, commas removed)."""
    node = page.by_testid(testid)
    raw = node.get_attribute("data-value")
    shown = node.text.replace(",", "").split(" ")[0]
    return (float(raw) if raw is not None else None), shown


def assert_shown_matches(shown, expected):
    """The rounded number on the page equals the CLI's to the digits shown."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    assert abs(float(shown) - expected) <= 0.5 * 10 ** -decimals + 1e-12, f"page shows {shown}, CLI says {expected}"


def select(page, testid, value):
    Select(page.by_testid(testid)).select_by_value(value)


def type_number(page, testid, value):
    field = page.by_testid(testid)
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(str(value))


# MARK: - Every tab draws


def test_overview_draws_candles_volume_and_cards(page, shots):
    page.open(f"tab=overview&{PAIR_QUERY}")
    for chart in ["chart-base", "chart-base-volume", "chart-quote", "chart-quote-volume", "chart-ov-spread", "chart-ov-z"]:
        assert page.canvases(chart) >= 2, f"{chart} has no dygraphs canvas"
    assert page.js("return document.getElementById('panel-overview').dataset.drawn") == "1"
    assert page.js("return performance.getEntriesByName('pairbook-charts-drawn').length") == 1
    # boot.js asked for the charts' data early, with the very URLs the tab then used: one request each.
    data = page.js("return performance.getEntriesByType('resource').map((e) => e.name)"
                   ".filter((n) => n.includes('/api/bars') || n.includes('/api/spread') || n.includes('/api/pair'))")
    assert len(data) == 3, f"early and late requests differ: {data}"
    assert page.js("return performance.getEntriesByName('pairbook-early-requests').length") == 1
    assert page.js("return document.getElementById('title-base').textContent") == "BTCUSDT · 1m"
    cards = page.all_by_testid("card-BTCUSDT") + page.all_by_testid("card-ETHUSDT")
    assert len(cards) == 2
    # The cards fill in when the status arrives (the charts do not wait for it).
    card_price = lambda: cards[0].find_element(By.CSS_SELECTOR, '[data-testid="card-price"]').text
    page.wait(lambda d: card_price() not in ("", "–"), 10, "BTCUSDT card shows no last price")
    # The stream connects (serve without a collector still sends status events every 2 s).
    page.wait(lambda d: page.by_testid("live-badge").get_attribute("data-state") == "live", 15, "badge never went live")
    page.screenshot(shots / "overview-desktop.png")
    assert page.severe_logs() == []


def test_overview_candles_are_the_stored_bars(page, server):
    page.open(f"tab=overview&{PAIR_QUERY}")
    rows = page.js("return window.pairbook.tabs.overview.legs[0].candles.data.length")
    api = server.json(f"/api/bars?symbol=BTCUSDT&timeframe=1m&from={DAY_FROM}&to={DAY_TO}")
    assert api["count"] == 1440
    points = page.js("return window.pairbook.tabs.overview.legs[0].bucket")
    assert rows == math.ceil(1440 / points), "the chart holds the decimated bars the API sent"
    last_close = page.js("const d = window.pairbook.tabs.overview.legs[0].candles.data; return d[d.length - 1][4]")
    assert last_close == api["c"][-1]


def test_overview_spread_and_z_are_pairbook_analyze_and_follow_the_window(page, server):
    """The Overview's spread and z-score panes hold the analysis' series; a new window redraws them (not the
    candles), a new threshold only redraws the z pane."""
    page.open(f"tab=overview&{PAIR_QUERY}")
    overview = "window.pairbook.tabs.overview"
    cli = analyze(server.db)
    latest = lambda: page.js(f"return {overview}.pair.latest")
    extreme = lambda chart, column, fn: page.js(
        f"return Math.{fn}(...{overview}.{chart}.data.map((r) => r[{column}]).filter((v) => v != null))")
    # The panes hold the thinned series (each bucket's min and max): the same extremes, the same newest values.
    assert latest()["spread"] == pytest.approx(cli["series"]["spread"][-1], rel=1e-12)
    assert latest()["zScore"] == pytest.approx(cli["series"]["zScore"][-1], rel=1e-12)
    assert extreme("z", 1, "max") == pytest.approx(max(z for z in cli["series"]["zScore"] if z is not None), rel=1e-12)
    assert extreme("spread", 1, "min") == pytest.approx(min(cli["series"]["spread"]), rel=1e-12)
    assert extreme("spread", 2, "max") == pytest.approx(max(m for m in cli["series"]["spreadMean"] if m is not None), rel=1e-12)
    assert "OLS β" in page.js("return document.getElementById('meta-ov-spread').textContent")
    page.js(f"window.__candles = {overview}.legs[0].candles.graph")
    bars_requests = lambda: page.js("return performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/bars')).length")
    before = bars_requests()
    redraws = page.redraws()
    type_number(page, "ctl-window", 120)
    page.wait_redraws(redraws + 1)
    wider = analyze(server.db, window=120)
    assert latest()["zScore"] == pytest.approx(wider["series"]["zScore"][-1], rel=1e-12)
    assert extreme("z", 1, "min") == pytest.approx(min(z for z in wider["series"]["zScore"] if z is not None), rel=1e-12)
    assert "over 120 bars" in page.js("return document.getElementById('meta-ov-spread').textContent")
    assert bars_requests() == before, "a window change must not reload the candles"
    assert page.js(f"return {overview}.legs[0].candles.graph === window.__candles"), "the candles were re-created"
    type_number(page, "ctl-z", 1.5)
    page.wait(lambda d: "±1.5σ" in page.js("return document.getElementById('meta-ov-z').textContent"), 10, "threshold not shown")
    # A window longer than the bars in range: the z pane says so instead of showing an empty axis.
    redraws = page.redraws()
    type_number(page, "ctl-window", 5000)
    page.wait_redraws(redraws + 1)
    assert page.js("return document.getElementById('chart-ov-z').dataset.emptyText") == \
        "No z-score: the window of 5000 bars is longer than the 1440 bars in range"
    assert page.severe_logs() == []


def test_analytics_draws_and_statistics_equal_pairbook_analyze(page, server, shots):
    page.open(f"tab=analytics&{PAIR_QUERY}")
    for chart in ["chart-spread", "chart-z", "chart-corr", "chart-beta"]:
        assert page.canvases(chart) >= 2, f"{chart} has no canvas"
    cli = analyze(server.db)
    raw, shown = stat_value(page, "stat-beta")
    assert raw == pytest.approx(cli["hedge"]["slope"], rel=1e-9)
    assert_shown_matches(shown, cli["hedge"]["slope"])
    raw, shown = stat_value(page, "stat-r2")
    assert raw == pytest.approx(cli["hedge"]["rSquared"], rel=1e-9)
    raw, _ = stat_value(page, "stat-adf-p")
    assert raw == pytest.approx(cli["adf"]["pValue"], rel=1e-9)
    raw, _ = stat_value(page, "stat-n")
    assert raw == cli["observations"] == 1440
    if cli.get("halfLife") is not None:
        assert stat_value(page, "stat-half-life")[0] == pytest.approx(cli["halfLife"], rel=1e-9)
    page.wait(lambda d: d.execute_script("const i = document.getElementById('heatmap'); return i.complete && i.naturalWidth > 0"), 30,
              "heatmap image did not load")
    page.screenshot(shots / "analytics-desktop.png")
    assert page.severe_logs() == []


def test_alerts_and_export_tabs_draw(page, shots):
    page.open(f"tab=alerts&{PAIR_QUERY}")
    assert page.by_testid("rules-table").is_displayed()
    script_rows = [r for r in page.all_by_testid("rule-row") if "script" in r.text]
    assert script_rows, "the pair-overview script's rules are listed"
    assert all(not r.find_elements(By.CSS_SELECTOR, '[data-testid="rule-edit"]') for r in script_rows), "script rules are read-only"
    page.screenshot(shots / "alerts-desktop.png")
    page.tab("export")
    assert page.all_by_testid("report-pair-overview"), "the pair-overview report is offered"
    page.screenshot(shots / "export-desktop.png")
    # Controls on tabs that always reload (the pair on Alerts, the z threshold on Export) redraw them, without an error.
    page.tab("alerts")
    before = page.redraws()
    page.by_testid("ctl-swap").click()
    page.wait_redraws(before + 1)
    page.tab("export")
    type_number(page, "ctl-z", 1.5)
    page.wait_redraws(before + 2)
    assert "pair=ETHUSDT/BTCUSDT" in page.query() and "z=1.5" in page.query()
    assert page.severe_logs() == []


# MARK: - Controls redraw with the right data


def test_changing_pair_timeframe_and_window_redraws_with_the_right_numbers(page, server):
    page.open(f"tab=analytics&{PAIR_QUERY}")
    before = page.redraws()

    page.by_testid("ctl-swap").click()
    page.wait_redraws(before + 1)
    cli = analyze(server.db, pair="ETHUSDT/BTCUSDT")
    assert stat_value(page, "stat-beta")[0] == pytest.approx(cli["hedge"]["slope"], rel=1e-9)
    assert "pair=ETHUSDT/BTCUSDT" in page.query()

    type_number(page, "ctl-window", 120)
    page.wait_redraws(before + 2)
    assert "window=120" in page.query()
    cli = analyze(server.db, pair="ETHUSDT/BTCUSDT", window=120)
    zs = [z for z in cli["series"]["zScore"] if z is not None]
    shown_z = page.text("stat-z").split(" ")[0]
    assert_shown_matches(shown_z, zs[-1])

    select(page, "ctl-hedge", "tls")
    page.wait_redraws(before + 3)
    cli = analyze(server.db, pair="ETHUSDT/BTCUSDT", window=120, hedge="tls")
    assert stat_value(page, "stat-beta")[0] == pytest.approx(cli["hedge"]["slope"], rel=1e-9)

    timeframes = [o.get_attribute("value") for o in Select(page.by_testid("ctl-timeframe")).options]
    other = next((tf for tf in timeframes if tf != "1m"), None)
    if other:
        select(page, "ctl-timeframe", other)
        page.wait_redraws(before + 4)
        cli = analyze(server.db, pair="ETHUSDT/BTCUSDT", timeframe=other, window=120, hedge="tls")
        assert stat_value(page, "stat-beta")[0] == pytest.approx(cli["hedge"]["slope"], rel=1e-9)
        assert stat_value(page, "stat-n")[0] == cli["observations"]
    # Two quick swaps: the first request is cancelled, the page ends on the second selection's numbers.
    redraws = page.redraws()
    page.by_testid("ctl-swap").click()
    page.by_testid("ctl-swap").click()
    page.wait_redraws(redraws + 1)
    time.sleep(0.5)
    assert "pair=ETHUSDT/BTCUSDT" in page.query()
    tf = Select(page.by_testid("ctl-timeframe")).first_selected_option.get_attribute("value")
    cli = analyze(server.db, pair="ETHUSDT/BTCUSDT", timeframe=tf, window=120, hedge="tls")
    assert stat_value(page, "stat-beta")[0] == pytest.approx(cli["hedge"]["slope"], rel=1e-9)
    measures = page.js("return performance.getEntriesByName('pairbook-redraw').map(m => m.duration)")
    assert measures and all(m > 0 for m in measures), measures  # timings themselves are make bench's job
    assert page.severe_logs() == []


def test_z_threshold_redraws_without_a_request(page):
    page.open(f"tab=analytics&{PAIR_QUERY}")
    before = page.redraws()
    requests = page.js("return performance.getEntriesByType('resource').filter(r => r.name.includes('/api/pair')).length")
    type_number(page, "ctl-z", 2.5)
    page.wait_redraws(before + 1)
    assert "z=2.5" in page.query()
    assert "±2.5σ" in page.text("chart-z") or "±2.5σ" in page.js("return document.getElementById('meta-z').textContent")
    after = page.js("return performance.getEntriesByType('resource').filter(r => r.name.includes('/api/pair')).length")
    assert after == requests


def set_range(page, start, end):
    for testid, value in [("ctl-from", start), ("ctl-to", end)]:
        field = page.by_testid(testid)
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(value)
    page.by_testid("ctl-to").send_keys(Keys.TAB)  # "change" fires when the field is left


def test_a_range_without_data_says_so_and_keeps_no_old_numbers(page):
    page.open(f"tab=analytics&{PAIR_QUERY}")
    assert page.by_testid("stat-beta").get_attribute("data-value")
    set_range(page, "2030-01-01 00:00", "2030-01-02 00:00")
    page.wait(lambda d: page.by_testid("analytics-error").is_displayed(), 15, "no message for an empty range")
    assert "no 1m bars" in page.text("analytics-error")
    assert "from=2030-01-01T00:00Z" in page.query()
    assert page.text("stat-beta") == "–" and page.by_testid("stat-beta").get_attribute("data-value") is None
    page.wait(lambda d: page.by_testid("heatmap-note").is_displayed(), 15, "no note instead of the heatmap")
    page.by_testid("tab-overview").click()
    page.wait(lambda d: d.execute_script("return document.getElementById('chart-base').dataset.empty === '1'"), 15)
    assert "stored:" in page.js("return document.getElementById('chart-base').dataset.emptyText")
    # Back to a day with data: everything returns.
    set_range(page, "2023-01-02 00:00", "2023-01-03 00:00")
    page.wait(lambda d: d.execute_script("return document.getElementById('chart-base').dataset.empty === undefined"), 15)
    # The re-created panes are linked again: one cursor over all four.
    page.wait(lambda d: d.execute_script("return window.pairbook.tabs.overview.legs.every(l => l.candles.graph && l.volume.graph)"), 15)
    ActionChains(page.driver).move_to_element(page.by_testid("chart-base")).perform()
    page.wait(lambda d: d.execute_script("return window.pairbook.tabs.overview.legs[0].volume.graph.getSelection() >= 0"), 5,
              "the cursor did not reach the volume pane")
    assert page.severe_logs(network=False) == []  # the 2030 requests were refused with 400, as they should


def test_overview_follows_the_pair_picker(page, server):
    page.open(f"tab=overview&{PAIR_QUERY}")
    before = page.redraws()
    select(page, "ctl-base", "ETHUSDT")  # the same as the quote: the page swaps them
    page.wait_redraws(before + 1)
    assert "pair=ETHUSDT/BTCUSDT" in page.query()
    assert page.js("return window.pairbook.tabs.overview.legs[0].symbol") == "ETHUSDT"
    api = server.json(f"/api/bars?symbol=ETHUSDT&timeframe=1m&from={DAY_FROM}&to={DAY_TO}")
    last = page.js("const d = window.pairbook.tabs.overview.legs[0].candles.data; return d[d.length - 1][4]")
    assert last == api["c"][-1]


# MARK: - The URL keeps the view


def test_the_url_reopens_the_same_view(page, server):
    page.open(f"tab=analytics&{PAIR_QUERY}")
    before = page.redraws()
    page.by_testid("ctl-swap").click()
    page.wait_redraws(before + 1)
    type_number(page, "ctl-window", 90)
    page.wait_redraws(before + 2)
    select(page, "ctl-hedge", "tls")
    page.wait_redraws(before + 3)
    link = page.driver.current_url
    beta = stat_value(page, "stat-beta")[0]

    page.driver.get("about:blank")
    page.driver.get(link)
    page.wait_drawn()
    assert page.js("return document.body.dataset.tab") == "analytics"
    assert Select(page.by_testid("ctl-base")).first_selected_option.get_attribute("value") == "ETHUSDT"
    assert Select(page.by_testid("ctl-quote")).first_selected_option.get_attribute("value") == "BTCUSDT"
    assert page.by_testid("ctl-window").get_attribute("value") == "90"
    assert Select(page.by_testid("ctl-hedge")).first_selected_option.get_attribute("value") == "tls"
    assert Select(page.by_testid("ctl-range-mode")).first_selected_option.get_attribute("value") == "fixed"
    assert stat_value(page, "stat-beta")[0] == beta
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
    assert query["from"] == ["2023-01-02T00:00Z"] and query["to"] == ["2023-01-03T00:00Z"]


# MARK: - Live updates keep the user's zoom


def test_a_live_bar_updates_the_last_candle_and_keeps_the_zoom(page):
    page.open(f"tab=overview&pair=BTCUSDT/ETHUSDT&tf=1m&lookback=6h")
    chart = page.by_testid("chart-base")
    # Zoom by dragging across the middle of the candles, as a user does.
    ActionChains(page.driver).move_to_element_with_offset(chart, -200, 0).click_and_hold() \
        .move_by_offset(250, 0).release().perform()
    page.wait(lambda d: d.execute_script("return window.pairbook.tabs.overview.legs[0].candles.isZoomed()"), 10, "drag did not zoom")
    window = page.js("return window.pairbook.tabs.overview.legs[0].candles.graph.xAxisRange()")
    follower = page.js("return window.pairbook.tabs.overview.legs[1].candles.graph.xAxisRange()")
    assert follower == window, "the quote pane zooms with the base pane"
    # The crosshair sits on a candle (as under the mouse).
    page.js("window.pairbook.tabs.overview.legs[0].candles.graph.setSelection(100)")
    selected_x = page.js("const g = window.pairbook.tabs.overview.legs[0].candles.graph; return g.getValue(g.getSelection(), 0)")
    page.js("""
      const leg = window.pairbook.tabs.overview.legs[0];
      const d = leg.candles.data; const last = d[d.length - 1];
      window.pairbook.tabs.overview.onBar({symbol: 'BTCUSDT', timeframe: '1m', t: last[0] + 60000 * leg.bucket,
        o: last[4], h: last[4] + 5, l: last[4] - 5, c: last[4] + 1, v: 12.5, closed: false});
    """)
    page.wait(lambda d: d.execute_script(
        "const d = window.pairbook.tabs.overview.legs[0].candles.data; return d[d.length - 1][1] !== undefined && "
        "performance.getEntriesByName('pairbook-bar-drawn').length > 0"), 10, "the live bar was not drawn")
    assert page.js("return window.pairbook.tabs.overview.legs[0].candles.graph.xAxisRange()") == window
    assert page.js("return window.pairbook.tabs.overview.legs[0].candles.isZoomed()")
    assert page.js("const g = window.pairbook.tabs.overview.legs[0].candles.graph; return g.getValue(g.getSelection(), 0)") == selected_x, \
        "the crosshair left its candle"
    assert page.severe_logs() == []


def test_hidden_series_stay_hidden_when_analytics_refresh(page):
    page.open(f"tab=analytics&{PAIR_QUERY}")
    page.by_testid("toggle-chart-spread-3").click()  # the ±2σ band
    toggle = page.by_testid("toggle-chart-spread-3")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert page.js("return window.pairbook.tabs.analytics.spread.graph.visibility().slice(4)") == [False, False]
    # A closed bar makes the tab refetch (debounced), as on a live page.
    page.js("window.pairbook.tabs.analytics.load(window.pairbook.view(), 'live')")
    page.wait(lambda d: d.execute_script("return performance.getEntriesByType('resource').filter(r => r.name.includes('/api/pair')).length") >= 2, 10)
    time.sleep(0.5)
    assert page.js("return window.pairbook.tabs.analytics.spread.graph.visibility()") == [True, True, True, True, False, False]
    assert page.severe_logs() == []


def test_bars_written_while_the_page_is_open_arrive_live_and_the_zoom_stays(browser, live_server, shots):
    trades = sorted(TRADES.glob("*.csv"))
    if not trades:
        pytest.skip(f"sample trades missing: {TRADES}")
    page = Page(browser, live_server)
    browser.get_log("browser")
    page.open("tab=overview&pair=BTCUSDT/ETHUSDT&tf=1m&lookback=24h")
    page.wait(lambda d: page.by_testid("live-badge").get_attribute("data-state") == "live", 15, "badge never went live")
    chart = page.by_testid("chart-base")
    ActionChains(page.driver).move_to_element_with_offset(chart, -300, 0).click_and_hold().move_by_offset(200, 0).release().perform()
    page.wait(lambda d: d.execute_script("return window.pairbook.tabs.overview.legs[0].candles.isZoomed()"), 10, "drag did not zoom")
    window = page.js("return window.pairbook.tabs.overview.legs[0].candles.graph.xAxisRange()")
    rows_before = page.js("return window.pairbook.tabs.overview.legs[0].candles.data.length")

    # Another process writes bars into the database the server reads (as a collector would).
    run("import", "--db", live_server.db, *trades)
    newest = 1721347200000  # 2024-07-19 00:00 UTC: the imported trades end in the minutes after it
    page.wait(lambda d: d.execute_script(
        "const d = window.pairbook.tabs.overview.legs[0].candles.data; return d[d.length - 1][0]") >= newest, 20,
        "no live bar reached the BTCUSDT candles")
    assert page.js("return performance.getEntriesByName('pairbook-bar-drawn').length") == 1
    assert page.js("return window.pairbook.tabs.overview.legs[0].candles.data.length") > rows_before
    assert page.js("return window.pairbook.tabs.overview.legs[0].candles.graph.xAxisRange()") == window, "the zoom moved"
    assert page.js("return window.pairbook.tabs.overview.legs[1].candles.graph.xAxisRange()") == window, "the panes came apart"
    # The cards follow the status events: the newest price is a 2024 BTC price.
    page.wait(lambda d: float(page.by_testid("card-BTCUSDT").find_element(By.CSS_SELECTOR, '[data-testid="card-price"]').text
                              .replace(",", "")) > 60000, 10, "the card kept the old price")
    page.screenshot(shots / "overview-live-zoomed.png")
    assert page.severe_logs() == []


def test_the_badge_shows_reconnecting_when_the_server_goes_away_and_live_when_it_is_back(browser, live_server, pairbook_bin, tmp_path):
    page = Page(browser, live_server)
    page.open("tab=overview&pair=BTCUSDT/ETHUSDT&tf=1m&lookback=6h")
    badge = page.by_testid("live-badge")
    page.wait(lambda d: badge.get_attribute("data-state") == "live", 15, "badge never went live")
    stop_server(live_server)
    page.wait(lambda d: badge.get_attribute("data-state") == "reconnecting", 15, "badge did not show the lost stream")
    assert badge.text == "reconnecting"
    # The server comes back on the same address: the page reconnects by itself (backoff 1, 2, 4 … s).
    port = int(live_server.url.rsplit(":", 1)[1])
    back = start_server(pairbook_bin, live_server.db, tmp_path, port=port)
    try:
        page.wait(lambda d: badge.get_attribute("data-state") == "live", 40, "the page did not reconnect")
    finally:
        stop_server(back)


# MARK: - Alerts: create, edit, disable, delete on the page


def api_rule(server, name):
    return next((r for r in server.json("/api/alerts")["rules"] if r["name"] == name), None)


def rule_row(page, name):
    rows = page.driver.find_elements(By.CSS_SELECTOR, f'tr[data-testid="rule-row"][data-name="{name}"]')
    return rows[0] if rows else None


def click_in_row(page, name, testid):
    page.retry(lambda: rule_row(page, name).find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]').click())


def test_rules_are_created_edited_disabled_and_deleted_on_the_page(page, server, shots):
    name = f"browser test z {int(time.time() * 1000) % 100000}"
    page.open(f"tab=alerts&{PAIR_QUERY}")

    page.by_testid("rule-new").click()
    form_name = page.by_testid("rule-name")
    form_name.send_keys(Keys.CONTROL, "a")
    form_name.send_keys(name)
    type_number(page, "rule-threshold", 3)
    type_number(page, "rule-clear", 1.5)
    page.by_testid("rule-for").send_keys("2m")
    page.by_testid("rule-cooldown").send_keys("10m")
    page.screenshot(shots / "alerts-editor.png")
    page.by_testid("rule-save").click()
    page.wait(lambda d: rule_row(page, name) is not None, 15, "the new rule never showed in the table")
    rule = api_rule(server, name)
    assert rule and rule["source"] == "dashboard" and rule["editable"]
    assert rule["threshold"] == 3 and rule["clear_threshold"] == 1.5 and rule["pair"] == "BTCUSDT/ETHUSDT"
    assert rule["metric"] == "z_score" and rule["condition"] == ">" and rule["for"] == "2m" and rule["cooldown"] == "10m"

    click_in_row(page, name, "rule-edit")
    type_number(page, "rule-threshold", 3.5)
    page.by_testid("rule-save").click()
    page.wait(lambda d: api_rule(server, name)["threshold"] == 3.5, 15, "the edit did not reach the API")
    page.wait(lambda d: "3.5" in rule_row(page, name).text, 15, "the table did not show the edit")

    click_in_row(page, name, "rule-enabled-toggle")
    page.wait(lambda d: api_rule(server, name)["enabled"] is False, 15, "disabling did not reach the API")
    page.wait(lambda d: rule_row(page, name).get_attribute("data-state") == "disabled", 15)

    page.wait(lambda d: rule_row(page, name).get_attribute("data-state") == "disabled", 15)
    assert api_rule(server, name)["threshold"] == 3.5 and api_rule(server, name)["cooldown"] == "10m", "disabling kept the rule"
    delete = page.retry(lambda: rule_row(page, name).find_element(By.CSS_SELECTOR, '[data-testid="rule-delete"]'))
    delete.click()
    assert "Confirm" in delete.text
    delete.click()
    page.wait(lambda d: rule_row(page, name) is None, 15, "the deleted rule is still listed")
    assert api_rule(server, name) is None
    assert page.severe_logs() == []


def test_a_rule_on_one_symbols_bars(page, server):
    name = f"browser test volume {int(time.time() * 1000) % 100000}"
    page.open(f"tab=alerts&{PAIR_QUERY}")
    page.by_testid("rule-new").click()
    page.by_testid("rule-name").send_keys(Keys.CONTROL, "a")
    page.by_testid("rule-name").send_keys(name)
    page.by_testid("rule-pair").send_keys(Keys.CONTROL, "a")
    page.by_testid("rule-pair").send_keys("BTCUSDT")
    select(page, "rule-metric", "volume")
    type_number(page, "rule-threshold", 500)
    page.by_testid("rule-save").click()
    page.wait(lambda d: rule_row(page, name) is not None, 15, page.text("rule-form-error"))
    rule = api_rule(server, name)
    assert rule["symbol"] == "BTCUSDT" and rule["pair"] is None and rule["metric"] == "volume"
    page.js("document.querySelector('[data-testid=\"rule-row\"][data-name=\"' + arguments[0] + '\"] [data-testid=\"rule-delete\"]').click()", name)
    click_in_row(page, name, "rule-delete")
    page.wait(lambda d: api_rule(server, name) is None, 15)


def split_trades(files, folder, cuts):
    """The trade CSVs cut at the given times (ms): one list of files per slice, in time order."""
    slices = [[] for _ in range(len(cuts) + 1)]
    for path in files:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        column = header.index("time")
        parts = [[] for _ in slices]
        for row in body:
            parts[sum(int(row[column]) >= cut for cut in cuts)].append(row)
        for k, part in enumerate(parts):
            out = Path(folder) / f"{Path(path).stem}-part{k}.csv"
            with open(out, "w", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(header)
                writer.writerows(part)
            slices[k].append(out)
    return slices


def test_a_rule_made_on_the_page_fires_when_real_trades_cross_it(browser, live_server, shots, tmp_path):
    trades = sorted(TRADES.glob("*.csv"))
    if not trades:
        pytest.skip(f"sample trades missing: {TRADES}")
    page = Page(browser, live_server)
    browser.get_log("browser")
    name = "BTC above 60k"
    page.open("tab=alerts&pair=BTCUSDT/ETHUSDT&tf=1m&lookback=24h")
    page.wait(lambda d: page.by_testid("live-badge").get_attribute("data-state") == "live", 15, "badge never went live")
    page.by_testid("rule-new").click()
    page.by_testid("rule-name").send_keys(Keys.CONTROL, "a")
    page.by_testid("rule-name").send_keys(name)
    page.by_testid("rule-pair").send_keys(Keys.CONTROL, "a")
    page.by_testid("rule-pair").send_keys("BTCUSDT")
    select(page, "rule-metric", "close")
    select(page, "rule-condition", ">")
    type_number(page, "rule-threshold", 60000)
    select(page, "rule-severity", "critical")
    page.by_testid("rule-save").click()
    page.wait(lambda d: rule_row(page, name) is not None, 15, page.text("rule-form-error"))

    # Real BTCUSDT and ETHUSDT trades of 2024-07-18/19 (BTC around 63,900) reach the database the server reads
    # in three writes a minute or two of trading apart, as a collector elsewhere would write them.
    for part in split_trades(trades, tmp_path, cuts=[1721347260000, 1721347380000]):  # 00:01 and 00:03 UTC
        run("import", "--db", live_server.db, *part)
        time.sleep(1.5)
    notice = page.wait(lambda d: next((n for n in page.all_by_testid("alert-notice")
                                       if n.get_attribute("data-rule") == name and n.get_attribute("data-state") == "firing"), None),
                       30, "no notice when the rule fired")
    assert name in notice.text
    events = live_server.json("/api/alerts/events?limit=50")["events"]
    fired = [e for e in events if e["rule"] == name and e["state"] == "firing"]
    assert fired and fired[0]["value"] > 60000 and fired[0]["threshold"] == 60000
    page.wait(lambda d: rule_row(page, name).get_attribute("data-state") == "firing", 15, "the table did not show it firing")
    page.wait(lambda d: page.by_testid("firing-count").is_displayed(), 5)
    page.screenshot(shots / "alerts-fired.png")


def test_a_bad_rule_is_refused_with_a_reason_naming_the_field(page):
    page.open(f"tab=alerts&{PAIR_QUERY}")
    page.by_testid("rule-new").click()
    page.by_testid("rule-pair").send_keys(Keys.CONTROL, "a")
    page.by_testid("rule-pair").send_keys("NOT A PAIR")
    page.by_testid("rule-save").click()
    error = page.by_testid("rule-form-error")
    page.wait(lambda d: error.is_displayed(), 5)
    assert "pair" in error.text


def test_a_firing_alert_shows_a_notice(page):
    page.open(f"tab=overview&{PAIR_QUERY}")
    page.js("""window.pairbook.tabs.alerts.onAlert({rule: 'spread stretched', pair: 'BTCUSDT/ETHUSDT', state: 'firing',
      value: 2.4, threshold: 2, time: Date.parse('2023-01-02T12:00:00Z'), summary: 'z-score 2.40 (fires > 2σ)'})""")
    notice = page.by_testid("alert-notice")
    assert notice.is_displayed()
    assert "spread stretched" in notice.text and "2.40" in notice.text
    page.by_testid("notice-dismiss").click()
    assert page.all_by_testid("alert-notice") == []


# MARK: - Export: CSV bytes and report runs


def wait_for_file(folder, prefix, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = [p for p in Path(folder).iterdir() if p.name.startswith(prefix) and not p.name.endswith(".crdownload")]
        if done and all(p.stat().st_size > 0 for p in done):
            time.sleep(0.3)
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no download starting with {prefix} in {folder}: {list(Path(folder).iterdir())}")


def test_bars_download_equals_pairbook_export(page, server, downloads, workdir):
    for old in Path(downloads).iterdir():
        old.unlink()
    page.open(f"tab=export&{PAIR_QUERY}")
    link = page.by_testid("download-bars-base")
    href = link.get_attribute("href")
    assert "symbol=BTCUSDT" in href and "timeframe=1m" in href
    link.click()
    downloaded = wait_for_file(downloads, "")
    expected = workdir / "expected-bars.csv"
    run("export", "bars", "--db", server.db, "--symbol", "BTCUSDT", "--timeframe", "1m", "--from", DAY_FROM, "--to", DAY_TO,
        "--out", expected)
    assert downloaded.read_bytes() == expected.read_bytes()
    assert downloaded.read_bytes().count(b"\n") >= 1440


def test_the_analytics_link_gives_pairbook_analyze_csv(page, server):
    page.open(f"tab=export&{PAIR_QUERY}")
    href = page.by_testid("download-analytics").get_attribute("href")
    with urllib.request.urlopen(href, timeout=60) as response:
        body = response.read()
        assert "attachment" in response.headers.get("Content-Disposition", "")
    cli = run("analyze", "--db", server.db, "--pair", "BTCUSDT/ETHUSDT", "--timeframe", "1m", "--window", 60, "--hedge", "ols",
              "--from", DAY_FROM, "--to", DAY_TO, "--format", "csv", "--no-store").stdout
    assert body.decode() == cli


def test_a_report_run_from_the_page_links_a_real_pdf(page, server, shots):
    page.open(f"tab=export&{PAIR_QUERY}")
    form = page.by_testid("report-form-pair-overview")
    assert form.find_element(By.CSS_SELECTOR, '[name="param-base"]').get_attribute("value") == "BTCUSDT"
    assert form.find_element(By.CSS_SELECTOR, '[name="param-window"]').get_attribute("value") == "60"
    page.by_testid("report-run-pair-overview").click()
    page.wait(lambda d: page.by_testid("report-result-pair-overview").get_attribute("data-state") in ("done", "failed"), 300,
              "the report run never finished")
    result = page.by_testid("report-result-pair-overview")
    assert result.get_attribute("data-state") == "done", result.text
    pdf = result.find_element(By.CSS_SELECTOR, '[data-testid="report-pdf-link"]').get_attribute("href")
    html = result.find_element(By.CSS_SELECTOR, '[data-testid="report-html-link"]').get_attribute("href")
    with urllib.request.urlopen(pdf, timeout=30) as response:
        body = response.read()
    assert body.startswith(b"%PDF-") and b"%%EOF" in body[-1024:]
    with urllib.request.urlopen(html, timeout=30) as response:
        assert b"<html" in response.read(4096).lower()
    page.screenshot(shots / "export-after-run.png")


# MARK: - Security basics the page relies on


def test_the_page_has_no_inline_script_and_sends_a_strict_csp(server):
    status, headers, body = server.get("/")
    csp = headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp
    html = body.decode()
    assert '<meta name="pairbook-csrf" content="' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script in the page"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler in the page"


# MARK: - Phone


def test_phone_layout_is_one_column_without_sideways_scrolling(server, downloads, shots):
    driver = make_driver(downloads, size="390,844", mobile=True)
    try:
        page = Page(driver, server)
        for tab in ["overview", "analytics", "alerts", "export"]:
            page.open(f"tab={tab}&{PAIR_QUERY}")
            time.sleep(0.3)
            width = page.js("return document.documentElement.clientWidth")
            assert page.js("return document.documentElement.scrollWidth") <= width + 1, f"{tab} scrolls sideways on a phone"
            for chart in page.js("return [...document.querySelectorAll('.panel:not([hidden]) .chart')].map(c => c.getBoundingClientRect().width)"):
                assert chart <= width, f"a chart of {tab} is wider than the screen"
            page.screenshot(shots / f"{tab}-phone.png")
        # The controls fold into a summary line; a tap opens them.
        assert not page.by_testid("ctl-base").is_displayed()
        assert "BTCUSDT/ETHUSDT · 1m" in page.text("controls-summary")
        page.by_testid("controls-toggle").click()
        assert page.by_testid("ctl-base").is_displayed()
        page.screenshot(shots / "controls-open-phone.png", full=False)
        assert page.severe_logs() == []
    finally:
        driver.quit()
