"""The product's license checks against seeded AWS Marketplace licenses (docs/testing-marketplace-products.md)."""

from __future__ import annotations

from collections.abc import Callable

import jwt

from licensemanager_sdk import LicenseManager
from licensemanager_sdk.local import LocalLicenseManager, MarketplaceLicense

from .product import PRODUCT_SKU, feature_tier, take_seat

PREMIUM = {"Name": "PremiumTier", "Unit": "None", "Value": "Enabled"}
SEATS = {"Name": "Seats", "Unit": "Count", "MaxCount": 2, "AllowCheckIn": True}


def test_the_tier_the_customer_bought(
    marketplace_license: Callable[..., MarketplaceLicense], lm_buyer: LicenseManager
) -> None:
    assert feature_tier(lm_buyer) is None  # nothing bought yet
    marketplace_license(PRODUCT_SKU, [PREMIUM])
    assert feature_tier(lm_buyer) == "PremiumTier"


def test_seats_run_out_and_come_back(
    marketplace_license: Callable[..., MarketplaceLicense], lm_buyer: LicenseManager
) -> None:
    marketplace_license(PRODUCT_SKU, [SEATS])
    first, second = take_seat(lm_buyer), take_seat(lm_buyer)
    assert first is not None and second is not None
    assert take_seat(lm_buyer) is None  # both seats are in use
    first.release()  # CheckInLicense: the seat is free again
    third = take_seat(lm_buyer)
    assert third is not None
    second.release()
    third.release()


def test_the_signed_token_verifies_with_the_marketplace_public_key(
    marketplace_license: Callable[..., MarketplaceLicense],
    lm_buyer: LicenseManager,
    local_license_manager: LocalLicenseManager,
) -> None:
    seeded = marketplace_license(PRODUCT_SKU, [SEATS])
    lease = take_seat(lm_buyer, node_id="node-1")
    assert lease is not None and lease.signed_token is not None
    with lease:
        pem = local_license_manager.marketplace_public_key_pem()
        # With PyJWT, as AWS's samples verify a SignedToken:
        claims = jwt.decode(lease.signed_token, pem, algorithms=["PS384"])
        assert claims["licenseArn"] == seeded.license_arn and claims["nodeId"] == "node-1"
        # With the SDK: signature, expiry (on the service's clock here), license and node.
        token = lm_buyer.entitlements.verify(
            lease.signed_token,
            public_key=pem,
            license_arn=seeded.license_arn,
            node_id="node-1",
            now=local_license_manager.engine.clock.now(),
        )
        assert token.quantity("Seats") == 1
