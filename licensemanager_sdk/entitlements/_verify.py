"""Offline verification of the SignedToken of CheckoutLicense / CheckoutBorrowLicense (SERVICE.md §7).

Compact JWS, header `alg` PS384 only (checked before any cryptography), RSASSA-PSS SHA-384 with MGF1-SHA-384 and a
48-byte salt (RFC 7518 §3.5), expiry from the `expiration` claim (an ISO 8601 time; no zone means UTC).
`cryptography` is imported on first use, so importing the SDK stays cheap.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from licensemanager_sdk._exceptions import TokenVerificationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    from licensemanager_sdk.types import EntitlementData

__all__ = ["KmsClient", "PublicKeySource", "VerifiedToken", "load_public_key", "quantity_of", "verify"]

PublicKeySource = str | bytes
"""A public key: PEM text or bytes (`-----BEGIN PUBLIC KEY-----`), or DER SubjectPublicKeyInfo bytes (what KMS
GetPublicKey returns)."""

_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")
_ALG = "PS384"
_REQUIRED_CLAIMS = ("licenseArn", "licenseConsumptionToken", "entitlementsAllowed", "issuedAt", "expiration")


class KmsClient(Protocol):
    """What `verify(kms_key_id=...)` needs: a boto3 KMS client (or anything with `get_public_key`)."""

    def get_public_key(self, *, KeyId: str) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class VerifiedToken:
    """The claims of a SignedToken whose signature, algorithm and expiry were checked.

    `has()` and `quantity()` answer from the claims, without any network call.
    """

    license_arn: str
    consumption_token: str = field(repr=False)
    entitlements: tuple[EntitlementData, ...]
    issued_at: datetime
    expiration: datetime
    node_id: str | None
    checkout_metadata: Mapping[str, str]
    claims: Mapping[str, Any] = field(repr=False)
    """Every claim of the payload, as sent."""
    signed_token: str = field(repr=False)

    def has(self, name: str) -> bool:
        """Whether the token grants the entitlement `name`."""
        return any(e.name == name for e in self.entitlements)

    def quantity(self, name: str) -> Decimal:
        """The quantity granted of `name`: the checked-out count, `0` for an unlimited (Unit None) or absent one."""
        for e in self.entitlements:
            if e.name == name:
                return quantity_of(e)
        return Decimal(0)


def quantity_of(entitlement: EntitlementData) -> Decimal:
    """The checked-out quantity of a counted entitlement; `0` for an unlimited one (Unit None) or a non-number."""
    if entitlement.unit is None or str(entitlement.unit) == "None":
        return Decimal(0)
    return entitlement.value_number or Decimal(0)


_key_cache: dict[str, RSAPublicKey] = {}
_key_cache_lock = threading.Lock()


def verify(
    signed_token: str,
    *,
    public_key: PublicKeySource | None = None,
    kms_key_id: str | None = None,
    kms_client: KmsClient | None = None,
    license_arn: str | None = None,
    node_id: str | None = None,
    now: datetime | None = None,
    leeway: float | timedelta = 0.0,
) -> VerifiedToken:
    """Verify a SignedToken offline and return its claims.

    Give the issuer's public key as `public_key` (PEM or DER), or `kms_key_id` (the license's `Issuer.SignKey`)
    with a boto3 `kms_client`: its public key is fetched once with KMS GetPublicKey and cached per key id.

    Args:
        signed_token: the `SignedToken` of a checkout response (compact JWS).
        license_arn: when given, the `licenseArn` claim must equal it.
        node_id: when given, the `nodeId` claim must equal it.
        now: the time to check expiry against (default: the current UTC time); a naive datetime is UTC.
        leeway: seconds (or a timedelta) of clock skew tolerated on `expiration` and `issuedAt`.

    Raises:
        TokenVerificationError: with `.reason` `malformed`, `algorithm` (anything but PS384, refused before any
            cryptography), `key`, `signature`, `claims`, `expired`, `not_yet_valid`, `license_arn` or `node_id`.
    """
    header_b64, payload_b64, signature_b64 = _segments(signed_token)
    header = _json_object(header_b64, "header")
    alg = header.get("alg")
    if alg != _ALG:
        raise TokenVerificationError(
            "algorithm", f"header alg is {alg!r}; License Manager signs with PS384 only, so nothing else is accepted"
        )
    if "crit" in header:
        raise TokenVerificationError("malformed", f"unsupported critical header parameters {header['crit']!r}")
    key = _resolve_key(public_key, kms_key_id, kms_client)
    _check_signature(key, f"{header_b64}.{payload_b64}".encode("ascii"), _b64(signature_b64, "signature"))
    claims = _json_object(payload_b64, "payload")
    return _claims(claims, signed_token, license_arn=license_arn, node_id=node_id, now=now, leeway=leeway)


def load_public_key(key: PublicKeySource) -> RSAPublicKey:
    """An RSA public key from PEM text/bytes or DER SubjectPublicKeyInfo bytes."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key

    data = key.encode("ascii", "replace") if isinstance(key, str) else bytes(key)
    try:
        loaded = load_pem_public_key(data) if data.lstrip().startswith(b"-----") else load_der_public_key(data)
    except (ValueError, TypeError) as err:
        raise TokenVerificationError(
            "key", f"the public key is neither PEM nor DER SubjectPublicKeyInfo ({err})"
        ) from err
    if not isinstance(loaded, RSAPublicKey):
        raise TokenVerificationError("key", f"PS384 needs an RSA public key, not {type(loaded).__name__}")
    return loaded


