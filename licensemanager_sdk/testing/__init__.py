"""Pytest fixtures for testing code that uses AWS License Manager, against `licensemanager_sdk.local`.

Opt in from a conftest.py (there is no auto-loaded entry point):

    pytest_plugins = ["licensemanager_sdk.testing"]

Fixtures: `local_license_manager`, `license_manager_client`, `lm_seller`, `lm_buyer`, `local_boto3_client`,
`local_faults`, `local_server`, `mock_license_manager`; with pytest-asyncio and the `[async]` extra also
`async_license_manager_client`, `async_lm_seller` (docs/async.md). `mock_license_manager()` is also a context manager
and a decorator, alone or with moto's `mock_aws`. See docs/testing.md.
"""

import importlib.util as _util

from ._faults import LocalFaults
from ._fixtures import (
    BUYER_ACCOUNT,
    SELLER_ACCOUNT,
    license_manager_client,
    lm_buyer,
    lm_seller,
    local_boto3_client,
    local_faults,
    local_license_manager,
    local_server,
    mock_license_manager_fixture,
)
from ._marketplace import MARKETPLACE_FINGERPRINT, marketplace_license
from ._mock import MockLicenseManager, mock_license_manager

__all__ = [
    "BUYER_ACCOUNT",
    "MARKETPLACE_FINGERPRINT",
    "SELLER_ACCOUNT",
    "LocalFaults",
    "MockLicenseManager",
    "license_manager_client",
    "lm_buyer",
    "lm_seller",
    "local_boto3_client",
    "local_faults",
    "local_license_manager",
    "local_server",
    "marketplace_license",
    "mock_license_manager",
    "mock_license_manager_fixture",
]

if _util.find_spec("pytest_asyncio") and _util.find_spec("aiobotocore"):  # both optional
    from ._async_fixtures import async_license_manager_client, async_lm_seller

    __all__ += ["async_license_manager_client", "async_lm_seller"]
