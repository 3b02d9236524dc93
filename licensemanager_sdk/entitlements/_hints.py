"""What to check when a checkout is refused: the service's terse errors, re-raised with a hint appended.

The re-raised error is of the same generated class (still caught by `except NoEntitlementsAllowedError`), with the
same code, request id and attempts; the original is its `__cause__`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from licensemanager_sdk._exceptions import ServiceError

__all__ = ["borrow_hint", "borrow_hints", "checkout_hint", "checkout_hints", "with_hint"]

E = TypeVar("E", bound=ServiceError)

_FINGERPRINT = re.compile(r"aws:\d{12}:.+:issuer-fingerprint")
_NOT_FOUND = frozenset(
    {"NoEntitlementsAllowedException", "ResourceNotFoundException", "EntitlementNotAllowedException"}
)


def with_hint(err: E, hint: str) -> E:
    """A copy of `err` (same class and fields) whose message ends with `hint`."""
    copy = type(err)(
        operation=err.operation,
        error_code=err.error_code,
        message=f"{err.message.rstrip('.')}. {hint}" if err.message else hint,
        request_id=err.request_id,
        status_code=err.status_code,
        attempts=err.attempts,
        response=err.response,
    )
    return copy


def checkout_hint(
    err: ServiceError, *, product_sku: str, key_fingerprint: str, names: Sequence[str], beneficiary: str | None
) -> ServiceError:
    """`err` with what to check when CheckoutLicense found no license or no entitlement."""
    if err.error_code not in _NOT_FOUND:
        return err
    checks = [
        "is the grant accepted AND activated in this account (grant.accept_and_activate(), or "
        "`lmsdk grants accept` then `lmsdk grants activate`)?",
        "is the fingerprint right (`aws:<issuer-account>:<issuer-name>:issuer-fingerprint`; "
        "AWS Marketplace: `aws:294406891311:AWS/Marketplace:issuer-fingerprint`)?"
        + ("" if _FINGERPRINT.fullmatch(key_fingerprint) else f" {key_fingerprint!r} does not have that form."),
        "is the SKU the license's ProductSKU?",
        f"do the entitlement names and units ({', '.join(names)}) match the license (Unit Count vs None)?",
        "are all seats checked out (lm.api.get_license_usage(license_arn=...), `lmsdk licenses usage ARN`)? "
        "Seats come back at CheckInLicense or when their checkout expires;",
        "is the license AVAILABLE and inside its validity period?",
    ]
    if beneficiary is not None:
        checks.insert(0, f"beneficiary={beneficiary!r} must equal the Beneficiary of a license this account issued")
    hint = (
        f"Nothing could be checked out for ProductSKU={product_sku} KeyFingerprint={key_fingerprint}: no license "
        "matched, or none of the requested entitlements is available. Check: "
        + " ".join(f"({i}) {c}" for i, c in enumerate(checks, 1))
    )
    return with_hint(err, hint)


def borrow_hint(err: ServiceError, *, license_arn: str, names: Sequence[str]) -> ServiceError:
    """`err` with what to check when CheckoutBorrowLicense was refused."""
    if err.error_code == "EntitlementNotAllowedException":
        hint = (
            f"Borrowing is all-or-nothing: every requested entitlement ({', '.join(names)}) must exist in "
            f"{license_arn} with the same name and unit."
        )
    elif err.error_code == "NoEntitlementsAllowedException":
        hint = (
            f"Check: (1) {license_arn} has ConsumptionConfiguration.BorrowConfiguration and Issuer.SignKey (a KMS "
            "RSA SIGN_VERIFY key); (2) it is AVAILABLE and valid now; (3) enough seats are free for every requested "
            f"entitlement ({', '.join(names)}): lm.api.get_license_usage(license_arn=...)."
        )
    elif err.error_code in ("AccessDeniedException", "ResourceNotFoundException"):
        hint = (
            f"Is {license_arn} the right ARN, and is it granted to this account through an ACTIVE grant that allows "
            "CheckoutBorrowLicense (grant.accept_and_activate())?"
        )
    else:
        return err
    return with_hint(err, hint)


@contextmanager
def checkout_hints(
    *, product_sku: str, key_fingerprint: str, names: Sequence[str], beneficiary: str | None
) -> Iterator[None]:
    """Around a CheckoutLicense call (blocking or awaited): a refusal is re-raised with `checkout_hint`'s hint."""
    try:
        yield
    except ServiceError as err:
        hinted = checkout_hint(
            err, product_sku=product_sku, key_fingerprint=key_fingerprint, names=names, beneficiary=beneficiary
        )
        if hinted is err:
            raise
        raise hinted from err


@contextmanager
def borrow_hints(*, license_arn: str, names: Sequence[str]) -> Iterator[None]:
    """Around a CheckoutBorrowLicense call: a refusal is re-raised with `borrow_hint`'s hint."""
    try:
        yield
    except ServiceError as err:
        hinted = borrow_hint(err, license_arn=license_arn, names=names)
        if hinted is err:
            raise
        raise hinted from err
