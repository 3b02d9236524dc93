"""Runtime entitlement checks in an ISV's application: tier, lease, local checks, offline token verification."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from licensemanager_sdk import EntitlementLostError, LicenseManager, NoEntitlementsAllowedError
from licensemanager_sdk.entitlements import verify
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.resources import key_fingerprint
from licensemanager_sdk.types import (
    ConsumptionConfiguration,
    DatetimeRange,
    Entitlement,
    EntitlementUnit,
    Issuer,
    ProvisionalConfiguration,
)

SKU = "acme-analytics"
TIERS = ["BasicTier", "IntermediateTier", "PremiumTier"]  # lowest first


def run_application(lm: LicenseManager, *, fingerprint: str, kms: Any, sign_key: str) -> None:
    """What the ISV's application does at start-up and while it serves users."""
    tier = lm.entitlements.tier(product_sku=SKU, key_fingerprint=fingerprint, tiers=TIERS)
    print(f"tier: {tier}")  # one CheckoutLicense; None when the customer holds no tier

    def on_lost(err: EntitlementLostError) -> None:  # called once, from the keep-alive thread
        print(f"lost: {err.reason}")

    with lm.entitlements.checkout(
        product_sku=SKU, key_fingerprint=fingerprint, entitlements={"Users": 5}, on_lost=on_lost
    ) as lease:  # kept alive in the background; checked in when the block ends
        if lease.signed_token is not None:  # signed licenses: prove the grant offline
            token = verify(lease.signed_token, kms_key_id=sign_key, kms_client=kms, license_arn=lease.license_arn)
            print(f"signed token verified: {token.quantity('Users')} Users until {token.expiration:%H:%M} UTC")
        for _request in range(3):
            if lease.has("Users"):  # a dict lookup: no network call
                print(f"serving with {lease.quantity('Users')} seats")
        try:
            lm.entitlements.checkout(product_sku=SKU, key_fingerprint=fingerprint, entitlements={"Users": 6})
        except NoEntitlementsAllowedError as err:  # the message lists what to check
            print(f"second checkout refused: {err.error_code}")


def main(local: LocalLicenseManager) -> None:
    """Set the scene on the local service (seller issues and grants, buyer activates), then run the app."""
    seller, buyer = local.client(account="111111111111"), local.client(account="222222222222")
    kms = local.boto3_client("kms", account="111111111111")
    sign_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    license = seller.licenses.create(
        license_name="Acme Analytics",
        product_name="Acme Analytics",
        product_sku=SKU,
        issuer=Issuer(name="Acme", sign_key=sign_key),
        validity=DatetimeRange(begin=datetime(2024, 1, 1, tzinfo=timezone.utc)),
        entitlements=[
            Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=10, allow_check_in=True),
            Entitlement(name="IntermediateTier", unit=EntitlementUnit.NONE, value="Enabled"),
        ],
        beneficiary="customer-1",
        consumption_configuration=ConsumptionConfiguration(
            provisional_configuration=ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    ).wait_until_available()
    grant = seller.grants.create(
        license, "222222222222", ["CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense"]
    )
    buyer.grants.get(grant.arn).accept_and_activate()
    run_application(buyer, fingerprint=key_fingerprint("111111111111", "Acme"), kms=kms, sign_key=sign_key)


if __name__ == "__main__":
    main(LocalLicenseManager())
