"""Checked by mypy (`make typecheck`), never run: with the `[stubs]` extra the clients the SDK hands out are typed."""

from __future__ import annotations

from typing import Any

from mypy_boto3_iam import IAMClient
from mypy_boto3_kms import KMSClient
from mypy_boto3_license_manager import LicenseManagerClient
from mypy_boto3_sts import STSClient
from typing_extensions import assert_type

from licensemanager_sdk import LicenseManager
from licensemanager_sdk.local import LocalLicenseManager

__all__ = ["check", "check_local"]


def check(lm: LicenseManager) -> None:
    assert_type(lm.boto3_client, LicenseManagerClient)
    assert_type(lm._kms_client(), KMSClient)


def check_local(local: LocalLicenseManager) -> None:
    assert_type(local.boto3_client(), LicenseManagerClient)
    assert_type(local.boto3_client("license-manager", account="111122223333"), LicenseManagerClient)
    assert_type(local.boto3_client("kms"), KMSClient)
    assert_type(local.boto3_client("sts"), STSClient)
    assert_type(local.boto3_client("iam"), IAMClient)
    assert_type(local.boto3_client("s3"), Any)
