#!/usr/bin/env python3
"""Dashboard benchmark (issue 15, `make bench` with BENCH_AREAS containing `dashboard`).

All in one run, against a real `pairbook serve` / `pairbook run` on 127.0.0.1 and Debian's headless Chromium
(selenium with the system chromedriver, SE_OFFLINE=true):

  1. data       `pairbook demo` (a simulated day of BTCUSDT/ETHUSDT, 1 s/1 m/5 m bars) and the real 1 m sample
                (`pairbook import` of the shared 2023-01-01..03 klines; PAIRBOOK_SHARED_DATA).
  2. api        every API call the Overview makes for a day of 1 s bars, timed from Python over loopback
                (one keep-alive connection; best and median of --repeat; bytes on the wire), cached and computed
                (cache bypassed). Target < 50 ms each. The Analytics tab's /api/pair is timed too, for reference.
  3. page       cold loads (browser cache cleared) of the Overview and the Analytics tab: the page's
                `pairbook-charts-drawn` mark (ms since navigation start) and the bytes transferred (resource
                and navigation entries). Targets: < 500 ms, < 500 KB. Median and best of --repeat.
  4. redraw     a control changed through the page's own controls (pair swap; window): from just before the
                change to the page's `pairbook-redrawn` mark, and the page's own `pairbook-redraw` measure
                (control-changed → redrawn). The window box is changed as a user commits a value (its `change`
                event: Enter, the spinner, leaving the box), which applies at once; typing alone waits 400 ms
                for the next keystroke and is not what is timed. Target < 100 ms.
  5. live       `pairbook run` collecting from a local WebSocket server that replays real Binance USD-M
                `@trade` frames (shared 2024-07-19 capture, times rewritten to now) at --live-rate trades/s; the
                page's `pairbook-bar-drawn` marks are matched to the trades they contain (bar time and volume),
                giving trade sent → chart updated per trade. Target p99 < 250 ms.
  6. peer       scripts/bench/streamlit_overview.py (Streamlit + Plotly, every bar) over the same databases, in
                the same Chromium, once per size: to charts drawn and to a redraw after the window selectbox
                changes, with generous limits (a timeout is recorded as "> limit", not a failure).

Prints a results table and writes --json (default output/bench/dashboard.json). Exits non-zero only when
pairbook fails (a process that does not start, an API error, a page that reports a failed load); missed
targets and peer failures are reported, not fatal.
"""
import argparse
import asyncio
import gzip
import http.client
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from pathlib import Path

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never try to download a driver or browser

REPO = Path(__file__).resolve().parents[2]
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
WINDOW = (1280, 1000)
SYMBOLS = ("BTCUSDT", "ETHUSDT")


class PairbookFailure(Exception):
    """pairbook itself failed: the bench exits non-zero."""


def log(message):
    print(message, file=sys.stderr, flush=True)


def error_line(what, exc):
    text = str(exc).strip().splitlines()
    return f"{what}: {type(exc).__name__}: {text[0] if text else ''}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return {"n": 0}
    return {"n": len(values), "best": min(values), "median": statistics.median(values), "worst": max(values)}


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


# MARK: - Processes


class Processes:
    """Every child process the bench starts, stopped in `stop_all` (SIGTERM, then SIGKILL), each by its own id."""

    def __init__(self):
        self.children = []

    def start(self, args, log_path, cwd=None, env=None):
        out = open(log_path, "wb")
        proc = subprocess.Popen([str(a) for a in args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        proc.log_path = log_path
        proc.log_file = out
        self.children.append(proc)
        return proc

    def stop(self, proc, grace=10):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # its own session: the process and what it started, nothing else
            except ProcessLookupError:
                pass
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(5)
        proc.log_file.close()

    def stop_all(self):
        for proc in reversed(self.children):
            try:
                self.stop(proc)
            except Exception as exc:  # keep stopping the others
                log(error_line(f"stopping pid {proc.pid}", exc))
        self.children.clear()


def log_tail(proc, lines=8):
    try:
        text = Path(proc.log_path).read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def wait_http(proc, url, limit, what):
    """Waits until `url` answers (any status below 500) while `proc` runs."""
    parts = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PairbookFailure(f"{what} exited with status {proc.returncode}: {log_tail(proc)}")
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=max(1.0, deadline - time.monotonic()))
        try:
            conn.request("GET", parts.path or "/")
            response = conn.getresponse()
            response.read()
            if response.status < 500:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise PairbookFailure(f"{what} did not answer {url} within {limit:.0f} s: {log_tail(proc)}")


def run_pairbook(pairbook, args, cwd, limit, what):
    started = time.perf_counter()
    try:
        done = subprocess.run([str(pairbook), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=limit,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise PairbookFailure(f"{what}: no result within {limit} s")
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise PairbookFailure(f"{what} failed with status {done.returncode}: {tail}")
    return done, time.perf_counter() - started


# MARK: - Browser


def make_browser(timeout):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.remote.client_config import ClientConfig

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={WINDOW[0]},{WINDOW[1]}",
                "--disable-dev-shm-usage", "--disable-extensions", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-default-apps", "--disable-sync", "--metrics-recording-only"):
        options.add_argument(arg)
    service = Service(CHROMEDRIVER)
    try:
        config = ClientConfig(remote_server_addr="http://127.0.0.1", timeout=timeout)
        driver = webdriver.Chrome(service=service, options=options, client_config=config)
    except TypeError:  # older selenium: no client_config
        driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(timeout)
    driver.set_script_timeout(timeout)
    return driver


def clear_cache(driver):
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})


# MARK: - Data


def make_data(args, work, pairbook):
    shared = Path(os.environ.get("PAIRBOOK_SHARED_DATA") or (REPO.parent / "shared" / "data"))
    klines = sorted((shared / "binance-usdm-klines-1m-2023-01-01_03").glob("*.csv"))
    day = work / "day.sqlite"
    sample = work / "sample-1m.sqlite"
    if args.reuse_data and day.exists() and (sample.exists() or not klines):
        log(f"data: reusing {day} and {sample}")
        return {"day": day, "sample": sample if klines else None, "shared": shared, "demo_s": None, "import_s": None}
    log(f"data: pairbook demo --db {day} --date {args.date} (a simulated day, 1s/1m/5m bars)")
    _, demo_s = run_pairbook(pairbook, ["demo", "--db", day, "--date", args.date, "--timeframes", "1s,1m,5m"],
                             cwd=work, limit=1800, what="pairbook demo")
    import_s = None
    if klines:
        log(f"data: pairbook import --db {sample} {len(klines)} kline files from {klines[0].parent}")
        _, import_s = run_pairbook(pairbook, ["import", "--db", sample, *klines], cwd=work, limit=600,
                                   what="pairbook import")
    else:
        sample = None
        log(f"data: no 1 m sample in {shared} (set PAIRBOOK_SHARED_DATA); the 1 m sample runs are skipped")
    return {"day": day, "sample": sample, "shared": shared, "demo_s": demo_s, "import_s": import_s}


def bar_counts(db, timeframe):
    import sqlite3
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT symbol, COUNT(*), MIN(ts), MAX(ts) FROM resampled_data WHERE timeframe = ? "
                            "GROUP BY symbol ORDER BY symbol", (timeframe,)).fetchall()
    return {symbol: {"bars": n, "first": first, "last": last} for symbol, n, first, last in rows}


# MARK: - Page loads


