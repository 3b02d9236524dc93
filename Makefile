# Every target bootstraps .venv from requirements-dev.txt when it is missing or stale.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv bytecode test test-lowest fuzz check lint typecheck codegen-check generate fmt bench demo clean awscli-venv js-deps bench-tools

venv: $(STAMP)

$(STAMP): requirements-dev.txt requirements-test.txt requirements-docs.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-docs.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## The package's bytecode, compiled as pip compiles an installed wheel's. An editable install has none, and with
## PYTHONDONTWRITEBYTECODE set (as in this machine's environment) every new process would compile each module it
## imports again (about 50 ms of a cold start or an `lmsdk` run). Incremental: only changed modules are recompiled.
bytecode: $(STAMP)
	$(PY) -m compileall -q licensemanager_sdk

## The full gate: codegen drift, ruff, mypy --strict, the strict docs build, the test suite, then the suite again
## on the lowest declared dependency versions.
test: check docs awscli-venv js-deps bytecode
	$(PY) -m pytest -n 2 -q
	$(MAKE) test-lowest

## The test suite on the LOWEST versions pyproject.toml allows for every runtime dependency (and the cli extra),
## in a virtualenv of its own: proves the `>=` floors (docs/dependencies.md).
LOWEST := .venv-lowest
LOWEST_STAMP := $(LOWEST)/.installed

test-lowest: $(LOWEST_STAMP) awscli-venv js-deps
	$(LOWEST)/bin/python -m pytest -n 2 -q

$(LOWEST_STAMP): pyproject.toml requirements-test.txt scripts/lowest_requirements.py
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(PYTHON) scripts/lowest_requirements.py cli async > $(LOWEST)/requirements-lowest.txt
	$(LOWEST)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r $(LOWEST)/requirements-lowest.txt -r requirements-test.txt
	$(LOWEST)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(LOWEST_STAMP)

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

bench: bytecode bench-tools
	$(PY) -m benchmarks

demo: bytecode
	$(PY) examples/demo.py

.PHONY: docs

## The documentation site (guides + API reference, see mkdocs.yml) into site/. Strict: a broken link, anchor or
## cross-reference fails the build. NO_MKDOCS_2_WARNING silences mkdocs-material's end-of-life banner.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

clean:
	rm -rf $(VENV) .venv-awscli $(JS_DIR)/node_modules $(LOWEST) .mypy_cache .ruff_cache .pytest_cache dist build site

## The AWS CLI pins its own botocore, so tests/local/awscli runs it from a separate virtualenv.
AWSCLI_VERSION := 1.46.2
AWSCLI_STAMP := .venv-awscli/.awscli-$(AWSCLI_VERSION)

awscli-venv: $(AWSCLI_STAMP)

$(AWSCLI_STAMP):
	rm -rf .venv-awscli
	$(PYTHON) -m venv .venv-awscli
	.venv-awscli/bin/pip install --quiet --disable-pip-version-check awscli==$(AWSCLI_VERSION)
	touch $(AWSCLI_STAMP)

## The AWS SDK for JavaScript v3 of tests/local/js (flow.mjs), exactly as its package-lock.json pins it.
JS_DIR := tests/local/js
JS_STAMP := $(JS_DIR)/node_modules/.installed

js-deps: $(JS_STAMP)

$(JS_STAMP): $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	cd $(JS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $(JS_STAMP)

## The HTTP load generator of benchmarks/http_load.py (Debian's wrk); the package index is updated first on a fresh machine.
bench-tools:
	command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
