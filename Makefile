# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser run test test-fast lint format bench bench-quick bench-scale clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/monitor run

# The browser tests render the pages in Debian's Chromium: installed here where the machine
# lets us (root and apt-get); elsewhere those tests skip and say how to install it.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && { apt-get install -y -q chromium >/dev/null 2>&1 \
	       || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }; } \
	  || echo "no Chromium here: the browser tests will skip (apt-get install chromium)"; }

test: setup browser
	$(BIN)/python -m pytest

# The tests without those marked slow (crashes, a Dask cluster, Prefect servers): a minute or two
test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python -m bench

bench-quick: setup
	$(BIN)/python -m bench --quick

bench-scale: setup
	$(BIN)/python -m bench.scale --articles 1000000

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
