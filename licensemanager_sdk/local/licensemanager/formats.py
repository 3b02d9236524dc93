"""Identifier, time and principal formats of License Manager (SERVICE.md §2), and wire renderings of stored
licenses and grants."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from ..core.store import Doc

__all__ = [
    "ALL_OPERATIONS",
    "MARKETPLACE_ACCOUNT",
    "MARKETPLACE_ISSUER",
    "account_principal",
    "account_root_arn",
    "fingerprint",
    "grant_arn",
    "iso_ms",
    "iso_seconds",
    "iso_z",
    "license_arn",
    "months_between",
    "new_hex_id",
    "parse_iso",
    "parse_principal",
    "redirect_location",
    "render_grant",
    "render_license",
]

#: The seven operations a grant on an owned license may allow, plus the newer ListReceivedLicenses.
ALL_OPERATIONS = (
    "CreateGrant",
    "CheckoutLicense",
    "CheckoutBorrowLicense",
    "CheckInLicense",
    "ExtendConsumptionLicense",
    "ListPurchasedLicenses",
    "CreateToken",
    "ListReceivedLicenses",
)
MARKETPLACE_ACCOUNT = "294406891311"
MARKETPLACE_ISSUER = "AWS/Marketplace"

_ACCOUNT_PRINCIPAL = re.compile(r"arn:aws:iam::(\d{12}):root")
_ORG_PRINCIPAL = re.compile(r"arn:aws:organizations::(\d{12}):organization/(o-[a-z0-9]{10,32})")
_OU_PRINCIPAL = re.compile(r"arn:aws:organizations::(\d{12}):ou/(o-[a-z0-9]{10,32})/(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})")
_ISO = re.compile(
    r"(-?(?:[1-9][0-9]*)?[0-9]{4})-(1[0-2]|0[1-9])-(3[0-1]|0[1-9]|[1-2][0-9])T(2[0-3]|[0-1][0-9]):([0-5][0-9]):([0-5][0-9])"
    r"(\.[0-9]+)?(Z|[+-](?:2[0-3]|[0-1][0-9]):[0-5][0-9])"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def new_hex_id() -> str:
    """32 lowercase hex characters."""
    return uuid.uuid4().hex


def license_arn(account: str, hex_id: str) -> str:
    """Global (region-less) license ARN."""
    return f"arn:aws:license-manager::{account}:license:l-{hex_id}"


def grant_arn(account: str, hex_id: str) -> str:
    """Global (region-less) grant ARN."""
    return f"arn:aws:license-manager::{account}:grant:g-{hex_id}"


def account_root_arn(account: str) -> str:
    """The principal ARN of an account."""
    return f"arn:aws:iam::{account}:root"


def fingerprint(account: str, issuer_name: str) -> str:
    """Issuer key fingerprint (§2.3)."""
    return f"aws:{account}:{issuer_name}:issuer-fingerprint"


def redirect_location(region: str) -> str:
    """RedirectException Location: the home region's endpoint (§12 ASSUMPTION)."""
    return f"https://license-manager.{region}.amazonaws.com"


def parse_principal(arn: str) -> tuple[str, str, str | None] | None:
    """("account", account, None) | ("organization", org-id, None) | ("ou", org-id, ou-id), or None."""
    if m := _ACCOUNT_PRINCIPAL.fullmatch(arn):
        return "account", m.group(1), None
    if m := _ORG_PRINCIPAL.fullmatch(arn):
        return "organization", m.group(2), None
    if m := _OU_PRINCIPAL.fullmatch(arn):
        return "ou", m.group(2), m.group(3)
    return None


def account_principal(arn: str) -> str | None:
    """The account id of an account principal ARN, else None."""
    m = _ACCOUNT_PRINCIPAL.fullmatch(arn)
    return m.group(1) if m else None


def _utc(ts: float) -> datetime:
    return _EPOCH + timedelta(seconds=ts)


def iso_ms(ts: float) -> str:
    """`YYYY-MM-DDTHH:MM:SS.sssZ` (Validity output)."""
    dt = _utc(ts)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_seconds(ts: float) -> str:
    """`YYYY-MM-DDTHH:MM:SS`, zone-less UTC (IssuedAt, Expiration)."""
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%S")


def iso_z(ts: float) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` (DeletionDate, token ExpirationTime)."""
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    """Epoch seconds of an ISO8601DateTime input; ValueError when it is not one."""
    m = _ISO.fullmatch(text)
    if m is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, frac, zone = m.groups()
    dt = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=timezone.utc)
    ts = (dt - _EPOCH).total_seconds() + (float(frac) if frac else 0.0)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        ts -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return ts


def months_between(start: float, end: float) -> int:
    """Whole calendar months from `start` to `end` (0 when end < one month after start)."""
    a, b = _utc(start), _utc(end)
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if (b.day, b.time()) < (a.day, a.time()):
        months -= 1
    return max(months, 0)


_LICENSE_FIELDS = (
    "LicenseArn",
    "LicenseName",
    "ProductName",
    "ProductSKU",
    "Issuer",
    "HomeRegion",
    "Status",
    "Validity",
    "Beneficiary",
    "Entitlements",
    "ConsumptionConfiguration",
    "LicenseMetadata",
    "CreateTime",
    "Version",
)


def render_license(version: Doc, status: str) -> dict[str, Any]:
    """A stored license version as the wire `License` shape (fresh containers, safe to hand out)."""
    out: dict[str, Any] = {}
    for name in _LICENSE_FIELDS:
        if name == "Status":
            out[name] = status
            continue
        value = version.get(name)
        if value is None:
            continue
        if isinstance(value, list):
            value = [dict(v) for v in value]
        elif isinstance(value, dict):
            value = {k: dict(v) if isinstance(v, dict) else v for k, v in value.items()}
        out[name] = value
    return out


def render_grant(grant: Doc, version: Doc | None = None) -> dict[str, Any]:
    """A stored grant (its current version, or `version`) as the wire `Grant` shape."""
    v = version if version is not None else grant["versions"][-1]
    out: dict[str, Any] = {
        "GrantArn": grant["arn"],
        "GrantName": v["GrantName"],
        "ParentArn": grant["parent"],
        "LicenseArn": grant["license"],
        "GranteePrincipalArn": grant["principal"],
        "HomeRegion": grant["home"],
        "GrantStatus": v["GrantStatus"],
        "Version": v["Version"],
        "GrantedOperations": list(v["GrantedOperations"]),
    }
    if v.get("StatusReason"):
        out["StatusReason"] = v["StatusReason"]
    if v.get("Options"):
        out["Options"] = dict(v["Options"])
    if v.get("GrantType"):
        out["GrantType"] = v["GrantType"]
    return out
