"""AWS Marketplace licenses in the local service: seeding one for a buyer, and the key that signs its tokens.

What both `LocalLicenseManager.seed_marketplace_license` and `POST /_local/marketplace/licenses` call.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization

from .engine import Engine
from .licensemanager.formats import MARKETPLACE_ACCOUNT, MARKETPLACE_ISSUER, fingerprint

__all__ = [
    "MARKETPLACE_ACCOUNT",
    "MARKETPLACE_FINGERPRINT",
    "MARKETPLACE_ISSUER",
    "MarketplaceLicense",
    "marketplace_public_key_pem",
    "seed_marketplace_license",
]

MARKETPLACE_FINGERPRINT = fingerprint(MARKETPLACE_ACCOUNT, MARKETPLACE_ISSUER)
"""`aws:294406891311:AWS/Marketplace:issuer-fingerprint`: the KeyFingerprint a product checks out with."""


@dataclass(frozen=True, slots=True)
class MarketplaceLicense:
    """A seeded AWS Marketplace license: its ARN (issuer account 294406891311) and the buyer's ACTIVE grant."""

    license_arn: str
    grant_arn: str


def _validity_end(value: str | _dt.datetime | None) -> str | None:
    if not isinstance(value, _dt.datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)  # a naive datetime is UTC, as everywhere in the SDK
    return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_marketplace_license(
    engine: Engine,
    *,
    buyer_account: str,
    product_sku: str,
    entitlements: Iterable[Mapping[str, Any]],
    region: str,
    product_name: str,
    validity_end: str | _dt.datetime | None,
    signed: bool,
) -> MarketplaceLicense:
    """Create the license and its ACTIVE grant to `buyer_account`; ValueError for what CreateLicense would refuse."""
    license_arn = engine.seed_marketplace_license(
        buyer_account=buyer_account,
        product_sku=product_sku,
        entitlements=[dict(entitlement) for entitlement in entitlements],
        region=region,
        product_name=product_name,
        validity_end=_validity_end(validity_end),
        signed=signed,
    )
    return MarketplaceLicense(license_arn, engine.marketplace_grant_arn(license_arn))


def marketplace_public_key_pem(engine: Engine) -> str:
    """The PEM public key (SubjectPublicKeyInfo) that verifies the SignedTokens of seeded Marketplace licenses."""
    key = serialization.load_der_public_key(engine.marketplace_public_key_der())
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem.decode("ascii")
