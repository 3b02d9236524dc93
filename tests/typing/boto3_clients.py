"""Checked by mypy (`make typecheck`), never run: with the `[stubs]` extra the clients the SDK hands out are typed."""

from __future__ import annotations

from mypy_boto3_kms import KMSClient
from mypy_boto3_license_manager import LicenseManagerClient
from typing_extensions import assert_type

from licensemanager_sdk import LicenseManager

__all__ = ["check"]


def check(lm: LicenseManager) -> None:
    assert_type(lm.boto3_client, LicenseManagerClient)
    assert_type(lm._kms_client(), KMSClient)
