"""Browser tests of the dashboard: a real `pairbook serve` over a database imported from the shared sample
klines, driven by Debian's chromium through the system chromedriver (nothing is downloaded).

Environment:
  PAIRBOOK_BIN          the pairbook binary (default: <repo>/.build/debug/pairbook)
  PAIRBOOK_SHARED_DATA  the shared data folder (default: <repo>/../shared/data)
  PAIRBOOK_SHOTS        where screenshots go (default: /tmp/pairbook-shots)
"""
import base64
import glob
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never try to download a driver or browser

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("PAIRBOOK_BIN", REPO / ".build" / "debug" / "pairbook"))
SHARED = Path(os.environ.get("PAIRBOOK_SHARED_DATA", REPO.parent / "shared" / "data"))
KLINES = SHARED / "binance-usdm-klines-1m-2023-01-01_03"
TRADES = SHARED / "binance-usdm-trades-2024-07-18" / "derived"
SHOTS = Path(os.environ.get("PAIRBOOK_SHOTS", "/tmp/pairbook-shots"))
CHROMEDRIVER = "/usr/bin/chromedriver"
# Waits are for events, never fixed sleeps; on a loaded machine (make test runs suites side by side) they may
# take longer: PAIRBOOK_BROWSER_SLOW (default 2) multiplies every limit.
SLOW = float(os.environ.get("PAIRBOOK_BROWSER_SLOW", "2"))

# The day the tests look at: the second of the three sample days, so every rolling window is full.
DAY_FROM = "2023-01-02T00:00:00Z"
DAY_TO = "2023-01-03T00:00:00Z"


def run(*args, **kwargs):
    """Runs pairbook; returns the completed process (check=True, text output)."""
    return subprocess.run([str(BIN), *map(str, args)], check=True, capture_output=True, text=True, timeout=300, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# MARK: - Session: binary, data, database, server


# `make test` sets PAIRBOOK_BROWSER_REQUIRED=1: there a missing binary is a failure, not a skip.
REQUIRED = os.environ.get("PAIRBOOK_BROWSER_REQUIRED") == "1"


@pytest.fixture(scope="session")
def pairbook_bin():
    give_up = pytest.fail if REQUIRED else pytest.skip
    if not BIN.exists():
        give_up(f"no pairbook binary at {BIN} (build it, or set PAIRBOOK_BIN)")
    help_text = subprocess.run([str(BIN), "serve", "--help"], capture_output=True, text=True)
    if help_text.returncode != 0:
        give_up(f"{BIN} has no serve command")
    return BIN


@pytest.fixture(scope="session")
def klines():
    files = sorted(glob.glob(str(KLINES / "*.csv")))
    if not files:
        pytest.skip(f"sample klines missing: {KLINES} (set PAIRBOOK_SHARED_DATA)")
    return files


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("dashboard")


@pytest.fixture(scope="session")
def database(pairbook_bin, klines, workdir):
    db = workdir / "pairbook.sqlite"
    run("import", "--db", db, *klines)
    return db


class Server:
    def __init__(self, url, db, out, process, log):
        self.url = url
        self.db = db
        self.out = out
        self.process = process
        self.log = log

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return response.status, response.headers, response.read()

    def json(self, path):
        return json.loads(self.get(path)[2])

    def log_text(self):
        return Path(self.log).read_text(errors="replace")


def start_server(pairbook_bin, database, folder, port=None):
    """Starts `pairbook serve` over `database` (on a free port unless given); returns once /api/symbols answers."""
    port = port or free_port()
    out = folder / "output"
    out.mkdir(exist_ok=True)
    log = folder / f"serve-{port}.log"
    args = [str(pairbook_bin), "serve", "--db", str(database), "--listen", f"127.0.0.1:{port}",
            "--reports", str(REPO / "Reports"), "--out", str(out), "--templates", str(REPO / "templates")]
    with open(log, "w") as log_file:
        process = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"pairbook serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/api/symbols", timeout=2) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.time() > deadline:
            process.kill()
            pytest.fail(f"pairbook serve did not answer /api/symbols within 60 s:\n{log.read_text()}")
        time.sleep(0.2)
    return Server(url, database, out, process, log)


