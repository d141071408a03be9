# pairbook — the two set-up commands are `make demo` and `make test`.
SWIFT      ?= swift
BIN        := .build/debug/pairbook
RELEASE    := .build/release
PYTHON     ?= python3
BENCH_AREAS ?= import analytics charts report collector soak postgres postgres-collectors dashboard

.PHONY: all deps build demo test test-deps bench fixtures python-deps clean

all: build

## Install missing Debian packages (apt-get as root; otherwise prints the command).
deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build --product pairbook

## Simulate a day of a BTCUSDT/ETHUSDT pair, store it, and render the shipped reports into output/.
demo: build
	@mkdir -p output
	$(BIN) demo --db output/demo.sqlite

## Build and run every test (Swift Testing), in one parallel run. Network tests use 127.0.0.1 only; the SMTP
## delivery tests talk to a real SMTP server (Python aiosmtpd, installed here from PyPI) that they start themselves, and
## the Redis tests to real redis-server processes they start (and kill) on free ports.
## The live collector's supervision runs on a manual clock in its tests, and tests that wait for a server, a child
## process or a command wait for what they expect (with generous time limits), so CPU load only makes them slower.
## Then the dashboard in a real browser (Debian's chromium + chromedriver, selenium from PyPI, Tests/browser) and
## schemathesis against its OpenAPI document (no answer may be a 5xx), both against a real `pairbook serve`.
test: export PAIRBOOK_PROMTOOL_REQUIRED := 1
test: export PAIRBOOK_CLI_REQUIRED := 1
test: export PAIRBOOK_POSTGRES_REQUIRED := 1
test: export PAIRBOOK_REDIS_REQUIRED := 1
test: deps test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest
	PAIRBOOK_BROWSER_REQUIRED=1 $(PYTHON) -m pytest -q -p no:cacheprovider Tests/browser
	@bash scripts/api-fuzz.sh $(BIN)

## Test-only packages: the browser and its driver, promtool (Debian's prometheus, to lint /metrics), PostgreSQL 15 (the
## PostgreSQL store's tests start a throwaway cluster: scripts/pg-test-server.sh), redis-server (the Redis tests start
## and kill their own), aiosmtpd, selenium, pytest, schemathesis (PyPI).
test-deps:
	@bash scripts/install-deps.sh chromium chromium-driver prometheus postgresql-15 redis-server
	@$(PYTHON) -c "import aiosmtpd, selenium, pytest, schemathesis" 2>/dev/null || \
	    $(PYTHON) -m pip install -q --disable-pip-version-check -r Tests/browser/requirements.txt aiosmtpd==1.4.6 schemathesis==4.32.5

## Python packages for fixtures and benchmark comparisons (PyPI).
python-deps:
	$(PYTHON) -m pip install -q -r scripts/requirements.txt

## Regenerate the committed oracle fixtures from pandas/statsmodels.
fixtures: python-deps
	@for f in scripts/fixtures/*.py; do echo "== $$f"; $(PYTHON) $$f || exit 1; done

## Release-build benchmarks, each against its Python equivalent in the same run (see BENCHMARKS.md).
## `postgres` and `postgres-collectors` start their own PostgreSQL 15 (Debian's postgresql-15, installed here).
## `dashboard` (scripts/bench/dashboard.py): the live dashboard in headless Chromium (Debian's chromium +
## chromedriver, selenium from PyPI) against a Streamlit + Plotly peer page; results in output/bench/dashboard.json.
bench: deps python-deps
	$(SWIFT) build -c release --product pairbook-bench
	$(SWIFT) build -c release --product pairbook
	@if [ -n "$(filter postgres%,$(BENCH_AREAS))" ]; then bash scripts/install-deps.sh postgresql-15; fi
	@for area in $(filter-out dashboard,$(BENCH_AREAS)); do \
	    if $(RELEASE)/pairbook-bench help $$area >/dev/null 2>&1; then \
	        echo "== pairbook-bench $$area"; $(RELEASE)/pairbook-bench $$area || exit 1; \
	    fi; \
	done
	@if [ -n "$(filter dashboard,$(BENCH_AREAS))" ]; then \
	    bash scripts/install-deps.sh chromium chromium-driver && \
	    $(PYTHON) -m pip install -q --disable-pip-version-check -r scripts/bench/requirements-dashboard.txt && \
	    echo "== dashboard" && $(PYTHON) scripts/bench/dashboard.py --pairbook $(RELEASE)/pairbook --replay $(RELEASE)/pairbook-bench || exit 1; \
	fi

## libFuzzer targets (Fuzz/: Binance frames, CSV rows, report scripts, cron, alert rules), built with
## -sanitize=fuzzer,address into .build-fuzz and run FUZZ_SECONDS each from seeds cut from ../shared/data.
## Fails on a crash; the exact build and run commands are in scripts/fuzz/run.sh, the results in BENCHMARKS.md.
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) PYTHON=$(PYTHON) bash scripts/fuzz/run.sh

clean:
	rm -rf .build output/*/ output/*.sqlite*