PAGE_STATE_JS = """
const drawn = performance.getEntriesByName('pairbook-charts-drawn')[0];
const nav = performance.getEntriesByType('navigation')[0];
const resources = performance.getEntriesByType('resource').map((e) => ({
  name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize,
  start: e.startTime, requestStart: e.requestStart, responseStart: e.responseStart, end: e.responseEnd}));
return {drawn: drawn ? drawn.startTime : null, failed: document.body.dataset.failed === '1',
        drawnFlag: document.body.dataset.drawn === '1',
        nav: nav ? {transfer: nav.transferSize, encoded: nav.encodedBodySize, domContentLoaded: nav.domContentLoadedEventEnd,
                    load: nav.loadEventEnd} : null,
        resources, error: [...document.querySelectorAll('.panel-error')].map((e) => e.hidden ? '' : e.textContent).join(' ').trim()};
"""


def page_url(base, tab, timeframe, lookback, window=60):
    return f"{base}/?tab={tab}&pair={SYMBOLS[0]}/{SYMBOLS[1]}&tf={timeframe}&lookback={lookback}&window={window}&z=2&hedge=ols"


def wait_for(driver, script, limit, poll=0.05):
    """Polls `script` until it returns something truthy; returns it, or None after `limit` seconds."""
    from selenium.common.exceptions import WebDriverException
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            value = driver.execute_script(script)
        except WebDriverException:
            value = None  # a busy or navigating page: try again
        if value:
            return value
        time.sleep(poll)
    return None


def load_page(driver, url, limit):
    """One cold load: cache cleared, navigate, wait for the drawn (or failed) flag, then for the network to settle."""
    clear_cache(driver)
    driver.get("about:blank")
    driver.get(url)
    flag = wait_for(driver, "return document.body && (document.body.dataset.drawn === '1' || "
                            "document.body.dataset.failed === '1') ? document.body.dataset.drawn || 'failed' : null",
                    limit)
    if not flag:
        raise PairbookFailure(f"page {url} did not draw within {limit:.0f} s")
    # Let the requests still running finish (the symbol list, the heatmap) so the transfer counts them.
    count, stable_since = -1, time.monotonic()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        n = driver.execute_script("return performance.getEntriesByType('resource').length")
        if n != count:
            count, stable_since = n, time.monotonic()
        elif time.monotonic() - stable_since > 1.0:
            break
        time.sleep(0.1)
    state = driver.execute_script(PAGE_STATE_JS)
    if state["failed"] or state["drawn"] is None:
        raise PairbookFailure(f"page {url} reported a failed load: {state['error'] or 'no pairbook-charts-drawn mark'}")
    transfer = sum(r["transfer"] or 0 for r in state["resources"]) + ((state["nav"] or {}).get("transfer") or 0)
    drawn_resources = [r for r in state["resources"] if r["end"] <= state["drawn"]]
    transfer_at_drawn = sum(r["transfer"] or 0 for r in drawn_resources) + ((state["nav"] or {}).get("transfer") or 0)
    return {"drawn_ms": state["drawn"], "transfer_bytes": transfer, "transfer_at_drawn_bytes": transfer_at_drawn,
            "resources": state["resources"], "nav": state["nav"]}


def bench_pages(driver, base, timeframe, lookback, repeat, limit):
    # One untimed load of the Alerts tab first: the browser's own first navigation (process and JIT warm-up) is not
    # the page's, and the Alerts tab computes none of the answers the timed loads ask for, so each tab's first load
    # below still measures its answers computed by the server.
    clear_cache(driver)
    driver.get(f"{base}/?tab=alerts")
    wait_for(driver, "return document.body && document.body.dataset.drawn === '1' ? 1 : null", limit)
    results = {}
    for tab in ("overview", "analytics"):
        url = page_url(base, tab, timeframe, lookback)
        runs = []
        for i in range(repeat):
            run = load_page(driver, url, limit)
            runs.append(run)
            log(f"page {tab} {timeframe} #{i + 1}: drawn {run['drawn_ms']:.0f} ms, {run['transfer_bytes'] / 1000:.0f} kB")
        last = runs[-1]
        results[tab] = {
            "url": url,
            "drawn_ms": stats([r["drawn_ms"] for r in runs]),
            # The first load computes the API answers; the later ones (same URLs, unchanged database) get them from
            # the server's answer cache, as a reload or a second viewer does.
            "first_drawn_ms": runs[0]["drawn_ms"],
            "transfer_kb": stats([r["transfer_bytes"] / 1000 for r in runs]),
            "transfer_at_drawn_kb": stats([r["transfer_at_drawn_bytes"] / 1000 for r in runs]),
            "resources": [{"name": r["name"].replace(base, ""), "transfer": r["transfer"], "decoded": r["decoded"],
                           "start_ms": round(r["start"], 1), "server_wait_ms": round(r["responseStart"] - r["requestStart"], 1)
                           if r["requestStart"] else None, "end_ms": round(r["end"], 1)} for r in last["resources"]],
            "api_urls": sorted({r["name"].replace(base, "") for run in runs for r in run["resources"]
                                if "/api/" in r["name"]}),
        }
    return results


# MARK: - Redraw


REDRAW_COUNT_JS = "return Number(document.body.dataset.redraws || 0)"
REDRAW_RESULT_JS = """
const marks = performance.getEntriesByName('pairbook-redrawn');
const measures = performance.getEntriesByName('pairbook-redraw');
return {redrawn: marks.length ? marks[marks.length - 1].startTime : null,
        measure: measures.length ? measures[measures.length - 1].duration : null,
        failed: document.body.dataset.failed === '1'};
"""
SWAP_JS = "const t0 = performance.now(); document.getElementById('ctl-swap').click(); return t0;"
WINDOW_JS = """
const input = document.getElementById('ctl-window');
const t0 = performance.now();
input.value = String(arguments[0]);
input.dispatchEvent(new Event('change', {bubbles: true}));
return t0;
"""


def one_redraw(driver, action_js, argument, limit):
    before = driver.execute_script(REDRAW_COUNT_JS)
    t0 = driver.execute_script(action_js, argument) if argument is not None else driver.execute_script(action_js)
    done = wait_for(driver, f"return Number(document.body.dataset.redraws || 0) > {before} || "
                            "document.body.dataset.failed === '1'", limit, poll=0.02)
    if not done:
        raise PairbookFailure(f"no pairbook-redrawn mark within {limit:.0f} s of a control change")
    result = driver.execute_script(REDRAW_RESULT_JS)
    if result["failed"] or result["redrawn"] is None:
        raise PairbookFailure("the page reported a failed load after a control change")
    return {"from_action_ms": result["redrawn"] - t0, "measure_ms": result["measure"]}


def bench_redraws(driver, base, timeframe, lookback, repeat, limit):
    results = {}
    cases = [
        ("overview: pair swapped", "overview", SWAP_JS, [None] * repeat),
        ("analytics: pair swapped", "analytics", SWAP_JS, [None] * repeat),
        ("analytics: window changed", "analytics", WINDOW_JS, [120 if i % 2 == 0 else 60 for i in range(repeat)]),
    ]
    for name, tab, action, arguments in cases:
        load_page(driver, page_url(base, tab, timeframe, lookback), limit)
        runs = []
        for argument in arguments:
            time.sleep(0.3)  # the page idle again (late requests, the heatmap) before the next change
            runs.append(one_redraw(driver, action, argument, limit))
        results[name] = {
            "from_action_ms": stats([r["from_action_ms"] for r in runs]),
            "measure_ms": stats([r["measure_ms"] for r in runs]),
        }
        log(f"redraw {name}: median {results[name]['from_action_ms']['median']:.0f} ms from the change, "
            f"{results[name]['measure_ms']['median']:.0f} ms control-changed → redrawn")
    return results


