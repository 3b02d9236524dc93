"""License Manager's own identifier and principal formats (SERVICE.md §2); shared ids and times are in
`core/ids.py`."""

from __future__ import annotations

import re

__all__ = [
    "ALL_OPERATIONS",
    "MARKETPLACE_ACCOUNT",
    "MARKETPLACE_ISSUER",
    "account_principal",
    "fingerprint",
    "grant_arn",
    "license_arn",
    "parse_principal",
    "redirect_location",
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


def license_arn(account: str, hex_id: str) -> str:
    """Global (region-less) license ARN."""
    return f"arn:aws:license-manager::{account}:license:l-{hex_id}"


def grant_arn(account: str, hex_id: str) -> str:
    """Global (region-less) grant ARN."""
    return f"arn:aws:license-manager::{account}:grant:g-{hex_id}"


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
