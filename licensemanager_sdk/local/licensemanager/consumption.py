"""Consumption on typed state: CheckoutLicense, CheckoutBorrowLicense, CheckInLicense, ExtendLicenseConsumption
(SERVICE.md §6, §7). Wire parameters are read, and answers rendered, in `responses.py`.

Every checkout is stored; outstanding PROVISIONAL/BORROW quantities are indexed in memory (`usage.ActiveUsage`,
expiry evaluated lazily against the engine clock) and PERPETUAL quantities are counted per RenewType period in one
`PerpetualUsage` per license.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.caller import Caller
from ..core.faults import fault
from ..core.ids import iso_seconds, new_hex_id
from ..core.jwt import encode
from .backend import Backend
from .formats import MARKETPLACE_ACCOUNT, redirect_location
from .models import (
    CHECKOUTS,
    SECRETS,
    USAGE,
    Allowed,
    Checkout,
    Grant,
    License,
    LicenseVersion,
    MarketplaceKey,
    Metadata,
    PerpetualUsage,
)

__all__ = [
    "Checkedout",
    "Requested",
    "check_in_license",
    "checkout_borrow_license",
    "checkout_license",
    "extend_license_consumption",
    "marketplace_key_arn",
]

_NO_ENTITLEMENTS = "No Entitlements Allowed"


@dataclass(frozen=True, slots=True)
class Requested:
    """An entitlement a checkout asks for; `value` is the wire string (None means 1)."""

    name: str
    unit: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Checkedout:
    """A new checkout and, when the license signs, its SignedToken."""

    record: Checkout
    signed_token: str | None


def marketplace_key_arn(b: Backend) -> str:
    """The emulator-owned KMS key that signs tokens of AWS Marketplace licenses (created on first use)."""
    secret = b.store.get(SECRETS, "marketplace-key")
    if isinstance(secret, MarketplaceKey):
        return secret.arn
    key = MarketplaceKey(b.kms.new_sign_key(MARKETPLACE_ACCOUNT, "us-east-1", "RSA_2048").arn)
    b.store.put(SECRETS, "marketplace-key", key)
    return key.arn


def _signing_key_arn(b: Backend, lic: License, version: LicenseVersion) -> str | None:
    sign_key = version.issuer.sign_key
    if sign_key is not None:
        key = b.kms.ensure_sign_key(sign_key, lic.account, lic.home)
        return None if key is None else key.arn
    if lic.mp_signed:
        return marketplace_key_arn(b)
    return None


def _signed_token(b: Backend, key_arn: str, record: Checkout, metadata: Sequence[Metadata]) -> str:
    """The PS384 JWS of a checkout: exactly the claims of SERVICE.md §7."""
    claims: dict[str, Any] = {
        "licenseArn": record.license,
        "licenseConsumptionToken": record.token,
        "entitlementsAllowed": [{"name": e.name, "value": e.value, "unit": e.unit} for e in record.allowed],
    }
    if record.node is not None:
        claims["nodeId"] = record.node
    claims["issuedAt"] = iso_seconds(record.issued)
    claims["expiration"] = iso_seconds(record.exp)
    if metadata:
        claims["checkoutMetadata"] = {m.name or "": m.value or "" for m in metadata}
    header: dict[str, Any] = {"alg": "PS384", "typ": "JWT"}
    if b.settings.signed_token_include_kid:
        header["kid"] = key_arn
    return encode(header, claims, b.kms.private_key(key_arn))


def _quantity(requested: Requested) -> int:
    text = requested.value
    if text is None:
        return 1
    try:
        qty = int(text)
    except ValueError:
        raise fault(
            "ValidationException", f"Entitlement {requested.name}: Value must be a whole number, not {text!r}."
        ) from None
    if qty <= 0:
        raise fault("ValidationException", f"Entitlement {requested.name}: Value must be greater than 0.")
    return qty


def _allocate(
    b: Backend, lic: License, version: LicenseVersion, requested: Sequence[Requested]
) -> tuple[list[Allowed], dict[str, int], list[str], list[str]]:
    """(allowed entitlements, counted quantities, names not in the license or of another unit, names exhausted)."""
    consumed = b.consumed(lic.arn, version)
    entitlements = {e.name: e for e in version.entitlements}
    allowed: list[Allowed] = []
    quantities: dict[str, int] = {}
    not_allowed: list[str] = []
    exhausted: list[str] = []
    for req in requested:
        name = req.name
        ent = entitlements.get(name)
        if ent is None or req.unit != ent.unit:
            not_allowed.append(name)
            continue
        if not ent.counted:
            allowed.append(Allowed(name, "None", ent.value))
            continue
        qty = _quantity(req)
        total = consumed.get(name, 0) + quantities.get(name, 0) + qty
        if total > (ent.max_count or 0) and not ent.overage:
            exhausted.append(name)
            continue
        quantities[name] = quantities.get(name, 0) + qty
        allowed.append(Allowed(name, ent.unit, str(qty)))
    return allowed, quantities, not_allowed, exhausted


def _require_consumable(b: Backend, lic: License, version: LicenseVersion) -> None:
    status = b.license_status(lic, version)
    if status != "AVAILABLE" or b.now() < version.begin:
        raise fault("NoEntitlementsAllowedException", _NO_ENTITLEMENTS)


def _record(
    b: Backend,
    caller: Caller,
    lic: License,
    version: LicenseVersion,
    kind: str,
    allowed: list[Allowed],
    quantities: dict[str, int],
    ttl: int,
    *,
    grant: Grant | None,
    node: str | None,
    beneficiary: str | None,
) -> Checkout:
    """Store a checkout and account its quantities."""
    issued = int(b.now())
    record = Checkout(
        token=new_hex_id(),
        license=lic.arn,
        version=version.version,
        account=caller.account,
        type=kind,
        allowed=tuple(allowed),
        quantities=quantities,
        issued=issued,
        exp=issued + ttl,
        ttl=ttl,
        grant=None if grant is None else grant.arn,
        node=node,
        beneficiary=beneficiary,
    )
    b.store.put(CHECKOUTS, record.token, record)
    b.checkout_finishes(record.token, record.exp)
    if kind == "PERPETUAL":
        counters = b.perpetual(lic.arn)
        period = b.period(version)
        used = dict(counters.used or {}) if counters.period == period else {}
        for name, qty in quantities.items():
            used[name] = used.get(name, 0) + qty
        b.store.put(USAGE, lic.arn, PerpetualUsage(period, used))
    else:
        b.active().add(record.token, lic.arn, record.exp, quantities)
    return record


def checkout_license(
    b: Backend,
    caller: Caller,
    *,
    sku: str,
    key_fingerprint: str,
    checkout_type: str,
    entitlements: Sequence[Requested],
    beneficiary: str | None,
    node: str | None,
) -> Checkedout:
    """CheckoutLicense: locate by (ProductSKU, KeyFingerprint), newest usable license wins, partial fulfilment."""
    chosen: tuple[License, Grant | None] | None = None
    for lic in b.licenses_with_sku(sku):
        version = lic.current
        if lic.deletion is not None or version.issuer.key_fingerprint != key_fingerprint:
            continue
        if beneficiary is not None:
            if lic.account == caller.account and version.beneficiary == beneficiary:
                chosen = (lic, None)
        else:
            grant = b.usable_grant(lic.arn, caller.account, "CheckoutLicense")
            if grant is not None:
                chosen = (lic, grant)
    if chosen is None:
        raise fault(
            b.settings.checkout_not_found_error,
            f"No license found for ProductSKU {sku} and KeyFingerprint {key_fingerprint}.",
        )
    lic, grant = chosen
    version = lic.current
    if not b.settings.global_consumption and caller.region != lic.home:
        raise fault("RedirectException", "Check out in the license home region.", Location=redirect_location(lic.home))
    _require_consumable(b, lic, version)
    config = version.consumption
    if config.provisional_ttl_minutes is not None:
        ttl = config.provisional_ttl_minutes * 60
    elif checkout_type == "PROVISIONAL":
        raise fault("NoEntitlementsAllowedException", "The license has no provisional consumption configuration.")
    elif version.end is not None:
        ttl = max(int(version.end - b.now()), 1)
    else:
        ttl = 3600
    allowed, quantities, _, _ = _allocate(b, lic, version, entitlements)
    if not allowed:
        raise fault("NoEntitlementsAllowedException", _NO_ENTITLEMENTS)
    record = _record(
        b,
        caller,
        lic,
        version,
        checkout_type,
        allowed,
        quantities,
        ttl,
        grant=grant,
        node=node,
        beneficiary=beneficiary,
    )
    key_arn = _signing_key_arn(b, lic, version)
    return Checkedout(record, None if key_arn is None else _signed_token(b, key_arn, record, ()))


def checkout_borrow_license(
    b: Backend,
    caller: Caller,
    *,
    arn: str,
    signature_method: str,
    entitlements: Sequence[Requested],
    node: str | None,
    metadata: Sequence[Metadata],
) -> Checkedout:
    """CheckoutBorrowLicense: by ARN, all-or-nothing, always signed (§6.5)."""
    lic = b.license(arn)
    if lic is None:
        raise fault("ResourceNotFoundException", f"License {arn} does not exist.")
    if signature_method != "JWT_PS384":
        raise fault(
            "UnsupportedDigitalSignatureMethodException",
            f"Digital signature method {signature_method} is not supported.",
        )
    grant = None
    if lic.account != caller.account:
        grant = b.usable_grant(arn, caller.account, "CheckoutBorrowLicense")
        if grant is None:
            raise fault("AccessDeniedException", f"Account {caller.account} may not borrow license {arn}.")
    if caller.region != lic.home:
        raise fault("RedirectException", "Borrow in the license home region.", Location=redirect_location(lic.home))
    version = lic.current
    _require_consumable(b, lic, version)
    borrow = version.consumption.borrow
    key_arn = _signing_key_arn(b, lic, version)
    if borrow is None or key_arn is None:
        raise fault("NoEntitlementsAllowedException", _NO_ENTITLEMENTS)
    allowed, quantities, not_allowed, exhausted = _allocate(b, lic, version, entitlements)
    if not_allowed:
        raise fault("EntitlementNotAllowedException", f"The entitlement is not allowed: {', '.join(not_allowed)}.")
    if exhausted or not allowed:
        raise fault("NoEntitlementsAllowedException", _NO_ENTITLEMENTS)
    ttl = borrow.max_ttl_minutes * 60
    record = _record(
        b, caller, lic, version, "BORROW", allowed, quantities, ttl, grant=grant, node=node, beneficiary=None
    )
    return Checkedout(record, _signed_token(b, key_arn, record, metadata))


def _outstanding(b: Backend, caller: Caller, token: str) -> Checkout:
    record = b.store.get(CHECKOUTS, token)
    if record is None or record.checked_in:
        raise fault("ResourceNotFoundException", f"License consumption token {token} does not exist or was checked in.")
    if record.account != caller.account:
        raise fault("AccessDeniedException", f"Account {caller.account} did not check out token {token}.")
    return record


def _require_unexpired(b: Backend, record: Checkout) -> None:
    if record.exp <= b.now():
        raise fault("ResourceNotFoundException", f"License consumption token {record.token} has expired.")


def _version_of(b: Backend, record: Checkout) -> tuple[License, LicenseVersion]:
    lic = b.license(record.license)
    if lic is None:
        raise fault("ResourceNotFoundException", f"License {record.license} does not exist.")
    return lic, lic.version(record.version) or lic.current


def _require_operation(b: Backend, record: Checkout, operation: str) -> Grant | None:
    if record.grant is None:
        return None
    grant = b.grant(record.grant)
    if grant is None or operation not in grant.current.granted_operations:
        raise fault("AccessDeniedException", f"The grant does not allow {operation}.")
    return grant


def check_in_license(b: Backend, caller: Caller, token: str, beneficiary: str | None) -> None:
    """CheckInLicense: return floating quantities to the pool (§6.6)."""
    record = _outstanding(b, caller, token)
    if record.type == "PERPETUAL":
        raise fault("ConflictException", "PERPETUAL checkouts cannot be checked in.")
    _require_unexpired(b, record)
    if beneficiary is not None and beneficiary != record.beneficiary:
        raise fault("ValidationException", "Beneficiary does not match the checkout.")
    _require_operation(b, record, "CheckInLicense")
    _, version = _version_of(b, record)
    if record.type == "BORROW":
        borrow = version.consumption.borrow
        if borrow is None or not borrow.allow_early_check_in:
            raise fault("ConflictException", "Early check-in is not allowed for this borrowed license.")
    else:
        entitlements = {e.name: e for e in version.entitlements}
        refused = [n for n in record.quantities if n not in entitlements or not entitlements[n].allow_check_in]
        if refused:
            raise fault("ConflictException", f"Check-in is not allowed for entitlements {', '.join(refused)}.")
    now = b.now()
    b.store.put(CHECKOUTS, record.token, dataclasses.replace(record, checked_in=True, checked_in_at=now))
    b.checkout_finishes(record.token, now)
    b.active().remove(record.token)


def extend_license_consumption(b: Backend, caller: Caller, token: str, *, dry_run: bool) -> Checkout:
    """ExtendLicenseConsumption: Expiration = now + TTL for PROVISIONAL checkouts; DryRun changes nothing (§6.7)."""
    record = _outstanding(b, caller, token)
    _require_unexpired(b, record)
    if record.type != "PROVISIONAL":
        raise fault("ValidationException", f"{record.type} checkouts cannot be extended.")
    grant = _require_operation(b, record, "ExtendConsumptionLicense")
    if grant is not None and grant.status != "ACTIVE":
        raise fault("ValidationException", "The grant for this license is no longer active.")
    lic, _ = _version_of(b, record)
    current = lic.current
    status = b.license_status(lic, current)
    if status != "AVAILABLE":
        raise fault("ValidationException", f"License {lic.arn} is {status}.")
    if dry_run:
        return record
    provisional = current.consumption.provisional_ttl_minutes
    ttl = provisional * 60 if provisional else record.ttl
    expiry = int(b.now()) + ttl
    extended = dataclasses.replace(record, exp=expiry)
    b.store.put(CHECKOUTS, record.token, extended)
    b.checkout_finishes(record.token, expiry)
    b.active().extend(record.token, expiry)
    return extended