# MARK: - API


CACHED_ROUTES = ("/api/bars", "/api/pair", "/api/spread")  # answers the server reuses while the database is unchanged


def bench_api(host, port, urls, repeat):
    """Each URL --repeat times on one keep-alive connection. /api/bars and /api/pair are also timed computed: each
    repeat with a query parameter of its own (`_bench=<n>`, which the API ignores), so the answer cache misses."""
    results = []
    conn = http.client.HTTPConnection(host, port, timeout=300)
    try:
        for url in urls:
            result = time_url(conn, host, port, url, [url] * repeat)
            conn = result.pop("conn")
            if url.split("?")[0] in CACHED_ROUTES:
                bypass = [f"{url}{'&' if '?' in url else '?'}_bench={time.time_ns()}{i}" for i in range(repeat)]
                computed = time_url(conn, host, port, url, bypass)
                conn = computed.pop("conn")
                result["computed_ms"] = computed["ms"]
            results.append(result)
            log(f"api {url}: first {result['first_ms']:.1f} ms, best {result['ms']['best']:.1f} ms, median "
                f"{result['ms']['median']:.1f} ms, {result['bytes'] / 1000:.1f} kB"
                + (f"; computed (cache bypassed) median {result['computed_ms']['median']:.1f} ms, best "
                   f"{result['computed_ms']['best']:.1f} ms" if "computed_ms" in result else ""))
    finally:
        conn.close()
    return results


def time_url(conn, host, port, url, requests):
    times, size, status, decoded = [], None, None, None
    for request in requests:
        started = time.perf_counter()
        accept = "image/png" if ".png" in url.split("?")[0] else "application/json"
        conn.request("GET", request, headers={"Accept": accept, "Accept-Encoding": "gzip"})
        response = conn.getresponse()
        body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        status = response.status
        size = len(body)
        decoded = len(gzip.decompress(body)) if response.getheader("Content-Encoding") == "gzip" else size
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=300)
        if status != 200:
            raise PairbookFailure(f"GET {request} answered {status}: {body[:200]!r}")
    # Repeats of /api/bars, /api/spread and /api/pair come from the server's answer cache (and the page loads before may have
    # filled it for the URLs they share): `computed_ms` (bench_api) is what computing the answer costs.
    return {"url": url, "ms": stats(times), "first_ms": times[0], "bytes": size, "decoded_bytes": decoded, "conn": conn}


def default_api_urls(timeframe, lookback, points=1207, pair_points=825):
    pair = f"{SYMBOLS[0]}/{SYMBOLS[1]}"
    return [
        "/api/symbols",
        f"/api/overview?symbols={SYMBOLS[0]},{SYMBOLS[1]}",
        f"/api/bars?symbol={SYMBOLS[0]}&timeframe={timeframe}&lookback={lookback}&points={points}",
        f"/api/bars?symbol={SYMBOLS[1]}&timeframe={timeframe}&lookback={lookback}&points={points}",
        f"/api/spread?pair={pair}&timeframe={timeframe}&window=60&hedge=ols&lookback={lookback}&points={pair_points}",
        # The Analytics tab's whole analysis (ADF, Engle-Granger, Hurst ... of the day): not an Overview request, so
        # outside the Overview's < 50 ms target; timed for reference.
        f"/api/pair?pair={pair}&timeframe={timeframe}&window=60&hedge=ols&lookback={lookback}&points={2 * pair_points}",
    ]


OVERVIEW_ROUTES = ("/api/symbols", "/api/overview", "/api/bars", "/api/spread")  # what the Overview asks for


def api_target(url):
    """The < 50 ms target applies to the Overview's requests; others are timed for reference."""
    return ("< 50 ms", 50) if url.split("?")[0] in OVERVIEW_ROUTES else ("none (Analytics tab)", None)


# MARK: - Live: replay server, pairbook run, page marks


def load_replay_trades(shared):
    """Real `@trade` frames of the shared 2024-07-19 capture, both symbols, in receive order."""
    raw = shared / "binance-usdm-trades-2024-07-18" / "raw"
    frames = []
    for symbol in SYMBOLS:
        path = raw / f"{symbol.lower()}_20240719.gz"
        with gzip.open(path, "rt") as f:
            for line in f:
                if '@trade"' not in line:
                    continue
                received, _, text = line.partition(" ")
                message = json.loads(text)
                data = message["data"]
                if data.get("X", "MARKET") != "MARKET":
                    continue
                frames.append((int(received), message["stream"], data))
    frames.sort(key=lambda f: f[0])
    return [(stream, data) for _, stream, data in frames]


class ReplayServer:
    """A WebSocket server (websockets, on its own thread) that sends the frames as a Binance combined stream at
    `rate` trades/s, rewriting each trade's times to the moment it is sent and its id to continue past a loop.
    Records every trade sent: (wall time sent, symbol, trade time ms, quantity)."""

    def __init__(self, frames, rate):
        self.frames = frames
        self.rate = rate
        self.port = free_port()
        self.loop = None
        self.thread = None
        self.clients = {}  # connection → set of stream names
        self.subscribed = threading.Event()
        self.sent = []
        self.sending = False
        self.stop_sending = threading.Event()
        self.ready = threading.Event()
        self.failure = None

    def start(self):
        self.thread = threading.Thread(target=self._run, name="replay", daemon=True)
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError(f"replay server did not start: {self.failure}")

    def _run(self):
        try:
            asyncio.run(self._main())
        except Exception as exc:
            self.failure = exc
            self.ready.set()

    async def _main(self):
        from websockets.asyncio.server import serve
        self.loop = asyncio.get_running_loop()
        self.stopped = asyncio.Event()
        async with serve(self._handler, "127.0.0.1", self.port, max_size=2 ** 20, ping_interval=None):
            self.ready.set()
            await self.stopped.wait()

    async def _handler(self, connection):
        query = urllib.parse.urlsplit(connection.request.path).query
        streams = set(urllib.parse.parse_qs(query).get("streams", [""])[0].split("/"))
        self.clients[connection] = streams
        wanted = {f"{s.lower()}@trade" for s in SYMBOLS}
        if wanted <= set().union(*self.clients.values()):
            self.subscribed.set()
        try:
            async for _ in connection:  # SUBSCRIBE/LIST requests, if any: ignored
                pass
        finally:
            self.clients.pop(connection, None)

    def play(self, seconds):
        """Sends trades for `seconds` (blocking the caller's thread until done)."""
        future = asyncio.run_coroutine_threadsafe(self._play(seconds), self.loop)
        return future.result(seconds + 60)

    async def _play(self, seconds):
        # Frames as text templates (time and id filled in per send): json.dumps per trade would cap the rate.
        first_id, span, templates = {}, {}, []
        for stream, data in self.frames:
            first_id.setdefault(stream, data["t"])
            span[stream] = data["t"] - first_id[stream] + 1
            head = (f'{{"stream":"{stream}","data":{{"e":"trade","E":%d,"T":%d,"s":"{data["s"]}","t":%d,'
                    f'"p":"{data["p"]}","q":"{data["q"]}","X":"MARKET","m":{"true" if data["m"] else "false"}}}}}')
            templates.append((stream, data["s"], data["t"], float(data["q"]), head))
        tick = 0.005
        per_tick = self.rate * tick
        start = time.monotonic()
        budget, index, loops, ticks = 0.0, 0, 0, 0
        sent = self.sent
        while time.monotonic() - start < seconds and not self.stop_sending.is_set():
            budget += per_tick
            batch = int(budget)
            budget -= batch
            clients = list(self.clients.items())
            for _ in range(batch):
                stream, symbol, trade_id, qty, head = templates[index]
                wall = time.time()
                now_ms = int(wall * 1000)
                text = head % (now_ms, now_ms, trade_id + loops * span[stream])
                for connection, streams in clients:
                    if stream in streams:
                        try:
                            await connection.send(text)
                        except Exception:
                            pass
                sent.append((wall, symbol, now_ms, qty))
                index += 1
                if index == len(templates):
                    index = 0
                    loops += 1
            ticks += 1
            await asyncio.sleep(max(0.0, start + ticks * tick - time.monotonic()))
        return len(sent)

    def close(self):
        if self.loop and not self.loop.is_closed():
            try:
                self.loop.call_soon_threadsafe(self.stopped.set)
            except RuntimeError:
                pass
        if self.thread:
            self.thread.join(10)