def stop_server(server):
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def server(pairbook_bin, database, workdir):
    running = start_server(pairbook_bin, database, workdir)
    yield running
    stop_server(running)


# MARK: - Browser


@pytest.fixture(scope="session")
def downloads(workdir):
    folder = workdir / "downloads"
    folder.mkdir(exist_ok=True)
    return folder


def make_driver(downloads, size="1400,1000", mobile=False):
    if not Path(CHROMEDRIVER).exists() or not shutil.which("chromium"):
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={size}", "--lang=en-US", "--hide-scrollbars"]:
        options.add_argument(arg)
    if mobile:
        width, height = map(int, size.split(","))
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": True},
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
        })
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "download.directory_upgrade": True,
        "safebrowsing.enabled": True,
    })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    # Headless Chrome needs this to write downloads without asking.
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    return driver


@pytest.fixture(scope="session")
def browser(downloads):
    driver = make_driver(downloads)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


class Page:
    """The dashboard in the browser: navigation, waits and reads of what a user sees."""

    def __init__(self, driver, server):
        self.driver = driver
        self.server = server

    def open(self, query="", wait_drawn=True):
        self.driver.get(f"{self.server.url}/{'?' + query if query else ''}")
        if wait_drawn:
            self.wait_drawn()
        return self

    def wait(self, condition, timeout=30, message=""):
        timeout *= SLOW
        """Waits until `condition(driver)` is truthy; a node replaced by a re-render meanwhile is looked up again."""
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=[StaleElementReferenceException]).until(condition, message)

    def retry(self, action, attempts=5):
        """Runs `action()` again when the table it touches was re-rendered under it."""
        for attempt in range(attempts):
            try:
                return action()
            except StaleElementReferenceException:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.2)

    def wait_drawn(self, timeout=45):
        self.wait(lambda d: d.execute_script("return document.body.dataset.drawn === '1' || document.body.dataset.failed === '1'"),
                  timeout, "the page never set body[data-drawn]")
        failed = self.js("return document.body.dataset.failed === '1'")
        assert not failed, f"the page reported a failure: {self.visible_errors()}"

    def wait_redraws(self, count, timeout=45):
        self.wait(lambda d: int(d.execute_script("return document.body.dataset.redraws || '0'")) >= count, timeout,
                  f"fewer than {count} redraws")

    def redraws(self):
        return int(self.js("return document.body.dataset.redraws || '0'"))

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def by_testid(self, testid):
        return self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def all_by_testid(self, testid):
        return self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def text(self, testid):
        return self.by_testid(testid).text

    def query(self):
        return self.js("return location.search")

    def tab(self, name):
        self.by_testid(f"tab-{name}").click()
        self.wait(lambda d: d.execute_script(f"return document.getElementById('panel-{name}').dataset.drawn === '1'"), 30,
                  f"the {name} tab never drew")

    def canvases(self, chart_id):
        return self.js(f"return document.querySelectorAll('#{chart_id} canvas').length")

    def visible_errors(self):
        return self.js("return [...document.querySelectorAll('.panel-error')].filter(e => !e.hidden).map(e => e.textContent)")

    def severe_logs(self, network=True):
        """Browser console errors (without the favicon); `network=False` leaves out refused requests a test expects."""
        entries = self.driver.get_log("browser")
        return [e for e in entries if e["level"] == "SEVERE" and "favicon" not in e["message"]
                and (network or e.get("source") != "network")]

    def screenshot(self, path, full=True):
        """Saves a PNG of the whole page (or the viewport) without resizing the window."""
        if not full:
            self.driver.save_screenshot(str(path))
            return
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        Path(path).write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture
def page(browser, server):
    browser.get_log("browser")  # drop what earlier tests left
    return Page(browser, server)


@pytest.fixture
def live_server(pairbook_bin, klines, tmp_path):
    """A server of its own over a fresh import, so the trades a test adds do not move the other tests' data."""
    db = tmp_path / "live.sqlite"
    run("import", "--db", db, *klines)
    running = start_server(pairbook_bin, db, tmp_path)
    yield running
    stop_server(running)
