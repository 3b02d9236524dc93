"""The high-level layer of `AsyncLicenseManager` (`lm.licenses`, `lm.grants`, `lm.entitlements`) for asyncio."""

from licensemanager_sdk.aio.entitlements import AsyncEntitlements, AsyncLease
from licensemanager_sdk.aio.grants import AsyncGrants
from licensemanager_sdk.aio.licenses import AsyncLicense, AsyncLicenses

__all__ = ["AsyncEntitlements", "AsyncGrants", "AsyncLease", "AsyncLicense", "AsyncLicenses"]