class SwiftReplay:
    """`pairbook-bench replay` in a child process: the same Binance combined stream as ReplayServer, from the collector
    bench's SwiftNIO server, which keeps 20,000 trades/s where this Python server reached about 14,000. It starts
    sending when pairbook connects; `play` and `stop_sending` are for ReplayServer's callers."""

    def __init__(self, binary, rate, seconds, procs, log_path):
        self.binary, self.rate, self.seconds, self.procs, self.log_path = binary, rate, seconds, procs, log_path
        self.port = None
        self.subscribed = threading.Event()
        self.stop_sending = threading.Event()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([str(self.binary), "replay", "--rate", str(int(self.rate)), "--seconds", str(int(self.seconds))],
                                     stdout=subprocess.PIPE, stderr=open(self.log_path, "w"), text=True)
        listening = threading.Event()

        def read():
            for line in self.proc.stdout:
                word, _, rest = line.strip().partition(" ")
                if word == "listening":
                    self.port = int(rest)
                    listening.set()
                elif word == "connected":
                    self.subscribed.set()
        threading.Thread(target=read, name="swift-replay", daemon=True).start()
        # Generating the frames takes a few seconds at 20,000 trades/s.
        if not listening.wait(120):
            raise RuntimeError(f"pairbook-bench replay did not start: {log_tail(self)}")

    def play(self, seconds):
        pass  # it plays by itself from the first connection

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


MARK_HOOK_JS = """
if (!window.__benchBars) {
  window.__benchBars = [];
  const mark = performance.mark.bind(performance);
  performance.mark = function (name, options) {
    const entry = mark(name, options);
    if (name === 'pairbook-bar-drawn') {
      const d = (options && options.detail) || {};
      const legs = (window.pairbook && window.pairbook.tabs && window.pairbook.tabs.overview &&
                    window.pairbook.tabs.overview.legs) || [];
      const leg = legs.find((l) => l.symbol === d.symbol);
      window.__benchBars.push([performance.timeOrigin + entry.startTime, d.symbol, d.t, d.c,
                               leg && leg.last ? leg.last.v : null, !!d.closed]);
    }
    return entry;
  };
}
return !!(window.pairbook && window.pairbook.tabs && window.pairbook.tabs.overview);
"""


def clock_offset(driver):
    """Page wall clock (timeOrigin + now) minus Python's time.time(), in ms, with its uncertainty."""
    best = None
    for _ in range(7):
        before = time.time()
        page = driver.execute_script("return performance.timeOrigin + performance.now()")
        after = time.time()
        width = (after - before) * 1000
        if best is None or width < best[1]:
            best = (page - (before + after) / 2 * 1000, width / 2)
    return best


def match_latencies(sent, marks, timeframe_ms, offset_ms, window_from, window_to):
    """Per trade: the first chart update (a `pairbook-bar-drawn` mark) that contains it, in ms after it was sent.

    A mark (symbol, bar t, volume v) contains the trades of its bar whose running quantity sum reaches v, and every
    trade of the symbol's earlier bars. Marks whose volume matches no prefix of their bar are counted, not used.
    Every trade sent counts for the prefixes; only those sent within [window_from, window_to] (s) give latencies."""
    by_symbol = {}
    for wall, symbol, t_ms, qty in sent:
        by_symbol.setdefault(symbol, []).append((wall * 1000, t_ms - t_ms % timeframe_ms, qty))
    latencies, per_update, unmatched = [], [], 0
    uncovered = 0
    for symbol, trades in by_symbol.items():
        # prefix sums per bar; index of each bar's first trade
        bar_first, bar_prefix = {}, {}
        for i, (_, bar, qty) in enumerate(trades):
            if bar not in bar_first:
                bar_first[bar] = i
                bar_prefix[bar] = []
            prev = bar_prefix[bar][-1] if bar_prefix[bar] else 0.0
            bar_prefix[bar].append(prev + qty)
        covered = 0  # trades[:covered] already on the chart
        symbol_marks = sorted((m for m in marks if m[1] == symbol), key=lambda m: m[0])
        inside = [window_from * 1000 <= t[0] <= window_to * 1000 for t in trades]
        for wall_page, _, bar_t, _close, volume, _closed in symbol_marks:
            wall = wall_page - offset_ms
            counted = window_from * 1000 <= wall
            if bar_t in bar_first and volume is not None:
                prefix = bar_prefix[bar_t]
                k = min(range(len(prefix)), key=lambda j: abs(prefix[j] - volume))
                if abs(prefix[k] - volume) > 1e-6 * max(1.0, volume):
                    unmatched += counted
                    continue
                upto = bar_first[bar_t] + k + 1
                if counted and inside[upto - 1]:
                    per_update.append(wall - trades[upto - 1][0])
            elif bar_t in bar_first:
                unmatched += counted
                continue
            else:
                later = [b for b in bar_first if b < bar_t]
                if not later:
                    continue  # a bar from before the replay
                last_bar = max(later)
                upto = bar_first[last_bar] + len(bar_prefix[last_bar])
            while covered < upto:
                if inside[covered]:
                    latencies.append(wall - trades[covered][0])
                covered += 1
        uncovered += sum(inside[covered:])
    return latencies, per_update, unmatched, uncovered


def start_collector(work, pairbook, procs, replay, name):
    """`pairbook run` collecting from `replay` into work/<name>.sqlite, its dashboard on a free port; waits until it
    has subscribed. Returns (process, port)."""
    port = free_port()
    # A fresh database: a --work folder kept from an earlier run would hold the same replayed trades, and duplicates
    # change no bar (the pages would get no events).
    for leftover in work.glob(f"{name}.sqlite*"):
        leftover.unlink()
    env = {k: v for k, v in os.environ.items() if k != "BINANCE_API_KEY"}  # no REST backfill from anywhere
    run = procs.start([pairbook, "run", "--db", work / f"{name}.sqlite", "--symbols", ",".join(SYMBOLS), "--stream", "trade",
                       "--endpoint", f"ws://127.0.0.1:{replay.port}", "--rest-endpoint", "http://127.0.0.1:9",
                       "--listen", f"127.0.0.1:{port}", "--out", work / f"{name}-out", "--log-level", "warning"],
                      work / f"{name}-run.log", cwd=work, env=env)
    wait_http(run, f"http://127.0.0.1:{port}/healthz", 120, "pairbook run")
    if not replay.subscribed.wait(60):
        raise PairbookFailure(f"pairbook run did not subscribe to the replay server: {log_tail(run)}")
    return run, port


