# kequn — the two commands a new user needs: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench clean browser-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,spark]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kequn demo --workspace demo-workspace

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium (browser tests fail when CI=true)"; }

unit: $(STAMP) browser-deps
	$(BIN)/pytest -q -n 2

test: lint typecheck unit

# The benchmark targets of issues 2 and 3 (about 30 minutes on 2 cores; ~30 GB free disk in $$TMPDIR).
bench: $(STAMP)
	$(BIN)/python bench/bench_generate.py --customers 1000000 --days 90
	$(BIN)/python bench/bench_ingest.py --rows 30000000
	$(BIN)/python bench/bench_identity.py --customers 1000000
	$(BIN)/python bench/bench_daily.py --customers 1000000 --days 90 --workspace $${TMPDIR:-/tmp}/kequn-bench-daily
	$(BIN)/python bench/bench_audience.py --customers 1000000 --customers 10000000

clean:
	rm -rf $(VENV) demo-workspace .pytest_cache .mypy_cache .ruff_cache
