"""Consumption: CheckoutLicense, CheckoutBorrowLicense, CheckInLicense, ExtendLicenseConsumption (SERVICE.md §6, §7).

Every checkout is a durable document; outstanding PROVISIONAL/BORROW quantities are indexed in memory
(`_usage.ActiveUsage`, expiry evaluated lazily against the engine clock) and PERPETUAL quantities are counted per
RenewType period in one usage document per license.
"""

from __future__ import annotations

from typing import Any

from ..core.caller import Caller
from ..core.faults import ServiceFault, fault
from ..core.jwt import encode
from ..core.store import Doc
from .backend import CHECKOUT, SECRET, USAGE, Backend
from .formats import MARKETPLACE_ACCOUNT, iso_seconds, new_hex_id, redirect_location

__all__ = [
    "check_in_license",
    "checkout_borrow_license",
    "checkout_license",
    "extend_license_consumption",
    "marketplace_key_arn",
]

_NO_ENTITLEMENTS = "No Entitlements Allowed"


def marketplace_key_arn(b: Backend) -> str:
    """The emulator-owned KMS key that signs tokens of AWS Marketplace licenses (created on first use)."""
    secret = b.store.get(SECRET, "marketplace-key")
    if secret is None:
        secret = {"arn": b.kms.new_sign_key(MARKETPLACE_ACCOUNT, "us-east-1", "RSA_2048").arn}
        b.store.put(SECRET, "marketplace-key", secret)
    arn: str = secret["arn"]
    return arn


def _signing_key_arn(b: Backend, lic: Doc, version: Doc) -> str | None:
    sign_key = version["Issuer"].get("SignKey")
    if sign_key is not None:
        key = b.kms.ensure_sign_key(sign_key, lic["account"], lic["home"])
        return None if key is None else key.arn
    if lic.get("mp_signed"):
        return marketplace_key_arn(b)
    return None


def _signed_token(b: Backend, key_arn: str, record: Doc, metadata: list[dict[str, Any]] | None) -> str:
    """The PS384 JWS of a checkout: exactly the claims of SERVICE.md §7."""
    claims: dict[str, Any] = {
        "licenseArn": record["license"],
        "licenseConsumptionToken": record["token"],
        "entitlementsAllowed": [
            {"name": e["Name"], "value": e.get("Value"), "unit": e["Unit"]} for e in record["allowed"]
        ],
    }
    if record.get("node") is not None:
        claims["nodeId"] = record["node"]
    claims["issuedAt"] = iso_seconds(record["issued"])
    claims["expiration"] = iso_seconds(record["exp"])
    if metadata:
        claims["checkoutMetadata"] = {m.get("Name", ""): m.get("Value", "") for m in metadata}
    header: dict[str, Any] = {"alg": "PS384", "typ": "JWT"}
    if b.settings.signed_token_include_kid:
        header["kid"] = key_arn
    return encode(header, claims, b.kms.private_key(key_arn))


def _quantity(requested: dict[str, Any]) -> int:
    text = requested.get("Value")
    if text is None:
        return 1
    try:
        qty = int(text)
    except ValueError:
        raise fault(
            "ValidationException", f"Entitlement {requested['Name']}: Value must be a whole number, not {text!r}."
        ) from None
    if qty <= 0:
        raise fault("ValidationException", f"Entitlement {requested['Name']}: Value must be greater than 0.")
    return qty


