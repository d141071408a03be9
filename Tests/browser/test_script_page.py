"""A report script as a live page (/reports/<name>): its params are form controls, its cells draw as charts and
tables with the numbers of /api/reports/<name>/page, a changed param redraws, and new bars refresh it."""
import math
import urllib.parse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import TRADES, make_driver, Page, run

SCRIPT = "pair-overview"


def open_script(page, query=""):
    page.driver.get(f"{page.server.url}/reports/{SCRIPT}{'?' + query if query else ''}")
    page.wait_drawn()
    page.wait(lambda d: all_charts_drawn(page), 30, "not every chart of the script drew")


def all_charts_drawn(page):
    return page.js("""
        const charts = [...document.querySelectorAll('.script-cell[data-kind="line"] .chart, .script-cell[data-kind="candlestick"] .chart-candle')];
        return charts.length > 0 && charts.every(c => c.querySelector('canvas') && Number(c.dataset.points) > 0);
    """)


def controls(page):
    form = page.by_testid("script-params")
    return {e.get_attribute("name"): e for e in form.find_elements(By.CSS_SELECTOR, "input, select")}


def api_page(server, **params):
    query = urllib.parse.urlencode(params)
    return server.json(f"/api/reports/{SCRIPT}/page{'?' + query if query else ''}")


def api_chart(answer, title):
    for section in answer["sections"]:
        for item in section["items"]:
            if item["kind"] == "chart" and item["chart"]["title"] == title:
                return item["chart"]
    raise AssertionError(f"no chart {title!r}")


def chart_node(page, title):
    """The chart element of the card titled `title`."""
    return page.js("""
        const card = [...document.querySelectorAll('.script-cell')].find(c => c.querySelector('h3')?.textContent === arguments[0]);
        return card ? card.querySelector('.chart') : null;
    """, title)


def last_defined(values):
    return next(v for v in reversed(values) if v is not None)


def test_the_params_are_form_controls_and_every_cell_draws(page, server, shots):
    open_script(page)
    c = controls(page)
    assert {"param-base", "param-quote", "param-timeframe", "param-lookback", "param-window", "param-z_threshold"} <= set(c)
    assert c["param-base"].tag_name == "select" and c["param-quote"].tag_name == "select"
    assert [o.text for o in Select(c["param-quote"]).options] == ["BTCUSDT", "ETHUSDT"]
    assert Select(c["param-base"]).first_selected_option.text == "BTCUSDT"
    assert c["param-timeframe"].tag_name == "select"
    assert c["param-window"].get_attribute("type") == "number"
    assert (c["param-window"].get_attribute("min"), c["param-window"].get_attribute("max")) == ("2", "10000")
    assert (c["param-z_threshold"].get_attribute("min"), c["param-z_threshold"].get_attribute("max")) == ("0.5", "10")
    assert c["param-lookback"].get_attribute("value") == "1d"  # 24h, as the engine writes it

    assert page.text("script-title") == "BTCUSDT vs ETHUSDT — pair overview"
    assert "{{" not in page.by_testid("script-sections").text
    # Prose with its placeholders filled, each chart on canvas, the tables and findings as tables.
    answer = api_page(page.server)
    kinds = page.js("return [...document.querySelectorAll('.script-cell')].map(c => c.dataset.kind)")
    assert kinds.count("candlestick") == 2 and kinds.count("line") == 5
    assert {"table", "findings"} <= set(kinds)
    candles = page.js("return [...document.querySelectorAll('.chart-candle')].map(c => [c.dataset.symbol, Number(c.dataset.last)])")
    api_candles = [i["chart"]["bars"] for s in answer["sections"] for i in s["items"] if i["kind"] == "chart" and i["chart"]["kind"] == "candlestick"]
    assert candles == [[b["symbol"], b["c"][-1]] for b in api_candles]
    z = chart_node(page, "z-score of the spread")
    assert math.isclose(float(z.get_attribute("data-last")), last_defined(api_chart(answer, "z-score of the spread")["series"][0]["values"]))
    assert "Hedge ratio β" in page.by_testid("section-analytics").text
    assert page.by_testid("script-findings").text.endswith("evaluated")
    nav = [a.text for a in page.by_testid("script-nav").find_elements(By.TAG_NAME, "a")]
    assert nav == ["Overview", "Analytics", "Alerts", "Export"]
    assert page.severe_logs() == []
    page.screenshot(shots / "script-page.png")