def stop_collector(work, procs, replay, name):
    replay.stop_sending.set()
    for proc in list(procs.children):
        if proc.log_path == work / f"{name}-run.log":
            procs.stop(proc)  # before the replay server goes, so it does not reconnect
            procs.children.remove(proc)
    replay.close()


def bench_live(args, work, pairbook, procs, driver, shared, timeframe):
    frames = load_replay_trades(shared)
    if not frames:
        raise RuntimeError("no @trade frames in the shared 2024-07-19 capture")
    replay = ReplayServer(frames, args.live_rate)
    replay.start()
    try:
        run, port = start_collector(work, pairbook, procs, replay, "live")
        # Warm-up: bars of both symbols exist before the page opens, so the Overview draws.
        warm = threading.Thread(target=replay.play, args=(args.live_seconds + args.live_warmup + 120,), daemon=True)
        warm.start()
        time.sleep(args.live_warmup)
        url = f"http://127.0.0.1:{port}/?tab=overview&pair={SYMBOLS[0]}/{SYMBOLS[1]}&tf={timeframe}&lookback=15m"
        driver.get(url)
        if not wait_for(driver, "return document.body && document.body.dataset.drawn === '1'", args.page_limit):
            raise PairbookFailure(f"live page {url} did not draw: {log_tail(run)}")
        if not driver.execute_script(MARK_HOOK_JS):
            return {"status": "not measured: the page exposes no window.pairbook.tabs.overview to read the drawn "
                              "bar's volume"}
        if not wait_for(driver, "return document.getElementById('live-badge').dataset.state === 'live'", 30):
            raise PairbookFailure("the live badge never showed 'live'")
        offset, uncertainty = clock_offset(driver)
        measure_from = time.time()
        time.sleep(args.live_seconds)
        measure_to = time.time()
        marks = driver.execute_script("return window.__benchBars")
        replay.stop_sending.set()
        warm.join(30)
        # Trades of the measured seconds but the last (those may still be on their way when the marks are read).
        window_to = measure_to - 1.0
        sent = [s for s in replay.sent if measure_from <= s[0] <= window_to]
        counted_marks = [m for m in marks if m[0] - offset >= measure_from * 1000]
        timeframe_ms = {"1s": 1000, "1m": 60_000}[timeframe]
        latencies, per_update, unmatched, uncovered = match_latencies(list(replay.sent), marks, timeframe_ms, offset,
                                                                      measure_from, window_to)
        latencies.sort()
        per_update.sort()
        rate = len(sent) / max(1e-9, (measure_to - 1.0 - measure_from))
        if run.poll() is not None:
            raise PairbookFailure(f"pairbook run exited during the live bench: {log_tail(run)}")
        result = {
            "status": "measured",
            "method": "trade sent by the local replay server (loopback, ≈ received by the collector) → the first "
                      "pairbook-bar-drawn mark whose bar contains it (bar time and running volume), page clock "
                      "aligned to Python's by round trips",
            "timeframe": timeframe,
            "rate_target_per_s": args.live_rate,
            "trades_sent": len(sent),
            "rate_per_s": rate,
            "replay": "pairbook-bench replay (SwiftNIO)" if args.replay else "Python websockets",
            "chart_updates": len(counted_marks),
            "unmatched_updates": unmatched,
            "trades_never_drawn": uncovered,
            "clock_offset_ms": offset,
            "clock_uncertainty_ms": uncertainty,
            "per_trade_ms": {"p50": percentile(latencies, 50), "p90": percentile(latencies, 90),
                             "p99": percentile(latencies, 99), "max": latencies[-1] if latencies else None,
                             "n": len(latencies)},
            "newest_trade_per_update_ms": {"p50": percentile(per_update, 50), "p99": percentile(per_update, 99),
                                           "n": len(per_update)},
        }
        if rate < 0.9 * args.live_rate:
            result["status"] = f"measured, but the replay reached only {rate:,.0f} of {args.live_rate:,.0f} trades/s"
        log(f"live {timeframe}: {len(sent)} trades at {rate:.0f}/s, {len(counted_marks)} chart updates; trade → chart p50 "
            f"{result['per_trade_ms']['p50']} ms, p99 {result['per_trade_ms']['p99']} ms")
        return result
    finally:
        stop_collector(work, procs, replay, "live")


# MARK: - Fan-out: many pages on the event stream while the collector records a fast stream


def scrape_histogram(port, name):
    """Cumulative bucket counts {le (s): count} of a Prometheus histogram on /metrics."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    buckets = {}
    for line in text.splitlines():
        if line.startswith(name + "_bucket{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[math.inf if le == "+Inf" else float(le)] = float(line.rsplit(" ", 1)[1])
    return buckets


def histogram_quantile(buckets, q):
    """Prometheus' histogram_quantile: linear within the bucket that holds the q-th observation (seconds)."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]] if bounds else 0
    if total <= 0:
        return None
    rank, previous_bound, previous_count = q * total, 0.0, 0.0
    for bound in bounds:
        if buckets[bound] >= rank:
            if bound == math.inf:
                return previous_bound
            inside = buckets[bound] - previous_count
            return previous_bound + (bound - previous_bound) * ((rank - previous_count) / inside if inside else 1)
        previous_bound, previous_count = bound, buckets[bound]
    return previous_bound


def bench_fanout(args, work, pairbook, procs, shared):
    """`pairbook run` at --fanout-rate trades/s with --fanout-pages event streams open: receive-to-commit from the
    collector's own histogram (/metrics, the difference over the measured seconds). Target p99 < 50 ms."""
    if args.replay:
        replay = SwiftReplay(Path(args.replay).resolve(), args.fanout_rate, args.fanout_seconds + 60, procs, work / "replay.log")
    else:
        replay = ReplayServer(load_replay_trades(shared), args.fanout_rate)
    replay.start()
    clients = None
    try:
        run, port = start_collector(work, pairbook, procs, replay, "fanout")
        player = threading.Thread(target=replay.play, args=(args.fanout_seconds + 60,), daemon=True)
        player.start()
        time.sleep(3)  # bars of both symbols exist, the recorder is in its stride
        out = work / "sse-clients.json"
        clients = procs.start([sys.executable, Path(__file__).with_name("sse_clients.py"), "--port", port,
                               "--clients", args.fanout_pages, "--query", f"symbols={','.join(SYMBOLS)}&timeframe=1s",
                               "--out", out], work / "sse-clients.log", cwd=work)
        if not wait_for_file(out, 60, clients):
            raise PairbookFailure(f"{args.fanout_pages} event streams did not all open: {log_tail(clients)}")
        before = scrape_histogram(port, "pairbook_receive_to_commit_seconds")
        started = time.time()
        time.sleep(args.fanout_seconds)
        after = scrape_histogram(port, "pairbook_receive_to_commit_seconds")
        elapsed = time.time() - started
        replay.stop_sending.set()
        procs.stop(clients)
        procs.children.remove(clients)
        streams = json.loads(out.read_text())
        if run.poll() is not None:
            raise PairbookFailure(f"pairbook run exited during the fan-out bench: {log_tail(run)}")
        delta = {le: after.get(le, 0) - before.get(le, 0) for le in after}
        committed = delta.get(math.inf, 0)
        within_50 = delta.get(0.05, 0) / committed if committed else None
        events = [c["events"] for c in streams.get("clients", [])]
        rate = committed / max(1e-9, elapsed)  # trades recorded per second over the measured window
        result = {
            "status": "measured",
            "method": "receive-to-commit from pairbook's pairbook_receive_to_commit_seconds histogram (difference of "
                      "/metrics scrapes around the measured seconds; quantiles interpolated within buckets as "
                      "Prometheus' histogram_quantile does)",
            "pages": args.fanout_pages,
            "rate_target_per_s": args.fanout_rate,
            "rate_per_s": rate,
            "trades_committed": committed,
            "receive_to_commit_ms": {q: (v * 1000 if v is not None else None) for q, v in
                                     (("p50", histogram_quantile(delta, 0.5)), ("p99", histogram_quantile(delta, 0.99)))},
            "share_within_50_ms": within_50,
            "events_per_page": {"min": min(events) if events else None, "max": max(events) if events else None},
            "stream_errors": streams.get("errors", []),
        }
        if rate < 0.9 * args.fanout_rate:
            result["status"] = f"measured, but only {rate:,.0f} of {args.fanout_rate:,.0f} trades/s were recorded"
        log(f"fan-out: {args.fanout_pages} pages, {rate:,.0f} trades/s, receive → commit p50 "
            f"{result['receive_to_commit_ms']['p50']} ms, p99 {result['receive_to_commit_ms']['p99']} ms, "
            f"{(within_50 or 0) * 100:.2f} % within 50 ms; events per page {result['events_per_page']}")
        return result
    finally:
        if clients is not None and clients in procs.children:
            procs.stop(clients)
            procs.children.remove(clients)
        stop_collector(work, procs, replay, "fanout")


