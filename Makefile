# Every target bootstraps .venv from requirements-dev.txt when it is missing or stale.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test check lint typecheck codegen-check generate fmt bench demo clean

venv: $(STAMP)

$(STAMP): requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## The full gate: codegen drift, ruff, mypy --strict, then the test suite.
test: check
	$(PY) -m pytest -n 2 -q

## The gate without the tests.
check: codegen-check lint typecheck

codegen-check: $(STAMP)
	$(PY) -m codegen --check

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

## Regenerate licensemanager_sdk/types, licensemanager_sdk/_generated and tests/generated from botocore's model.
generate: $(STAMP)
	$(PY) -m codegen

fmt: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: $(STAMP)
	$(PY) -m benchmarks

demo: $(STAMP)
	$(PY) examples/demo.py

clean:
	rm -rf $(VENV) .venv-awscli .mypy_cache .ruff_cache .pytest_cache dist build