def test_changing_a_param_redraws_with_the_right_data_and_keeps_it_in_the_url(page, server):
    open_script(page)
    before = page.redraws()
    window = controls(page)["param-window"]
    window.clear()
    window.send_keys("120")
    page.wait_redraws(before + 1)
    assert "window=120" in page.query()
    assert "window 120 bars" in page.js("""
        return [...document.querySelectorAll('.script-cell h3')].find(h => h.textContent === 'z-score of the spread').parentNode.textContent""")
    expected = api_page(server, window=120)
    z = chart_node(page, "z-score of the spread")
    assert math.isclose(float(z.get_attribute("data-last")), last_defined(api_chart(expected, "z-score of the spread")["series"][0]["values"]))
    assert last_defined(api_chart(expected, "z-score of the spread")["series"][0]["values"]) != \
        last_defined(api_chart(api_page(server), "z-score of the spread")["series"][0]["values"])

    # A picker: the base set to the quote's symbol swaps the two, and the page draws the other legs.
    before = page.redraws()
    Select(controls(page)["param-base"]).select_by_visible_text("ETHUSDT")
    page.wait_redraws(before + 1)
    assert Select(controls(page)["param-quote"]).first_selected_option.text == "BTCUSDT"
    assert "base=ETHUSDT" in page.query() and "quote=BTCUSDT" in page.query()
    swapped = api_page(server, base="ETHUSDT", quote="BTCUSDT", window=120)
    first_candles = next(i["chart"]["bars"] for s in swapped["sections"] for i in s["items"]
                         if i["kind"] == "chart" and i["chart"]["kind"] == "candlestick")
    assert page.js("return document.querySelector('.chart-candle').dataset.symbol") == "ETHUSDT"
    assert float(page.js("return document.querySelector('.chart-candle').dataset.last")) == first_candles["c"][-1]
    assert not page.by_testid("script-error").is_displayed()

    # The URL reopens the same page, the pickers showing its params.
    page.driver.get(page.driver.current_url)
    page.wait_drawn()
    c = controls(page)
    assert Select(c["param-base"]).first_selected_option.text == "ETHUSDT"
    assert page.js("return document.querySelector('.chart-candle').dataset.symbol") == "ETHUSDT"
    assert page.text("script-title") == "ETHUSDT vs BTCUSDT — pair overview"
    assert c["param-window"].get_attribute("value") == "120"

    # A value outside the script's rules is refused on the page, without a request.
    before = page.redraws()
    c["param-window"].clear()
    c["param-window"].send_keys("1")
    page.wait(lambda d: page.by_testid("script-error").is_displayed(), 10, "no error for window=1")
    assert "window" in page.text("script-error")
    assert page.redraws() == before
    assert page.severe_logs() == []


def test_zooming_one_chart_zooms_every_chart_of_the_page(page):
    open_script(page)
    z = page.driver.find_element(By.CSS_SELECTOR, '.script-cell[data-kind="line"] .chart')
    ActionChains(page.driver).move_to_element_with_offset(z, -120, 0).click_and_hold().move_by_offset(160, 0).release().perform()
    page.wait(lambda d: d.execute_script("return window.pairbook.charts().every(c => c.isZoomed())"), 10, "the other charts did not follow the zoom")
    windows = page.js("return window.pairbook.charts().map(c => c.graph.xAxisRange())")
    assert len(windows) == 9  # prices, 2 × (candles + volume), spread, z-score, correlation, hedge ratio
    assert all(w == windows[0] for w in windows)
    assert windows[0][1] - windows[0][0] < 20 * 3600 * 1000, "not zoomed into the day"
    assert page.severe_logs() == []