def wait_for_file(path, limit, proc):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > 0:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.1)
    return False


# MARK: - Peer: Streamlit + Plotly


PEER_WATCH_JS = """
window.__peer = {drawn: null, figures: arguments[0], wantTitle: null, redrawn: null};
const check = () => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const ready = plots.length >= window.__peer.figures &&
    plots.every((p) => p.querySelector('.main-svg .cartesianlayer .trace'));
  const running = [...document.querySelectorAll('[data-testid="stStatusWidget"]')].some((e) => e.offsetParent !== null &&
    /running|stop/i.test(e.innerText || ''));
  const titles = [...document.querySelectorAll('.js-plotly-plot .gtitle')].map((e) => e.textContent);
  window.__peer.titles = titles;
  window.__peer.error = [...document.querySelectorAll('[data-testid="stException"], [data-testid="stConnectionStatus"]')]
    .map((e) => e.innerText).join(' ').slice(0, 300);
  if (ready && !running) {
    if (window.__peer.drawn === null) window.__peer.drawn = performance.now();
    if (window.__peer.wantTitle && window.__peer.redrawn === null &&
        titles.some((t) => t.includes(window.__peer.wantTitle))) window.__peer.redrawn = performance.now();
  }
};
setInterval(check, 20);
check();
return true;
"""


