"""A container product sold on AWS Marketplace: its tiered and counted license checks.

See docs/testing-marketplace-products.md.

Nothing here knows about the local service: `lm` is whatever `LicenseManager` the product was given (AWS in
production, the local service in tests).
"""

from __future__ import annotations

from licensemanager_sdk import LicenseManager, NoEntitlementsAllowedError, ResourceNotFoundError
from licensemanager_sdk.entitlements import Lease

__all__ = ["MARKETPLACE_FINGERPRINT", "PRODUCT_SKU", "TIERS", "feature_tier", "take_seat"]

MARKETPLACE_FINGERPRINT = "aws:294406891311:AWS/Marketplace:issuer-fingerprint"
"""Every license AWS Marketplace issues carries this fingerprint; checking out with it trusts only Marketplace."""
PRODUCT_SKU = "7c3c0b0e-8f4e-4e5a-9a43-1f6f2a9c1d10"
"""The product id AWS Marketplace gave the listing (the license's ProductSKU)."""
TIERS = ["BasicTier", "IntermediateTier", "PremiumTier"]
"""The listing's tiers, lowest first (Unit None entitlements)."""


def feature_tier(lm: LicenseManager) -> str | None:
    """The highest tier the customer bought, or None: one CheckoutLicense asking every tier."""
    try:
        return lm.entitlements.tier(product_sku=PRODUCT_SKU, key_fingerprint=MARKETPLACE_FINGERPRINT, tiers=TIERS)
    except ResourceNotFoundError:  # no license for this product in this account (not bought, or expired)
        return None


def take_seat(lm: LicenseManager, node_id: str | None = None) -> Lease | None:
    """One of the customer's counted seats, kept alive while the container runs; None when all are taken."""
    try:
        return lm.entitlements.checkout(
            product_sku=PRODUCT_SKU,
            key_fingerprint=MARKETPLACE_FINGERPRINT,
            entitlements={"Seats": 1},
            node_id=node_id,
        )
    except (NoEntitlementsAllowedError, ResourceNotFoundError):
        return None
