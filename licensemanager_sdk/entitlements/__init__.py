"""Runtime entitlement checks for ISV applications: `lm.entitlements`, leases and offline token verification.

    with lm.entitlements.checkout(product_sku=SKU, key_fingerprint=FP, entitlements={"Users": 1}) as lease:
        if lease.has("Users"): ...            # local: no network call

See docs/runtime-entitlement-checks.md.
"""

from licensemanager_sdk._exceptions import (
    EntitlementLostError,
    EntitlementNotHeldError,
    LostReason,
    TokenVerificationError,
    VerifyReason,
)
from licensemanager_sdk.entitlements._lease import BorrowedLease, Lease
from licensemanager_sdk.entitlements._namespace import Entitlements, EntitlementsSpec
from licensemanager_sdk.entitlements._verify import VerifiedToken, verify

__all__ = [
    "BorrowedLease",
    "EntitlementLostError",
    "EntitlementNotHeldError",
    "Entitlements",
    "EntitlementsSpec",
    "Lease",
    "LostReason",
    "TokenVerificationError",
    "VerifiedToken",
    "VerifyReason",
    "verify",
]