def peer_run(args, work, procs, driver, db, timeframe, lookback_ms, label):
    """One run of the Streamlit page: to drawn, then one redraw after the window selectbox changes."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    limit = args.peer_limit
    port = free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    proc = procs.start([sys.executable, "-m", "streamlit", "run", REPO / "scripts" / "bench" / "streamlit_overview.py",
                        "--server.headless", "true", "--server.port", port, "--server.address", "127.0.0.1",
                        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                        "--server.runOnSave", "false", "--global.developmentMode", "false",
                        "--", "--db", db, "--timeframe", timeframe, "--lookback-ms", lookback_ms],
                       work / f"streamlit-{label}.log", cwd=work, env=env)
    result = {"limit_s": limit, "drawn_ms": None, "redraw_ms": None, "status": "ok"}
    try:
        try:
            wait_http(proc, f"http://127.0.0.1:{port}/", 120, "streamlit")
        except PairbookFailure as exc:  # the peer's failure, not pairbook's
            result["status"] = f"failed: {exc}"
            return result
        clear_cache(driver)
        driver.get("about:blank")
        started = time.monotonic()
        try:
            driver.get(f"http://127.0.0.1:{port}/")
            driver.execute_script(PEER_WATCH_JS, 4)
        except WebDriverException as exc:
            result["status"] = error_line("load", exc)
            return result
        drawn = wait_for(driver, "return window.__peer && window.__peer.drawn", limit - (time.monotonic() - started),
                         poll=0.25)
        if not drawn:
            detail = wait_for(driver, "return window.__peer ? JSON.stringify([window.__peer.titles, window.__peer.error]) : 'no watcher'", 30) or ""
            result["status"] = f"> {limit:.0f} s: not drawn within the limit {detail[:300]}"
            log(f"peer {label}: not drawn within {limit:.0f} s {detail[:200]}")
            return result
        result["drawn_ms"] = drawn
        log(f"peer {label}: drawn {drawn / 1000:.1f} s after navigation start")
        # Redraw: choose another window in the selectbox, through the UI.
        try:
            combo = driver.find_element(By.CSS_SELECTOR, '[data-testid="stSelectbox"] input[role="combobox"]')
            combo.click()
            option = None
            deadline = time.monotonic() + 60
            while option is None and time.monotonic() < deadline:
                for element in driver.find_elements(By.CSS_SELECTOR, '[role="option"]'):
                    if element.text.strip() == "120":
                        option = element
                        break
                time.sleep(0.1)
            if option is None:
                result["status"] = "redraw not measured: the selectbox option 120 did not show"
                return result
            driver.execute_script("window.__peer.wantTitle = 'window 120'; window.__peer.redrawn = null;")
            t0 = driver.execute_script("return performance.now()")
            option.click()
        except WebDriverException as exc:
            result["status"] = error_line("redraw: selectbox", exc)
            return result
        redrawn = wait_for(driver, "return window.__peer && window.__peer.redrawn", limit, poll=0.25)
        if not redrawn:
            result["status"] = f"redraw > {limit:.0f} s"
            log(f"peer {label}: no redraw within {limit:.0f} s")
            return result
        result["redraw_ms"] = redrawn - t0
        log(f"peer {label}: redrawn {result['redraw_ms'] / 1000:.1f} s after the window changed")
        return result
    except Exception as exc:  # any other peer trouble is reported, not fatal
        result["status"] = error_line("peer", exc)
        return result
    finally:
        procs.stop(proc)
        procs.children.remove(proc)


# MARK: - Report


def fmt_ms(v):
    if v is None:
        return "–"
    return f"{v:,.0f} ms" if v < 10_000 else f"{v / 1000:,.1f} s"


def verdict(value, target):
    if value is None or target is None:
        return "–"
    return "met" if value < target else "NOT met"


def print_table(results):
    rows = []
    api = results.get("api") or []
    for item in api:
        label, target = api_target(item["url"])
        rows.append((f"API {item['url']}", f"first {item['first_ms']:.1f} ms, best {item['ms']['best']:.1f} ms, "
                     f"median {item['ms']['median']:.1f} ms, {item['bytes'] / 1000:.1f} kB", label,
                     verdict(item["ms"]["median"], target)))
        if "computed_ms" in item:
            c = item["computed_ms"]
            rows.append((f"API {item['url']}, computed (cache bypassed)", f"best {c['best']:.1f} ms, median "
                         f"{c['median']:.1f} ms", label, verdict(c["median"], target)))
    for key, redraw_key, size in (("page", "redraw", "1 s day"), ("page_1m", "redraw_1m", "1 m sample")):
        for tab, page in (results.get(key) or {}).items():
            d, kb = page["drawn_ms"], page["transfer_kb"]
            rows.append((f"page {tab} ({size}): charts drawn after navigation start",
                         f"median {fmt_ms(d['median'])}, best {fmt_ms(d['best'])}, first load {fmt_ms(page['first_drawn_ms'])}",
                         "< 500 ms", verdict(d["median"], 500)))
            rows.append((f"page {tab} ({size}): bytes transferred, cold cache",
                         f"median {kb['median']:.0f} kB (by the drawn mark {page['transfer_at_drawn_kb']['median']:.0f} kB)",
                         "< 500 KB", verdict(kb["median"], 500)))
        for name, r in (results.get(redraw_key) or {}).items():
            rows.append((f"redraw {name} ({size})",
                         f"median {fmt_ms(r['from_action_ms']['median'])} from the change "
                         f"(best {fmt_ms(r['from_action_ms']['best'])}); page measure {fmt_ms(r['measure_ms']['median'])}",
                         "< 100 ms", verdict(r["from_action_ms"]["median"], 100)))
    live = results.get("live") or {}
    if (live.get("status") or "").startswith("measured"):
        p = live["per_trade_ms"]
        rows.append((f"live trade → chart ({live['trades_sent']:,} trades at {live['rate_per_s']:,.0f}/s, {live['timeframe']})",
                     f"p50 {fmt_ms(p['p50'])}, p99 {fmt_ms(p['p99'])} ({live['chart_updates']} chart updates, "
                     f"{live['unmatched_updates']} unmatched, {live['trades_never_drawn']} trades never drawn)", "p99 < 250 ms", verdict(p["p99"], 250)))
    else:
        rows.append(("live trade → chart", live.get("status", "not run"), "p99 < 250 ms", "–"))
    fanout = results.get("fanout") or {}
    if (fanout.get("status") or "").startswith("measured"):
        r = fanout["receive_to_commit_ms"]
        rows.append((f"receive → commit, {fanout['pages']} pages on the event stream, {fanout['rate_per_s']:,.0f} trades/s",
                     f"p50 {fmt_ms(r['p50'])}, p99 {fmt_ms(r['p99'])} ({(fanout['share_within_50_ms'] or 0) * 100:.2f} % "
                     f"within 50 ms; {fanout['trades_committed']:,.0f} trades)", "p99 < 50 ms", verdict(r["p99"], 50)))
    else:
        rows.append(("receive → commit with 50 pages", fanout.get("status", "not run"), "p99 < 50 ms", "–"))
    for label, peer in (results.get("peer") or {}).items():
        rows.append((f"peer Streamlit+Plotly {label}: drawn",
                     fmt_ms(peer["drawn_ms"]) if peer["drawn_ms"] is not None else peer["status"], "", ""))
        rows.append((f"peer Streamlit+Plotly {label}: redraw after window change",
                     fmt_ms(peer["redraw_ms"]) if peer["redraw_ms"] is not None else peer["status"], "", ""))
    for name, ratio in (results.get("ratios") or {}).items():
        text = ratio["text"]
        rows.append((f"ratio {name}", text, "≥ 100×", "met" if ratio.get("value") and ratio["value"] >= 100 else
                     ("NOT met" if ratio.get("value") else "–")))
    width = max(len(r[0]) for r in rows)
    bars = (results.get("data") or {}).get("day", {}).get("bars_1s") or {}
    counts = ", ".join(f"{s} {v['bars']:,}" for s, v in bars.items())
    print(f"\n== dashboard bench ({results['build']}; 1 s day: {counts} bars; load {results['machine']['load_before'][0]:.1f}"
          f" → {results['machine'].get('load_after', [0])[0]:.1f} on {results['machine']['cpus']} CPUs)")
    for name, value, target, ok in rows:
        print(f"{name:<{width}}  {value}  {target}  {ok}".rstrip())


def ratio(peer_ms, pairbook_ms, peer_status, limit_s, what):
    if pairbook_ms is None:
        return {"value": None, "text": "–"}
    if peer_ms is None:
        if peer_status and peer_status.startswith(">"):
            lower = limit_s * 1000 / pairbook_ms
            return {"value": lower, "text": f"> {lower:,.0f}× (peer > {limit_s:.0f} s limit) {what}"}
        return {"value": None, "text": f"– (peer: {peer_status})"}
    value = peer_ms / pairbook_ms
    return {"value": value, "text": f"{value:,.0f}× ({fmt_ms(peer_ms)} / {fmt_ms(pairbook_ms)}) {what}"}


# MARK: - Main


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairbook", default=".build/release/pairbook", help="pairbook binary (default: %(default)s)")
    parser.add_argument("--json", default="output/bench/dashboard.json", help="results file (default: %(default)s)")
    parser.add_argument("--work", help="work folder (default: a temporary folder, removed afterwards)")
    parser.add_argument("--date", default="2024-07-18", help="day that `pairbook demo` simulates")
    parser.add_argument("--repeat", type=int, default=5, help="page loads, redraws and API calls each (default 5)")
    parser.add_argument("--page-limit", type=float, default=180, help="seconds a pairbook page may take to draw")
    parser.add_argument("--peer-limit", type=float, default=600, help="seconds the peer may take (default 600)")
    parser.add_argument("--reuse-data", action="store_true",
                        help="with --work: keep the databases a previous run left there")
    parser.add_argument("--parts", default="pages,live,fanout,peer",
                        help="comma-separated: pages (API, page loads, redraws), live, fanout, peer (default: all)")
    parser.add_argument("--live-rate", type=float, default=2000, help="replayed trades per second (default 2000)")
    parser.add_argument("--live-seconds", type=float, default=20, help="measured seconds of live replay")
    parser.add_argument("--live-warmup", type=float, default=4, help="seconds of replay before the page opens")
    parser.add_argument("--live-timeframe", default="1s", choices=["1s", "1m"])
    parser.add_argument("--fanout-pages", type=int, default=50, help="event streams open in the fan-out part")
    parser.add_argument("--fanout-rate", type=float, default=20000, help="replayed trades per second in the fan-out part")
    parser.add_argument("--fanout-seconds", type=float, default=20, help="measured seconds of the fan-out part")
    parser.add_argument("--replay", help="pairbook-bench binary: its `replay` serves the fan-out part's stream "
                                         "(default: the Python replay server, which tops out near 14,000 trades/s)")
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}

    pairbook = Path(args.pairbook).resolve()
    if not os.access(pairbook, os.X_OK):
        log(f"error: no pairbook binary at {pairbook} (build it, or pass --pairbook)")
        return 2
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not os.access(tool, os.X_OK):
            log(f"error: {tool} missing (apt-get install chromium chromium-driver)")
            return 2
    build = "release build" if "/release/" in str(pairbook) else ("debug build" if "/debug/" in str(pairbook)
                                                                  else f"binary {pairbook}")
    results = {"build": build, "pairbook": str(pairbook), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg(), "python": platform.python_version()},
               "versions": {}, "errors": []}
    phase_load = results["machine"]["load_by_phase"] = {}
    try:
        import selenium
        results["versions"]["selenium"] = selenium.__version__
        results["versions"]["chromium"] = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                                         timeout=30).stdout.strip()
    except Exception as exc:
        log(error_line("selenium", exc) + " (pip install -r scripts/bench/requirements-dashboard.txt)")
        return 2

    # make (or anyone) stopping the bench with SIGTERM: unwind through `finally`, which stops every child.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(args.work).resolve() if args.work else Path(tempfile.mkdtemp(prefix="pairbook-dashboard-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    procs = Processes()
    driver = None
    status = 0
    try:
        data = make_data(args, work, pairbook)
        results["data"] = {
            "day": {"db": str(data["day"]), "demo_s": data["demo_s"], "bars_1s": bar_counts(data["day"], "1s")},
            "sample": {"db": str(data["sample"]), "import_s": data["import_s"],
                       "bars_1m": bar_counts(data["sample"], "1m") if data["sample"] else None},
        }
        driver = make_browser(max(args.peer_limit, args.page_limit) + 120)

        if "pages" in parts:
            # pairbook serve over the day of 1 s bars
            port = free_port()
            serve = procs.start([pairbook, "serve", "--db", data["day"], "--listen", f"127.0.0.1:{port}",
                                 "--reports", REPO / "Reports", "--out", work / "serve-out",
                                 "--templates", REPO / "templates"], work / "serve.log", cwd=work)
            base = f"http://127.0.0.1:{port}"
            wait_http(serve, base + "/", 120, "pairbook serve")
            phase_load["page 1s"] = os.getloadavg()[0]
            results["page"] = bench_pages(driver, base, "1s", "24h", args.repeat, args.page_limit)
            phase_load["redraw 1s"] = os.getloadavg()[0]
            results["redraw"] = bench_redraws(driver, base, "1s", "24h", args.repeat, args.page_limit)
            urls = sorted({u for page in results["page"].values() for u in page["api_urls"]
                           if not u.startswith("/api/events")})
            for url in default_api_urls("1s", "24h"):
                if not any(u.split("?")[0] == url.split("?")[0] for u in urls):
                    urls.append(url)
            phase_load["api"] = os.getloadavg()[0]
            results["api"] = bench_api("127.0.0.1", port, urls, args.repeat)
            if serve.poll() is not None:
                raise PairbookFailure(f"pairbook serve exited: {log_tail(serve)}")

            # pairbook on the 1 m sample (the peer's second size), one cold load of each tab
            if data["sample"]:
                port_1m = free_port()
                serve_1m = procs.start([pairbook, "serve", "--db", data["sample"], "--listen", f"127.0.0.1:{port_1m}",
                                        "--reports", REPO / "Reports", "--out", work / "serve-1m-out",
                                        "--templates", REPO / "templates"], work / "serve-1m.log", cwd=work)
                wait_http(serve_1m, f"http://127.0.0.1:{port_1m}/", 120, "pairbook serve (1 m sample)")
                phase_load["page 1m"] = os.getloadavg()[0]
                results["page_1m"] = bench_pages(driver, f"http://127.0.0.1:{port_1m}", "1m", "3d", args.repeat,
                                                 args.page_limit)
                phase_load["redraw 1m"] = os.getloadavg()[0]
                results["redraw_1m"] = bench_redraws(driver, f"http://127.0.0.1:{port_1m}", "1m", "3d", args.repeat,
                                                     args.page_limit)
                procs.stop(serve_1m)
                procs.children.remove(serve_1m)

        if "live" in parts:
            try:
                phase_load["live"] = os.getloadavg()[0]
                results["live"] = bench_live(args, work, pairbook, procs, driver, data["shared"], args.live_timeframe)
            except PairbookFailure:
                raise
            except Exception as exc:
                results["live"] = {"status": f"not measured: {error_line('live', exc)}"}
                results["errors"].append(results["live"]["status"])
                log(results["live"]["status"])
        else:
            results["live"] = {"status": "not run (--parts)"}

        if "fanout" in parts:
            try:
                phase_load["fanout"] = os.getloadavg()[0]
                results["fanout"] = bench_fanout(args, work, pairbook, procs, data["shared"])
            except PairbookFailure:
                raise
            except Exception as exc:
                results["fanout"] = {"status": f"not measured: {error_line('fanout', exc)}"}
                results["errors"].append(results["fanout"]["status"])
                log(results["fanout"]["status"])
        else:
            results["fanout"] = {"status": "not run (--parts)"}

        results["peer"] = {}
        if "peer" in parts:
            try:
                import streamlit  # noqa: F401
                import plotly  # noqa: F401
                results["versions"]["streamlit"] = streamlit.__version__
                results["versions"]["plotly"] = plotly.__version__
            except ImportError as exc:
                results["peer"]["1s day"] = {"status": error_line("import", exc), "drawn_ms": None, "redraw_ms": None}
            else:
                phase_load["peer 1s"] = os.getloadavg()[0]
                results["peer"]["1s day"] = peer_run(args, work, procs, driver, data["day"], "1s", 86_400_000, "1s-day")
                if data["sample"]:
                    phase_load["peer 1m"] = os.getloadavg()[0]
                    results["peer"]["1m sample"] = peer_run(args, work, procs, driver, data["sample"], "1m",
                                                            3 * 86_400_000, "1m-sample")

        # Ratios: the peer draws both legs' candles, the spread and the z-score on one page, as pairbook's
        # Overview does (candles and volume of both legs, spread with its rolling mean, z-score): page against
        # page. Also against both of pairbook's pages together (the Analytics tab adds bands, correlation,
        # hedge ratio, the statistics and the heatmap, which the peer does not draw). Redraw: the window change
        # on the Analytics tab, from the change.
        results["ratios"] = {}
        for label, page_key, redraw_key in (("1s day", "page", "redraw"), ("1m sample", "page_1m", "redraw_1m")):
            peer = results["peer"].get(label)
            page = results.get(page_key)
            if not peer or not page:
                continue
            overview = page["overview"]["drawn_ms"]["median"]
            results["ratios"][f"drawn, {label}"] = ratio(peer["drawn_ms"], overview, peer["status"], args.peer_limit,
                                                         "(pairbook: the Overview's median)")
            both = overview + page["analytics"]["drawn_ms"]["median"]
            results["ratios"][f"drawn, {label}, Overview + Analytics"] = ratio(
                peer["drawn_ms"], both, peer["status"], args.peer_limit, "(pairbook: Overview + Analytics medians)")
            window = results[redraw_key]["analytics: window changed"]
            results["ratios"][f"redraw after window change, {label}"] = ratio(
                peer["redraw_ms"], window["from_action_ms"]["median"], peer["status"], args.peer_limit,
                "(pairbook: from the change event; median)")
            results["ratios"][f"redraw after window change, {label}, page measure"] = ratio(
                peer["redraw_ms"], window["measure_ms"]["median"], peer["status"], args.peer_limit,
                "(pairbook: its pairbook-redraw measure; median)")
    except PairbookFailure as exc:
        status = 1
        results["errors"].append(f"pairbook failure: {exc}")
        log(f"error: pairbook failure: {exc}")
    except Exception as exc:
        status = 1
        results["errors"].append(error_line("bench", exc))
        log(f"error: {error_line('bench', exc)}")
        traceback.print_exc()
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception as exc:
                log(error_line("closing the browser", exc))
        procs.stop_all()
        results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        results["machine"]["load_after"] = os.getloadavg()
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2, default=str) + "\n")
        try:
            print_table(results)
        except Exception as exc:
            log(error_line("table", exc))
        print(f"results: {out}")
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
