"""`with_options` copies go through the constructor, share the boto3 client and keep how it was made."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from licensemanager_sdk import ClientConfig, LicenseManager, RetryConfig
from tests._wire import CannedWire


def test_with_options_builds_the_copy_through_the_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    lm = LicenseManager(region_name="us-east-1", endpoint_url="http://localhost.invalid")
    constructed: list[LicenseManager] = []
    init = LicenseManager.__init__

    def spy(self: LicenseManager, **kwargs: Any) -> None:
        constructed.append(self)
        init(self, **kwargs)

    monkeypatch.setattr(LicenseManager, "__init__", spy)
    patient = lm.with_options(retry=RetryConfig(max_attempts=9))
    assert constructed == [patient]


def test_a_copy_shares_the_boto3_client_and_changes_only_what_was_asked() -> None:
    session = boto3.Session(region_name="us-east-1")
    lm = LicenseManager(session=session, endpoint_url="http://localhost.invalid", config=ClientConfig(read_timeout=7))
    copy = lm.with_options(retry=RetryConfig(max_attempts=9), follow_redirects=True)
    assert copy is not lm and copy.boto3_client is lm.boto3_client
    assert copy.config.retry.max_attempts == 9 and copy.config.follow_redirects
    assert copy.config.read_timeout == 7 and not lm.config.follow_redirects
    assert lm.with_options().config == lm.config
    kms = copy._kms_client()  # the neighbour client is built from the same session and endpoint
    assert kms.meta.endpoint_url == "http://localhost.invalid" and kms.meta.region_name == "us-east-1"


def test_a_copy_of_an_sdk_built_client_keeps_the_fast_path() -> None:
    copy = LicenseManager(region_name="us-east-1", endpoint_url="http://localhost.invalid").with_options()
    # botocore's parser drops members its model does not know; only the fast parser keeps them.
    CannedWire().attach(copy.boto3_client).ok(b'{"License": {"LicenseArn": "arn:x", "Unknown": 1}}')
    license_data = copy.api.get_license(license_arn="arn:x").license
    assert license_data is not None and license_data.model_extra == {"Unknown": 1}


def test_a_copy_of_a_handed_in_client_keeps_botocore_parsing() -> None:
    plain = boto3.client("license-manager", region_name="us-east-1", endpoint_url="http://localhost.invalid")
    copy = LicenseManager(boto3_client=plain).with_options(retry=RetryConfig(max_attempts=2))
    CannedWire().attach(plain).ok(b'{"License": {"LicenseArn": "arn:x", "Unknown": 1}}')
    license_data = copy.api.get_license(license_arn="arn:x").license
    assert license_data is not None and license_data.model_extra == {}
