"""Fixtures of the hardening tests: one emulator per test, and an HTTP server over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from licensemanager_sdk.local import LocalLicenseManager, LocalServer, Settings


@pytest.fixture
def local() -> Iterator[LocalLicenseManager]:
    with LocalLicenseManager(settings=Settings(reuse_rsa_keys=True)) as emulator:
        yield emulator


@pytest.fixture
def server(local: LocalLicenseManager) -> Iterator[LocalServer]:
    with local.serve() as running:
        yield running
