# make demo  — run a whole month on the embedded demo county
# make test  — run the test suite (PostgreSQL tests run where ACTIVITY_DAY_TEST_POSTGRES_URL is set)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Tools the tests run whose dependencies clash with the project's (openapi-python-client wants an older typer).
TOOLS  := .venv-tools
TOOLS_STAMP := $(TOOLS)/.installed-stamp

# Prefect's temporary server must not try to phone home from an offline machine.
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

.PHONY: install demo test e2e lint bench clean lock

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit("activity-day needs Python 3.11 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

$(TOOLS_STAMP): Makefile
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet 'openapi-python-client==0.29.1'
	touch $(TOOLS_STAMP)

install: $(STAMP) $(TOOLS_STAMP)

demo: $(STAMP)
	$(BIN)/activity-day demo --out demo

# The suite on every core, at most four workers (TEST_WORKERS=0 runs it in one process).
TEST_WORKERS ?= auto
test: $(STAMP) $(TOOLS_STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadgroup --durations 25

e2e: $(STAMP)
	$(BIN)/python ops/e2e_month.py

bench: $(STAMP)
	$(BIN)/python bench/bench.py cycle
	$(BIN)/python bench/bench.py province-cycle --counties 10,30,100
	$(BIN)/python bench/bench.py province --counties 10,30,100

# Re-resolve the newest versions pyproject.toml allows and record them in constraints.txt.
lock:
	rm -rf /tmp/activity-day-lock && $(PYTHON) -m venv /tmp/activity-day-lock
	/tmp/activity-day-lock/bin/python -m pip install --quiet --upgrade pip
	/tmp/activity-day-lock/bin/python -m pip install --quiet -e '.[dev]'
	{ head -n 2 constraints.txt; /tmp/activity-day-lock/bin/python -m pip freeze --all --exclude-editable | grep -v "^pip==" | grep -v '^-e'; } > constraints.tmp && mv constraints.tmp constraints.txt

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(TOOLS) var out demo .pytest_cache