def test_the_export_tab_links_each_script_to_its_live_page(page):
    page.open("tab=export")
    page.wait(lambda d: page.all_by_testid(f"report-live-{SCRIPT}"), 30, "no live page link on the Export tab")
    page.by_testid(f"report-live-{SCRIPT}").click()
    page.wait_drawn()
    assert page.driver.current_url.split("?")[0].endswith(f"/reports/{SCRIPT}")
    assert page.text("script-title") == "BTCUSDT vs ETHUSDT — pair overview"


def test_a_link_in_prose_is_rebuilt_without_javascript(page):
    open_script(page)
    html, pwned = page.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        import('/assets/dom.js').then((m) => {
          const div = document.createElement('div');
          div.append(m.safeFragment('<p><a href="javascript:window.pwned=1">x</a><img src="x" onerror="window.pwned=2">' +
            '<a href="https://example.com/">ok</a><script>window.pwned=3</script></p>'));
          setTimeout(() => done([div.innerHTML, window.pwned || 0]), 200);
        });
    """)
    assert pwned == 0
    assert "javascript" not in html and "<img" not in html and "<script" not in html
    assert '<a href="https://example.com/" rel="noopener noreferrer">ok</a>' in html


def test_bars_arriving_refresh_the_page_in_place(browser, live_server, shots):
    trades = sorted(TRADES.glob("*.csv"))
    if not trades:
        pytest.skip(f"sample trades missing: {TRADES}")
    page = Page(browser, live_server)
    browser.get_log("browser")
    open_script(page)
    page.wait(lambda d: page.by_testid("live-badge").get_attribute("data-state") == "live", 15, "badge never went live")
    page.js("document.querySelector('.chart-candle').dataset.marker = 'kept'")
    line = page.driver.find_element(By.CSS_SELECTOR, '.script-cell[data-kind="line"] .chart')
    ActionChains(page.driver).move_to_element_with_offset(line, -120, 0).click_and_hold().move_by_offset(160, 0).release().perform()
    page.wait(lambda d: d.execute_script("return window.pairbook.charts().every(c => c.isZoomed())"), 10, "the charts did not zoom")
    zoom = page.js("return window.pairbook.charts()[0].graph.xAxisRange()")
    run("import", "--db", live_server.db, *trades)
    # The window follows the newest bars (2024-07-18/19, BTC above 60,000), drawn into the same chart elements.
    page.wait(lambda d: float(d.execute_script("return document.querySelector('.chart-candle').dataset.last")) > 60000, 30,
              "the candles never moved to the new bars")
    assert page.js("return document.querySelector('.chart-candle').dataset.marker") == "kept", "the page was rebuilt, not updated"
    assert page.js("return window.pairbook.charts().map(c => c.graph.xAxisRange())") == [zoom] * 9, "a live refresh moved the zoom"
    assert "2024-07-1" in page.text("script-window")
    assert "2024-07-1" in page.js("return document.querySelector('.script-cell[data-kind=\"candlestick\"] .chart-head').textContent"), \
        "the chart's subtitle kept the old window"
    assert page.severe_logs() == []
    page.js("window.pairbook.charts()[0].graph.resetZoom()")  # all follow: the picture shows the new window
    page.wait(lambda d: d.execute_script("return window.pairbook.charts().every(c => !c.isZoomed())"), 10, "the zoom did not reset")
    page.screenshot(shots / "script-page-live.png")


def test_on_a_phone_the_page_is_one_column_without_sideways_scrolling(server, downloads, shots):
    driver = make_driver(downloads, size="390,844", mobile=True)
    try:
        page = Page(driver, server)
        open_script(page)
        width = page.js("return document.documentElement.clientWidth")
        assert page.js("return document.documentElement.scrollWidth") <= width + 1, "the script page scrolls sideways on a phone"
        for chart in page.js("return [...document.querySelectorAll('.script-cell .chart')].map(c => c.getBoundingClientRect().width)"):
            assert chart <= width
        assert page.by_testid("param-window").is_displayed()
        page.screenshot(shots / "script-page-phone.png")
        page.screenshot(shots / "script-page-phone-top.png", full=False)
        assert page.severe_logs() == []
    finally:
        driver.quit()
