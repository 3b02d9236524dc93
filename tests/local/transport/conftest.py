"""Fixtures of the transport tests: one real engine per test, reached in process and over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from licensemanager_sdk.local import LocalLicenseManager, LocalServer, Settings


@pytest.fixture
def emulator() -> Iterator[LocalLicenseManager]:
    with LocalLicenseManager(settings=Settings(reuse_rsa_keys=True)) as local:
        yield local


@pytest.fixture
def server(emulator: LocalLicenseManager) -> Iterator[LocalServer]:
    with emulator.serve() as running:
        yield running
