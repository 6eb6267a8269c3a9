# Anjian — the two commands of the quick start are `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip
PORT   ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-sqlite lint bench fuzz install install-test messages clean

$(BIN)/anjian: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -c constraints.txt -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/anjian
	$(PIP) install -q -c constraints.txt -e '.[test]'
	touch $@

install: $(BIN)/anjian
install-test: $(VENV)/.test-deps

## Create .venv, install, migrate the SQLite database under var/, load the demo district, serve.
demo: $(BIN)/anjian
	$(BIN)/anjian demo
	$(BIN)/anjian serve --port $(PORT)

## Install what tests need and run the whole suite (DATABASE_URL selects the database).
test: $(VENV)/.test-deps
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

## Fuzz the API with schemathesis against a live server, a token of each role (tests/fuzz/run.py).
fuzz: $(VENV)/.test-deps
	$(BIN)/python tests/fuzz/run.py $(FUZZ_ARGS)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check anjian bench conftest.py
	$(BIN)/anjian makemigrations --check --dry-run

## Benchmarks (see bench/README.md); figures in the README.
bench: $(VENV)/.test-deps
	$(BIN)/python bench/run.py $(BENCH_ARGS)

messages:
	for app in anjian/*/; do if [ -d $$app/locale ]; then (cd $$app && ../../$(BIN)/django-admin makemessages -l zh_Hans --settings=anjian.settings --pythonpath=../..); fi; done

clean:
	rm -rf $(VENV) var build *.egg-info
