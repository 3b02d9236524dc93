"""Async fixtures of `licensemanager_sdk.testing` (need pytest-asyncio and the `[async]` extra)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest_asyncio

from .._async_client import AsyncLicenseManager
from ..local import LocalLicenseManager
from ._fixtures import SELLER_ACCOUNT

__all__ = ["async_license_manager_client", "async_lm_seller"]


@pytest_asyncio.fixture
async def async_license_manager_client(
    local_license_manager: LocalLicenseManager,
) -> AsyncIterator[Callable[..., Awaitable[AsyncLicenseManager]]]:
    """Make open `AsyncLicenseManager`s on the local service (`await make(account=...)`); closed at teardown."""
    opened: list[AsyncLicenseManager] = []

    async def make(account: str = "123456789012", region: str | None = None) -> AsyncLicenseManager:
        lm = await local_license_manager.aio_client(account=account, region=region).__aenter__()
        opened.append(lm)
        return lm

    yield make
    for lm in opened:
        await lm.close()


@pytest_asyncio.fixture
async def async_lm_seller(
    async_license_manager_client: Callable[..., Awaitable[AsyncLicenseManager]],
) -> AsyncLicenseManager:
    """An open `AsyncLicenseManager` acting as `SELLER_ACCOUNT`."""
    return await async_license_manager_client(SELLER_ACCOUNT)