def _allocate(
    b: Backend, lic: Doc, version: Doc, requested: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, int], list[str], list[str]]:
    """(allowed entitlements, counted quantities, names not in the license or of another unit, names exhausted)."""
    consumed = b.consumed(lic["arn"], version)
    entitlements = {e["Name"]: e for e in version["Entitlements"]}
    allowed: list[dict[str, Any]] = []
    quantities: dict[str, int] = {}
    not_allowed: list[str] = []
    exhausted: list[str] = []
    for req in requested:
        name = req["Name"]
        ent = entitlements.get(name)
        if ent is None or req["Unit"] != ent["Unit"]:
            not_allowed.append(name)
            continue
        if ent["Unit"] == "None":
            item = {"Name": name, "Unit": "None"}
            if ent.get("Value") is not None:
                item["Value"] = ent["Value"]
            allowed.append(item)
            continue
        qty = _quantity(req)
        total = consumed.get(name, 0) + quantities.get(name, 0) + qty
        if total > ent["MaxCount"] and not ent.get("Overage"):
            exhausted.append(name)
            continue
        quantities[name] = quantities.get(name, 0) + qty
        allowed.append({"Name": name, "Unit": ent["Unit"], "Value": str(qty)})
    return allowed, quantities, not_allowed, exhausted


def _require_consumable(b: Backend, lic: Doc, version: Doc) -> None:
    status = b.license_status(lic, version)
    if status != "AVAILABLE" or b.now() < version["_begin"]:
        raise fault("NoEntitlementsAllowedException", _NO_ENTITLEMENTS)


def _record(
    b: Backend,
    caller: Caller,
    lic: Doc,
    version: Doc,
    kind: str,
    allowed: list[dict[str, Any]],
    quantities: dict[str, int],
    ttl: int,
    *,
    grant: Doc | None,
    node: str | None,
    beneficiary: str | None,
) -> Doc:
    """Store a checkout and account its quantities."""
    issued = int(b.now())
    record: Doc = {
        "token": new_hex_id(),
        "license": lic["arn"],
        "version": version["Version"],
        "account": caller.account,
        "type": kind,
        "allowed": allowed,
        "quantities": quantities,
        "issued": issued,
        "exp": issued + ttl,
        "ttl": ttl,
        "grant": None if grant is None else grant["arn"],
        "node": node,
        "beneficiary": beneficiary,
        "checked_in": False,
    }
    b.store.put(CHECKOUT, record["token"], record)
    if kind == "PERPETUAL":
        counters = b.perpetual(lic["arn"])
        period = b.period(version)
        used = dict(counters["used"]) if counters["period"] == period else {}
        for name, qty in quantities.items():
            used[name] = used.get(name, 0) + qty
        b.store.put(USAGE, lic["arn"], {"period": period, "used": used})
    else:
        b.active().add(record["token"], lic["arn"], record["exp"], quantities)
    return record


