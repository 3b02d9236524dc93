"""Pytest fixtures for testing code that uses AWS License Manager, against `licensemanager_sdk.local`.

Opt in from a conftest.py (there is no auto-loaded entry point):

    pytest_plugins = ["licensemanager_sdk.testing"]

Fixtures: `local_license_manager`, `license_manager_client`, `lm_seller`, `lm_buyer`, `local_boto3_client`,
`local_faults`, `local_server`; with pytest-asyncio and the `[async]` extra also `async_license_manager_client`,
`async_lm_seller` (docs/async.md). See docs/testing.md.
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
)

__all__ = [
    "BUYER_ACCOUNT",
    "SELLER_ACCOUNT",
    "LocalFaults",
    "license_manager_client",
    "lm_buyer",
    "lm_seller",
    "local_boto3_client",
    "local_faults",
    "local_license_manager",
    "local_server",
]

if _util.find_spec("pytest_asyncio") and _util.find_spec("aiobotocore"):  # both optional
    from ._async_fixtures import async_license_manager_client, async_lm_seller

    __all__ += ["async_license_manager_client", "async_lm_seller"]
