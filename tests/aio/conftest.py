"""Async tests over the local service: an `AsyncLicenseManager` attached in process, plus a sync seller for setup."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from licensemanager_sdk import AsyncLicenseManager, LicenseManager
from licensemanager_sdk.local import LocalLicenseManager, Settings

SELLER = "111111111111"


@pytest.fixture
def local() -> Iterator[LocalLicenseManager]:
    with LocalLicenseManager(settings=Settings(reuse_rsa_keys=True)) as emulator:
        yield emulator


@pytest.fixture
def seller(local: LocalLicenseManager) -> LicenseManager:
    return local.client(account=SELLER)


@pytest_asyncio.fixture
async def alm(local: LocalLicenseManager) -> AsyncIterator[AsyncLicenseManager]:
    async with local.aio_client(account=SELLER) as lm:
        yield lm
