"""Testing code that uses License Manager, with the fixtures of `licensemanager_sdk.testing` (docs/testing.md)."""

from __future__ import annotations

import os

import boto3
import pytest

from licensemanager_sdk import LicenseManager, ServerInternalError
from licensemanager_sdk.local import LocalLicenseManager, LocalServer
from licensemanager_sdk.testing import BUYER_ACCOUNT, SELLER_ACCOUNT, LocalFaults

from .entitlements import activate_grant, current_account, grant_to, publish_license, release_seat, take_seat


def test_buyer_takes_and_releases_seats(lm_seller: LicenseManager, lm_buyer: LicenseManager) -> None:
    license_arn = publish_license(lm_seller, seats=1)
    activate_grant(lm_buyer, grant_to(lm_seller, license_arn, BUYER_ACCOUNT))

    token = take_seat(lm_buyer, SELLER_ACCOUNT)
    assert token is not None
    assert take_seat(lm_buyer, SELLER_ACCOUNT) is None  # the only seat is taken
    release_seat(lm_buyer, token)
    assert take_seat(lm_buyer, SELLER_ACCOUNT) is not None


def test_seats_come_back_when_checkouts_expire(
    lm_seller: LicenseManager, local_license_manager: LocalLicenseManager
) -> None:
    publish_license(lm_seller, seats=1)
    assert take_seat(lm_seller, SELLER_ACCOUNT, beneficiary="acme") is not None
    assert take_seat(lm_seller, SELLER_ACCOUNT, beneficiary="acme") is None
    local_license_manager.advance_clock(61 * 60)  # past the 60-minute checkout, without sleeping
    assert take_seat(lm_seller, SELLER_ACCOUNT, beneficiary="acme") is not None


def test_a_lost_response_is_retried_without_a_second_checkout(
    lm_seller: LicenseManager, local_faults: LocalFaults
) -> None:
    license_arn = publish_license(lm_seller, seats=1)
    local_faults.lose_response("CheckoutLicense")  # the checkout happens, its answer is lost
    # The SDK retried with the same ClientToken: one checkout, not two.
    assert take_seat(lm_seller, SELLER_ACCOUNT, beneficiary="acme") is not None
    usage = lm_seller.api.get_license_usage(license_arn=license_arn).license_usage
    assert usage is not None
    assert [u.consumed_value for u in usage.entitlement_usages] == ["1"]


def test_a_persistent_outage_reaches_the_caller(lm_seller: LicenseManager, local_faults: LocalFaults) -> None:
    publish_license(lm_seller, seats=1)
    local_faults.fail_next("CheckoutLicense", "ServerInternalException", times=3)  # every attempt fails
    with pytest.raises(ServerInternalError):
        take_seat(lm_seller, SELLER_ACCOUNT, beneficiary="acme")


def test_code_that_builds_its_own_boto3_clients(local_server: LocalServer) -> None:
    # AWS_ENDPOINT_URL points at local_server; the dummy credentials act as account 123456789012.
    assert os.environ["AWS_ENDPOINT_URL"] == local_server.url
    assert current_account() == "123456789012"
    assert boto3.Session().client("license-manager").list_licenses()["Licenses"] == []