def checkout_license(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """CheckoutLicense: locate by (ProductSKU, KeyFingerprint), newest usable license wins, partial fulfilment."""
    sku, key_fingerprint, beneficiary = p["ProductSKU"], p["KeyFingerprint"], p.get("Beneficiary")
    chosen: tuple[Doc, Doc | None] | None = None
    for lic in b.licenses_with_sku(sku):
        version = b.current(lic)
        if lic["deletion"] is not None or version["Issuer"]["KeyFingerprint"] != key_fingerprint:
            continue
        if beneficiary is not None:
            if lic["account"] == caller.account and version["Beneficiary"] == beneficiary:
                chosen = (lic, None)
        else:
            grant = b.usable_grant(lic["arn"], caller.account, "CheckoutLicense")
            if grant is not None:
                chosen = (lic, grant)
    if chosen is None:
        raise fault(
            b.settings.checkout_not_found_error,
            f"No license found for ProductSKU {sku} and KeyFingerprint {key_fingerprint}.",
        )
    lic, grant = chosen
    version = b.current(lic)
    if not b.settings.global_consumption and caller.region != lic["home"]:
        raise fault(
            "RedirectException", "Check out in the license home region.", Location=redirect_location(lic["home"])
        )
    _require_consumable(b, lic, version)
    config = version["ConsumptionConfiguration"]
    provisional = config.get("ProvisionalConfiguration")
    if provisional is not None:
        ttl = provisional["MaxTimeToLiveInMinutes"] * 60
    elif p["CheckoutType"] == "PROVISIONAL":
        raise fault("NoEntitlementsAllowedException", "The license has no provisional consumption configuration.")
    elif version.get("_end") is not None:
        ttl = max(int(version["_end"] - b.now()), 1)
    else:
        ttl = 3600
    allowed, quantities, _, _ = _allocate(b, lic, version, p["Entitlements"])
    if not allowed:
        raise fault("NoEntitlementsAllowedException", _NO_ENTITLEMENTS)
    record = _record(
        b,
        caller,
        lic,
        version,
        p["CheckoutType"],
        allowed,
        quantities,
        ttl,
        grant=grant,
        node=p.get("NodeId"),
        beneficiary=beneficiary,
    )
    body: dict[str, Any] = {
        "CheckoutType": p["CheckoutType"],
        "LicenseConsumptionToken": record["token"],
        "EntitlementsAllowed": [dict(e) for e in allowed],
        "IssuedAt": iso_seconds(record["issued"]),
        "Expiration": iso_seconds(record["exp"]),
        "LicenseArn": lic["arn"],
    }
    if record["node"] is not None:
        body["NodeId"] = record["node"]
    key_arn = _signing_key_arn(b, lic, version)
    if key_arn is not None:
        body["SignedToken"] = _signed_token(b, key_arn, record, None)
    return body


def checkout_borrow_license(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """CheckoutBorrowLicense: by ARN, all-or-nothing, always signed (§6.5)."""
    arn = p["LicenseArn"]
    lic = b.license(arn)
    if lic is None:
        raise fault("ResourceNotFoundException", f"License {arn} does not exist.")
    if p["DigitalSignatureMethod"] != "JWT_PS384":
        raise fault(
            "UnsupportedDigitalSignatureMethodException",
            f"Digital signature method {p['DigitalSignatureMethod']} is not supported.",
        )
    grant = None
    if lic["account"] != caller.account:
        grant = b.usable_grant(arn, caller.account, "CheckoutBorrowLicense")
        if grant is None:
            raise fault("AccessDeniedException", f"Account {caller.account} may not borrow license {arn}.")
    if caller.region != lic["home"]:
        raise fault("RedirectException", "Borrow in the license home region.", Location=redirect_location(lic["home"]))
    version = b.current(lic)
    _require_consumable(b, lic, version)
    borrow = version["ConsumptionConfiguration"].get("BorrowConfiguration")
    key_arn = _signing_key_arn(b, lic, version)
    if borrow is None or key_arn is None:
        raise fault("NoEntitlementsAllowedException", _NO_ENTITLEMENTS)
    allowed, quantities, not_allowed, exhausted = _allocate(b, lic, version, p["Entitlements"])
    if not_allowed:
        raise fault("EntitlementNotAllowedException", f"The entitlement is not allowed: {', '.join(not_allowed)}.")
    if exhausted or not allowed:
        raise fault("NoEntitlementsAllowedException", _NO_ENTITLEMENTS)
    ttl = borrow["MaxTimeToLiveInMinutes"] * 60
    record = _record(
        b, caller, lic, version, "BORROW", allowed, quantities, ttl, grant=grant, node=p.get("NodeId"), beneficiary=None
    )
    metadata = [dict(m) for m in p.get("CheckoutMetadata") or []]
    body: dict[str, Any] = {
        "LicenseArn": arn,
        "LicenseConsumptionToken": record["token"],
        "EntitlementsAllowed": [dict(e) for e in allowed],
        "SignedToken": _signed_token(b, key_arn, record, metadata),
        "IssuedAt": iso_seconds(record["issued"]),
        "Expiration": iso_seconds(record["exp"]),
    }
    if record["node"] is not None:
        body["NodeId"] = record["node"]
    if metadata:
        body["CheckoutMetadata"] = metadata
    return body


def _outstanding(b: Backend, caller: Caller, token: str) -> Doc:
    record = b.store.get(CHECKOUT, token)
    if record is None or record["checked_in"]:
        raise fault("ResourceNotFoundException", f"License consumption token {token} does not exist or was checked in.")
    if record["account"] != caller.account:
        raise fault("AccessDeniedException", f"Account {caller.account} did not check out token {token}.")
    return record


def _expired(b: Backend, record: Doc) -> ServiceFault | None:
    if record["exp"] <= b.now():
        return fault("ResourceNotFoundException", f"License consumption token {record['token']} has expired.")
    return None


def _version_of(b: Backend, record: Doc) -> tuple[Doc, Doc]:
    lic = b.license(record["license"])
    if lic is None:
        raise fault("ResourceNotFoundException", f"License {record['license']} does not exist.")
    found = [v for v in lic["versions"] if v["Version"] == record["version"]]
    return lic, found[0] if found else b.current(lic)


def _require_operation(b: Backend, record: Doc, operation: str) -> Doc | None:
    if record["grant"] is None:
        return None
    grant = b.grant(record["grant"])
    if grant is None or operation not in grant["versions"][-1]["GrantedOperations"]:
        raise fault("AccessDeniedException", f"The grant does not allow {operation}.")
    return grant


def check_in_license(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """CheckInLicense: return floating quantities to the pool (§6.6)."""
    record = _outstanding(b, caller, p["LicenseConsumptionToken"])
    if record["type"] == "PERPETUAL":
        raise fault("ConflictException", "PERPETUAL checkouts cannot be checked in.")
    expired = _expired(b, record)
    if expired is not None:
        raise expired
    if p.get("Beneficiary") is not None and p["Beneficiary"] != record["beneficiary"]:
        raise fault("ValidationException", "Beneficiary does not match the checkout.")
    _require_operation(b, record, "CheckInLicense")
    _, version = _version_of(b, record)
    if record["type"] == "BORROW":
        borrow = version["ConsumptionConfiguration"].get("BorrowConfiguration") or {}
        if not borrow.get("AllowEarlyCheckIn"):
            raise fault("ConflictException", "Early check-in is not allowed for this borrowed license.")
    else:
        entitlements = {e["Name"]: e for e in version["Entitlements"]}
        refused = [n for n in record["quantities"] if not entitlements.get(n, {}).get("AllowCheckIn")]
        if refused:
            raise fault("ConflictException", f"Check-in is not allowed for entitlements {', '.join(refused)}.")
    b.store.put(CHECKOUT, record["token"], {**record, "checked_in": True})
    b.active().remove(record["token"])
    return {}


def extend_license_consumption(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """ExtendLicenseConsumption: Expiration = now + TTL for PROVISIONAL checkouts; DryRun changes nothing (§6.7)."""
    record = _outstanding(b, caller, p["LicenseConsumptionToken"])
    expired = _expired(b, record)
    if expired is not None:
        raise expired
    if record["type"] != "PROVISIONAL":
        raise fault("ValidationException", f"{record['type']} checkouts cannot be extended.")
    grant = _require_operation(b, record, "ExtendConsumptionLicense")
    if grant is not None and grant["versions"][-1]["GrantStatus"] != "ACTIVE":
        raise fault("ValidationException", "The grant for this license is no longer active.")
    lic, _ = _version_of(b, record)
    current = b.current(lic)
    if b.license_status(lic, current) != "AVAILABLE":
        raise fault("ValidationException", f"License {lic['arn']} is {b.license_status(lic, current)}.")
    if p.get("DryRun"):
        return {"LicenseConsumptionToken": record["token"], "Expiration": iso_seconds(record["exp"])}
    provisional = current["ConsumptionConfiguration"].get("ProvisionalConfiguration")
    ttl = provisional["MaxTimeToLiveInMinutes"] * 60 if provisional else record["ttl"]
    expiry = int(b.now()) + ttl
    b.store.put(CHECKOUT, record["token"], {**record, "exp": expiry})
    b.active().extend(record["token"], expiry)
    return {"LicenseConsumptionToken": record["token"], "Expiration": iso_seconds(expiry)}
