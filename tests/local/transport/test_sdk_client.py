"""`LocalLicenseManager.client()`: the SDK's LicenseManager on the emulator, retries without sleeping."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from licensemanager_sdk import LicenseManager, RateLimitExceededError
from licensemanager_sdk import types as t
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.local.emulator import PINNED_ENDPOINT


def _create(lm: LicenseManager, sku: str = "sdk-sku") -> str:
    response = lm.api.create_license(
        license_name="SDK license",
        product_name="Widget",
        product_sku=sku,
        issuer=t.Issuer(name="Widget Corp"),
        home_region="us-east-1",
        validity=t.DatetimeRange(begin=datetime(2020, 1, 1, tzinfo=timezone.utc)),
        entitlements=[t.Entitlement(name="Users", unit="Count", max_count=5)],
        beneficiary="customer-1",
        consumption_configuration=t.ConsumptionConfiguration(
            provisional_configuration=t.ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    )
    assert response.license_arn is not None
    return response.license_arn


def test_client_is_attached_and_acts_as_the_account(emulator: LocalLicenseManager) -> None:
    lm = emulator.client(account="333344445555", region="us-east-1")
    assert isinstance(lm, LicenseManager)
    assert lm.boto3_client.meta.endpoint_url == PINNED_ENDPOINT
    arn = _create(lm)
    assert ":333344445555:" in arn
    assert [lic.license_arn for lic in lm.api.list_licenses().licenses] == [arn]


def test_sdk_retries_lost_responses_without_duplicates_or_sleeping(emulator: LocalLicenseManager) -> None:
    lm = emulator.client()
    emulator.inject_fault("CreateLicense", "ServerInternalException", phase="after")  # done, answer lost
    emulator.inject_fault("CreateLicense", "RateLimitExceededException")  # refused before any work
    started = time.perf_counter()
    arn = _create(lm)
    assert time.perf_counter() - started < 1.0  # backoff sleeps are no-ops under the emulator
    assert [lic.license_arn for lic in lm.api.list_licenses().licenses] == [arn]


def test_sdk_gives_up_after_max_attempts(emulator: LocalLicenseManager) -> None:
    lm = emulator.client()
    emulator.inject_fault("ListLicenses", "RateLimitExceededException", times=3)
    with pytest.raises(RateLimitExceededError):
        lm.api.list_licenses()
    assert lm.api.list_licenses().licenses == []
