"""Grant snapshots and lm.grants (everything but distribute) against the local service."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from licensemanager_sdk import (
    Grant,
    License,
    LicenseManager,
    ServiceValidationError,
    WaiterError,
    WaitTimeoutError,
)
from licensemanager_sdk.types import ActivationOverrideBehavior, AllowedOperation, GrantStatus, Options

from .conftest import ALL_OPS, BUYER, BUYER_ROOT, OTHER, SELLER, CallLog, FakeTime


@pytest.fixture
def license(new_license: Callable[..., License]) -> License:
    return new_license()


def test_create_normalises_the_principal_and_defaults_name_and_region(
    seller: LicenseManager, seller_log: CallLog, license: License
) -> None:
    grant = seller.grants.create(license, BUYER, [AllowedOperation.CHECKOUT_LICENSE, "ListPurchasedLicenses"])
    sent = seller_log.of("CreateGrant")[0]
    assert sent["Principals"] == [BUYER_ROOT]
    assert sent["GrantName"] == "Pro"  # the license's name (one GetLicense to learn it)
    assert sent["HomeRegion"] == seller.region_name
    assert sent["ClientToken"]
    assert not grant.is_loaded
    assert grant.status is GrantStatus.PENDING_ACCEPT
    assert grant.data.grantee_principal_arn == BUYER_ROOT and grant.data.license_arn == license.arn
    assert repr(grant) == f"Grant(arn={grant.arn!r})"
    assert seller.grants.get(grant.arn) == grant == Grant(seller, grant.arn)
    with pytest.raises(ValueError, match="neither a 12-digit account id nor a principal ARN"):
        license.create_grant("12345", ["CheckoutLicense"])
    with pytest.raises(ValueError, match="AllowedOperation"):
        license.create_grant(BUYER, ["Checkout"], grant_name="x")


def test_grantee_lifecycle_returns_new_snapshots(
    seller: LicenseManager, buyer: LicenseManager, buyer_log: CallLog, license: License
) -> None:
    created = license.create_grant(BUYER, ALL_OPS, grant_name="g")
    pending = buyer.grants.get(created.arn)
    buyer_log.clear()
    accepted = pending.accept()
    assert accepted.status is GrantStatus.DISABLED and accepted.version == "2"
    assert pending.status is GrantStatus.PENDING_ACCEPT and pending.version == "1"  # untouched
    active = accepted.activate()
    assert active.status is GrantStatus.ACTIVE and active.version == "3"
    assert buyer_log.of("CreateGrantVersion")[0]["Status"] == "ACTIVE"
    assert buyer_log.of("CreateGrantVersion")[0]["ClientToken"]
    inactive = active.deactivate()
    assert inactive.status is GrantStatus.DISABLED
    assert "GetGrant" not in buyer_log.names()  # snapshots after actions come from the answers
    assert inactive.reload().status is GrantStatus.DISABLED and inactive.reload().version == "4"
    assert Grant(buyer, created.arn).accept_and_activate().status is GrantStatus.ACTIVE


def test_actions_on_an_unloaded_snapshot_return_unloaded_snapshots(buyer: LicenseManager, license: License) -> None:
    created = license.create_grant(BUYER, ALL_OPS, grant_name="g")
    accepted = Grant(buyer, created.arn).accept()
    assert not accepted.is_loaded and accepted.status is GrantStatus.DISABLED


def test_accept_and_activate_is_one_idempotent_call(
    buyer: LicenseManager, buyer_log: CallLog, license: License
) -> None:
    grant = buyer.grants.get(license.create_grant(BUYER, ALL_OPS, grant_name="g").arn)
    buyer_log.clear()
    active = grant.accept_and_activate()
    assert active.status is GrantStatus.ACTIVE
    assert buyer_log.names() == ["AcceptGrant", "CreateGrantVersion"]

    buyer_log.clear()
    assert active.accept_and_activate() is active  # already ACTIVE: nothing to do
    again = buyer.grants.get(grant.arn).accept_and_activate()
    assert again.status is GrantStatus.ACTIVE
    assert buyer_log.names() == ["GetGrant"]

    disabled = again.deactivate()
    buyer_log.clear()
    assert disabled.accept_and_activate().status is GrantStatus.ACTIVE
    assert buyer_log.names() == ["CreateGrantVersion"]  # accept skipped: already accepted


def test_activation_options_are_sent(buyer: LicenseManager, buyer_log: CallLog, license: License) -> None:
    grant = buyer.grants.get(license.create_grant(BUYER, ALL_OPS, grant_name="g").arn).accept()
    options = Options(activation_override_behavior=ActivationOverrideBehavior.DISTRIBUTED_GRANTS_ONLY)
    with pytest.raises(ServiceValidationError):  # the service takes Options for Marketplace licenses only
        grant.activate(options)
    sent = buyer_log.of("CreateGrantVersion")[0]
    assert sent["Options"] == {"ActivationOverrideBehavior": "DISTRIBUTED_GRANTS_ONLY"}


def test_reject(buyer: LicenseManager, license: License) -> None:
    grant = buyer.grants.get(license.create_grant(BUYER, ALL_OPS, grant_name="g").arn)
    rejected = grant.reject()
    assert rejected.status is GrantStatus.REJECTED
    with pytest.raises(ServiceValidationError):
        rejected.accept_and_activate()


def test_grantor_create_version_and_version_gated_delete(
    seller: LicenseManager, buyer: LicenseManager, seller_log: CallLog, license: License
) -> None:
    grant = seller.grants.get(license.create_grant(BUYER, ALL_OPS, grant_name="g").arn)
    renamed = grant.create_version(grant_name="g2", allowed_operations=["CheckoutLicense"])
    assert renamed.data.grant_name == "g2" and renamed.version == "2"
    assert renamed.reload().data.granted_operations == [AllowedOperation.CHECKOUT_LICENSE]
    sent = seller_log.of("CreateGrantVersion")[0]
    assert "SourceVersion" not in sent and "Status" not in sent

    seller_log.clear()
    with pytest.raises(ServiceValidationError, match="Version 1 is not the current grant version 2"):
        grant.delete()  # stale snapshot: the service says so, we do not reload behind your back
    assert seller_log.names() == ["DeleteGrant"]
    deleted = renamed.delete(status_reason="contract ended")
    assert deleted.status is GrantStatus.DELETED
    assert seller_log.of("DeleteGrant")[-1] == {
        "GrantArn": grant.arn,
        "Version": "2",
        "StatusReason": "contract ended",
    }


def test_wait_until_active(buyer: LicenseManager, license: License) -> None:
    grant = buyer.grants.get(license.create_grant(BUYER, ALL_OPS, grant_name="g").arn)
    time = FakeTime()
    polls = 0

    def sleep(seconds: float) -> None:  # the grantee activates while we wait
        nonlocal polls
        polls += 1
        if polls == 2:
            grant.accept_and_activate()
        time.sleep(seconds)

    active = grant.wait_until_active(timeout=60, sleep=sleep, clock=time.clock)
    assert active.status is GrantStatus.ACTIVE
    assert time.sleeps == [0.5, 1.0]
    assert grant.wait_until([GrantStatus.DISABLED, "ACTIVE"], sleep=time.sleep, clock=time.clock) == grant


def test_wait_until_times_out_or_gives_up(buyer: LicenseManager, license: License) -> None:
    grant = buyer.grants.get(license.create_grant(BUYER, ALL_OPS, grant_name="g").arn)
    time = FakeTime()
    with pytest.raises(WaitTimeoutError, match="last status seen: PENDING_ACCEPT") as caught:
        grant.wait_until_active(timeout=3, sleep=time.sleep, clock=time.clock)
    assert caught.value.wanted == ("ACTIVE",) and caught.value.resource == grant.arn
    rejected = grant.reject()
    with pytest.raises(WaiterError, match="is REJECTED, from which it can never become ACTIVE"):
        rejected.wait_until_active(sleep=time.sleep, clock=time.clock)
    assert rejected.wait_until("REJECTED", sleep=time.sleep, clock=time.clock).status is GrantStatus.REJECTED
    with pytest.raises(ValueError):
        rejected.wait_until("GONE")


def test_list_distributed_and_received_with_filters(
    seller: LicenseManager, buyer: LicenseManager, seller_log: CallLog, buyer_log: CallLog, license: License
) -> None:
    to_buyer = license.create_grant(BUYER, ALL_OPS, grant_name="g")
    to_other = license.create_grant(OTHER, ALL_OPS, grant_name="g")
    buyer.grants.get(to_buyer.arn).accept_and_activate()
    seller_log.clear()

    everything = list(seller.grants.list_distributed(license_arn=license))
    assert set(everything) == {to_buyer, to_other} and all(g.is_loaded for g in everything)
    assert seller_log.of("ListDistributedGrants")[0]["Filters"] == [{"Name": "LicenseArn", "Values": [license.arn]}]

    seller_log.clear()
    listing = seller.grants.list_distributed(grantee_principal_arn=[BUYER, f"arn:aws:iam::{OTHER}:root"])
    assert set(listing) == {to_buyer, to_other}
    assert [c["Filters"] for c in seller_log.of("ListDistributedGrants")] == [
        [{"Name": "GranteePrincipalARN", "Values": [BUYER_ROOT]}],
        [{"Name": "GranteePrincipalARN", "Values": [f"arn:aws:iam::{OTHER}:root"]}],
    ]
    assert list(seller.grants.list_distributed(status=GrantStatus.ACTIVE, product_sku="sku-pro")) == [to_buyer]
    assert list(seller.grants.list_distributed(license_issuer_name="Someone Else")) == []

    received = list(buyer.grants.list_received(status=["ACTIVE", "PENDING_ACCEPT"], granter_account_id=SELLER))
    assert received == [to_buyer]
    assert {tuple(c["Filters"][0]["Values"]) for c in buyer_log.of("ListReceivedGrants")} == {
        ("ACTIVE",),
        ("PENDING_ACCEPT",),
    }
    assert list(buyer.grants.list_received(license_arn=license.arn, license_issuer_name="My Company")) == [to_buyer]
    assert list(buyer.grants.list_distributed()) == []  # the grantee distributed nothing