def _segments(token: str) -> tuple[str, str, str]:
    if not isinstance(token, str):
        raise TokenVerificationError("malformed", f"expected the token as str, got {type(token).__name__}")
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]) or not all(_SEGMENT.fullmatch(p) for p in parts):
        raise TokenVerificationError(
            "malformed", "not a compact JWS: expected three base64url segments (no padding) separated by '.'"
        )
    return parts[0], parts[1], parts[2]


def _b64(segment: str, what: str) -> bytes:
    import base64
    import binascii

    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as err:
        raise TokenVerificationError("malformed", f"the {what} is not base64url") from err


def _json_object(segment: str, what: str) -> dict[str, Any]:
    import json

    try:
        value = json.loads(_b64(segment, what))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise TokenVerificationError("malformed", f"the {what} is not JSON") from err
    if not isinstance(value, dict):
        raise TokenVerificationError("malformed", f"the {what} is not a JSON object")
    return value


def _resolve_key(public_key: PublicKeySource | None, kms_key_id: str | None, kms_client: KmsClient | None) -> Any:
    if public_key is not None:
        if kms_key_id is not None:
            raise ValueError("pass public_key= or kms_key_id=, not both")
        return load_public_key(public_key)
    if kms_key_id is None:
        raise ValueError("pass the issuer's public key: public_key=<PEM or DER> or kms_key_id=... with kms_client=")
    if kms_client is None:
        raise ValueError("kms_key_id= needs kms_client= (a boto3 KMS client allowed kms:GetPublicKey on the key)")
    with _key_cache_lock:
        cached = _key_cache.get(kms_key_id)
    if cached is not None:
        return cached
    der = kms_client.get_public_key(KeyId=kms_key_id)["PublicKey"]
    key = load_public_key(bytes(der))
    with _key_cache_lock:
        _key_cache[kms_key_id] = key
    return key


def _check_signature(key: RSAPublicKey, signing_input: bytes, signature: bytes) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48)
    try:
        key.verify(signature, signing_input, pss, hashes.SHA384())
    except InvalidSignature:
        raise TokenVerificationError(
            "signature",
            "the PS384 signature does not match: the token was altered, or it was signed by another key "
            "(use the public key of the license's Issuer.SignKey)",
        ) from None


def _time_claim(claims: Mapping[str, Any], name: str) -> datetime:
    text = claims[name]
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise TokenVerificationError("claims", f"claim {name} is not an ISO 8601 time: {text!r}") from None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _claims(
    claims: dict[str, Any],
    signed_token: str,
    *,
    license_arn: str | None,
    node_id: str | None,
    now: datetime | None,
    leeway: float | timedelta,
) -> VerifiedToken:
    from licensemanager_sdk.types import EntitlementData

    missing = [c for c in _REQUIRED_CLAIMS if c not in claims]
    if missing:
        raise TokenVerificationError("claims", f"missing claim(s) {', '.join(missing)}")
    issued_at, expiration = _time_claim(claims, "issuedAt"), _time_claim(claims, "expiration")
    slack = leeway if isinstance(leeway, timedelta) else timedelta(seconds=leeway)
    at = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    at = at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at
    if at >= expiration + slack:
        raise TokenVerificationError("expired", f"the token expired at {expiration.isoformat()} (now {at.isoformat()})")
    if issued_at - slack > at:
        raise TokenVerificationError("not_yet_valid", f"issuedAt {issued_at.isoformat()} is in the future")
    if license_arn is not None and claims["licenseArn"] != license_arn:
        raise TokenVerificationError("license_arn", f"the token is for {claims['licenseArn']}, not {license_arn}")
    if node_id is not None and claims.get("nodeId") != node_id:
        raise TokenVerificationError(
            "node_id", f"the token is locked to node {claims.get('nodeId')!r}, not {node_id!r}"
        )
    raw = claims["entitlementsAllowed"]
    if not isinstance(raw, list) or not all(isinstance(e, dict) and "name" in e for e in raw):
        raise TokenVerificationError("claims", "entitlementsAllowed is not a list of {name, value, unit}")
    entitlements = tuple(
        EntitlementData.model_validate({"Name": e["name"], "Value": e.get("value"), "Unit": e.get("unit")}) for e in raw
    )
    metadata = claims.get("checkoutMetadata") or {}
    return VerifiedToken(
        license_arn=str(claims["licenseArn"]),
        consumption_token=str(claims["licenseConsumptionToken"]),
        entitlements=entitlements,
        issued_at=issued_at,
        expiration=expiration,
        node_id=None if claims.get("nodeId") is None else str(claims["nodeId"]),
        checkout_metadata={str(k): str(v) for k, v in dict(metadata).items()},
        claims=claims,
        signed_token=signed_token,
    )
