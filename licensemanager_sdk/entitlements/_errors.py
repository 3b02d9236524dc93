"""Errors of the runtime entitlement layer. Each says what happened and what to do next."""

from __future__ import annotations

from typing import Literal

from licensemanager_sdk._exceptions import LicenseManagerError

__all__ = ["EntitlementLostError", "EntitlementNotHeldError", "LostReason", "TokenVerificationError", "VerifyReason"]

LostReason = Literal["extend_refused", "expired", "released"]
"""Why a lease stopped granting its entitlements."""

VerifyReason = Literal[
    "malformed", "algorithm", "key", "signature", "claims", "expired", "not_yet_valid", "license_arn", "node_id"
]
"""Why a signed token was refused."""


class EntitlementLostError(LicenseManagerError):
    """A lease no longer grants its entitlements; the service error that caused it, if any, is `__cause__`.

    `reason`: `"extend_refused"` (the service refused ExtendLicenseConsumption: license deactivated, grant
    disabled, token unknown), `"expired"` (the expiration passed without a successful extension) or `"released"`
    (the application released or checked in the lease).
    """

    def __init__(self, reason: LostReason, license_arn: str | None, detail: str) -> None:
        self.reason: LostReason = reason
        self.license_arn = license_arn
        super().__init__(
            f"the lease on {license_arn or 'the license'} is lost ({reason}): {detail}. "
            "Stop using the licensed feature, or check out again with lm.entitlements.checkout(...)."
        )


class EntitlementNotHeldError(LicenseManagerError, LookupError):
    """`lease.check(name)` named an entitlement the lease does not hold."""

    def __init__(self, names: list[str], held: list[str]) -> None:
        self.names = names
        super().__init__(
            f"entitlement(s) {', '.join(names)} not held by this lease (held: {', '.join(held) or 'none'}); "
            "check them out with lm.entitlements.checkout(entitlements=...)"
        )


class TokenVerificationError(LicenseManagerError):
    """A SignedToken was refused by `verify()`. `reason` names the failed check (see `VerifyReason`)."""

    def __init__(self, reason: VerifyReason, message: str) -> None:
        self.reason: VerifyReason = reason
        super().__init__(f"signed token refused ({reason}): {message}")
