"""Pytest fixtures for testing code that uses AWS License Manager, against `licensemanager_sdk.local`.

Opt in from a conftest.py (there is no auto-loaded entry point):

    pytest_plugins = ["licensemanager_sdk.testing"]

Fixtures: `local_license_manager`, `license_manager_client`, `lm_seller`, `lm_buyer`, `local_boto3_client`,
`local_faults`, `local_server`. See docs/testing.md.
"""

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
from ._marketplace import MARKETPLACE_FINGERPRINT, marketplace_license

__all__ = [
    "BUYER_ACCOUNT",
    "MARKETPLACE_FINGERPRINT",
    "SELLER_ACCOUNT",
    "LocalFaults",
    "license_manager_client",
    "lm_buyer",
    "lm_seller",
    "local_boto3_client",
    "local_faults",
    "local_license_manager",
    "local_server",
    "marketplace_license",
]
