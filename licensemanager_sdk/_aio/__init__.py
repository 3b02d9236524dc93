"""The high-level layer of `AsyncLicenseManager` (`lm.licenses`, `lm.grants`, `lm.entitlements`) for asyncio."""

from licensemanager_sdk._aio.entitlements import AsyncEntitlements
from licensemanager_sdk._aio.grants import AsyncGrants
from licensemanager_sdk._aio.lease import AsyncBorrowedLease, AsyncLease
from licensemanager_sdk._aio.licenses import AsyncLicense, AsyncLicenses

__all__ = ["AsyncBorrowedLease", "AsyncEntitlements", "AsyncGrants", "AsyncLease", "AsyncLicense", "AsyncLicenses"]
