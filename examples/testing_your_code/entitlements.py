"""The code under test: what a product does with License Manager (an ISV's seat check, a legacy helper)."""

from __future__ import annotations

from datetime import datetime, timezone

import boto3

from licensemanager_sdk import LicenseManager, NoEntitlementsAllowedError, ResourceNotFoundError
from licensemanager_sdk import types as t

SKU = "widget-pro"
ISSUER = "Widget Corp"


def publish_license(seller: LicenseManager, *, seats: int) -> str:
    """Seller side: issue a license with `seats` seats that check out for an hour; returns its ARN."""
    created = seller.api.create_license(
        license_name="Widget Pro",
        product_name="Widget",
        product_sku=SKU,
        issuer=t.Issuer(name=ISSUER),
        home_region="us-east-1",
        validity=t.DatetimeRange(begin=datetime(2024, 1, 1, tzinfo=timezone.utc)),
        entitlements=[t.Entitlement(name="Seats", unit=t.EntitlementUnit.COUNT, max_count=seats, allow_check_in=True)],
        beneficiary="acme",
        consumption_configuration=t.ConsumptionConfiguration(
            provisional_configuration=t.ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    )
    assert created.license_arn is not None  # always set on success
    return created.license_arn


def grant_to(seller: LicenseManager, license_arn: str, buyer_account: str) -> str:
    """Seller side: grant the license to another account; returns the grant ARN."""
    grant = seller.api.create_grant(
        grant_name="Acme seats",
        license_arn=license_arn,
        principals=[f"arn:aws:iam::{buyer_account}:root"],
        home_region="us-east-1",
        allowed_operations=[
            t.AllowedOperation.CHECKOUT_LICENSE,
            t.AllowedOperation.CHECK_IN_LICENSE,
            t.AllowedOperation.LIST_PURCHASED_LICENSES,
        ],
    )
    assert grant.grant_arn is not None  # always set on success
    return grant.grant_arn


def activate_grant(buyer: LicenseManager, grant_arn: str) -> None:
    """Buyer side: accept and activate a received grant."""
    buyer.api.accept_grant(grant_arn=grant_arn)
    buyer.api.create_grant_version(grant_arn=grant_arn, status=t.GrantStatus.ACTIVE)


def take_seat(lm: LicenseManager, seller_account: str, *, beneficiary: str | None = None) -> str | None:
    """Product side: check out one seat; the consumption token, or None when no seat is free.

    A buyer checks out through its grant; the issuer checking out its own license names the beneficiary.
    """
    try:
        checkout = lm.api.checkout_license(
            product_sku=SKU,
            checkout_type=t.CheckoutType.PROVISIONAL,
            key_fingerprint=f"aws:{seller_account}:{ISSUER}:issuer-fingerprint",
            entitlements=[t.EntitlementData(name="Seats", unit=t.EntitlementDataUnit.COUNT, value="1")],
            beneficiary=beneficiary,
        )
    except (NoEntitlementsAllowedError, ResourceNotFoundError):
        return None
    return checkout.license_consumption_token


def release_seat(lm: LicenseManager, token: str) -> None:
    lm.api.check_in_license(license_consumption_token=token)


def current_account() -> str:
    """Legacy code that builds its own boto3 client from the environment."""
    account: str = boto3.Session().client("sts").get_caller_identity()["Account"]
    return account
