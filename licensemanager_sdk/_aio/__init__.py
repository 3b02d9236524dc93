"""The high-level layer of `AsyncLicenseManager` for asyncio: `lm.licenses`, `lm.grants`, `lm.tokens`,
`lm.entitlements`."""

from licensemanager_sdk._aio.entitlements import AsyncEntitlements
from licensemanager_sdk._aio.grants import AsyncGrant, AsyncGrants
from licensemanager_sdk._aio.lease import AsyncBorrowedLease, AsyncLease
from licensemanager_sdk._aio.licenses import AsyncLicense, AsyncLicenses, AsyncReceivedLicense
from licensemanager_sdk._aio.tokens import AsyncCreatedToken, AsyncToken, AsyncTokens

__all__ = [
    "AsyncBorrowedLease",
    "AsyncCreatedToken",
    "AsyncEntitlements",
    "AsyncGrant",
    "AsyncGrants",
    "AsyncLease",
    "AsyncLicense",
    "AsyncLicenses",
    "AsyncReceivedLicense",
    "AsyncToken",
    "AsyncTokens",
]
