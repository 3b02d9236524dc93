"""The async fixtures of `licensemanager_sdk.testing`."""

from __future__ import annotations

import pytest

from licensemanager_sdk import AsyncLicenseManager
from licensemanager_sdk.testing import (  # fixtures, used by name
    SELLER_ACCOUNT,
    async_license_manager_client,  # noqa: F401
    async_lm_seller,  # noqa: F401
    local_license_manager,  # noqa: F401
)


@pytest.mark.asyncio
async def test_async_seller_is_open_and_answers(async_lm_seller: AsyncLicenseManager) -> None:  # noqa: F811
    assert (await async_lm_seller.api.list_licenses()).licenses == []
    assert async_lm_seller.aiobotocore_client.meta.region_name == "us-east-1"
    assert SELLER_ACCOUNT == "111111111111"
