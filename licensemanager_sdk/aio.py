"""The SDK for asyncio (the `[async]` extra, on aiobotocore): the client and the classes of its high-level layer.

    from licensemanager_sdk.aio import AsyncLicenseManager

    async with AsyncLicenseManager(region_name="us-east-1") as lm:
        license = await lm.licenses.get(arn)

See docs/async.md. Importing this module needs aiobotocore.
"""

from licensemanager_sdk._aio import (
    AsyncBorrowedLease,
    AsyncCreatedToken,
    AsyncEntitlements,
    AsyncGrant,
    AsyncGrants,
    AsyncLease,
    AsyncLicense,
    AsyncLicenses,
    AsyncReceivedLicense,
    AsyncToken,
    AsyncTokens,
)
from licensemanager_sdk._async_client import AsyncLicenseManager
from licensemanager_sdk._generated._async_api import AsyncApi

__all__ = [
    "AsyncApi",
    "AsyncBorrowedLease",
    "AsyncCreatedToken",
    "AsyncEntitlements",
    "AsyncGrant",
    "AsyncGrants",
    "AsyncLease",
    "AsyncLicense",
    "AsyncLicenseManager",
    "AsyncLicenses",
    "AsyncReceivedLicense",
    "AsyncToken",
    "AsyncTokens",
]
