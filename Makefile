# Every target bootstraps .venv from requirements-dev.txt when it is missing or stale.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test fuzz check lint typecheck codegen-check generate fmt bench demo clean awscli-venv bench-tools

venv: $(STAMP)

$(STAMP): requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## The full gate: codegen drift, ruff, mypy --strict, then the test suite.
test: check awscli-venv
	$(PY) -m pytest -n 2 -q

## The fuzz suite at length (HYPOTHESIS_PROFILE=fuzz: hundreds of examples per operation; minutes).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q -p no:cacheprovider tests/local/fuzz

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

bench: $(STAMP) bench-tools
	$(PY) -m benchmarks

demo: $(STAMP)
	$(PY) examples/demo.py

clean:
	rm -rf $(VENV) .venv-awscli .mypy_cache .ruff_cache .pytest_cache dist build

## The AWS CLI pins its own botocore, so tests/local/awscli runs it from a separate virtualenv.
AWSCLI_VERSION := 1.46.2
AWSCLI_STAMP := .venv-awscli/.awscli-$(AWSCLI_VERSION)

awscli-venv: $(AWSCLI_STAMP)

$(AWSCLI_STAMP):
	rm -rf .venv-awscli
	$(PYTHON) -m venv .venv-awscli
	.venv-awscli/bin/pip install --quiet --disable-pip-version-check awscli==$(AWSCLI_VERSION)
	touch $(AWSCLI_STAMP)

## The HTTP load generator of benchmarks/http_load.py (Debian's wrk).
bench-tools:
	command -v wrk >/dev/null || apt-get install -y wrk
