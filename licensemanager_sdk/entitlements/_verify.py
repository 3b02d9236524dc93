"""Offline verification of the SignedToken of CheckoutLicense / CheckoutBorrowLicense (SERVICE.md §7).

Compact JWS, header `alg` PS384 only (checked before any cryptography), RSASSA-PSS SHA-384 with MGF1-SHA-384 and a
48-byte salt (RFC 7518 §3.5), expiry from the `expiration` claim (an ISO 8601 time; no zone means UTC); the registered
claims `exp`, `nbf` and `iat` are checked too when present. Tokens over 64 KiB, non-canonical base64url, duplicate JSON
keys and claims of the wrong type are refused: whatever the input, the only error is `TokenVerificationError`.
`cryptography` is imported on first use, so importing the SDK stays cheap.
"""

from __future__ import annotations

import base64
import json
import math
import re
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError
from pydantic import ValidationError

from licensemanager_sdk._exceptions import TokenVerificationError
from licensemanager_sdk.types import EntitlementData

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

__all__ = [
    "MAX_TOKEN_CHARS",
    "KmsClient",
    "PublicKeySource",
    "VerifiedToken",
    "load_public_key",
    "quantity_of",
    "verify",
]

PublicKeySource = str | bytes
"""A public key: PEM text or bytes (`-----BEGIN PUBLIC KEY-----`), or DER SubjectPublicKeyInfo bytes (what KMS
GetPublicKey returns)."""

_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")
_ALG = "PS384"
_KMS_ALGORITHM = "RSASSA_PSS_SHA_384"
MAX_TOKEN_CHARS = 64 * 1024
"""Longest SignedToken read (one with a hundred entitlements is under 16 KiB); longer ones are refused unread."""
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


# Public keys fetched with GetPublicKey, per KMS client (so per account, region and endpoint), by the key id asked
# and by the key ARN KMS answered with: an alias never resolves through another client's cache.
_key_cache: weakref.WeakKeyDictionary[Any, dict[str, RSAPublicKey]] = weakref.WeakKeyDictionary()
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
    with a boto3 `kms_client`: its public key is fetched once with KMS GetPublicKey and cached for that client
    (a key fetched through one client, so one account, region and endpoint, is never used for another).

    Args:
        signed_token: the `SignedToken` of a checkout response (compact JWS, at most `MAX_TOKEN_CHARS`).
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
            "algorithm",
            f"header alg is {_short(alg)}; License Manager signs with PS384 only, so nothing else is accepted",
        )
    if "crit" in header:
        raise TokenVerificationError("malformed", f"unsupported critical header parameters {_short(header['crit'])}")
    key = _resolve_key(public_key, kms_key_id, kms_client)
    _check_signature(key, f"{header_b64}.{payload_b64}".encode("ascii"), _b64(signature_b64, "signature"))
    claims = _json_object(payload_b64, "payload")
    return _claims(claims, signed_token, license_arn=license_arn, node_id=node_id, now=now, leeway=leeway)


def load_public_key(key: PublicKeySource) -> RSAPublicKey:
    """An RSA public key from PEM text/bytes or DER SubjectPublicKeyInfo bytes."""
    # lazy: cryptography is loaded only by applications that verify tokens, not by every lease
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


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _segments(token: str) -> tuple[str, str, str]:
    if not isinstance(token, str):
        raise TokenVerificationError("malformed", f"expected the token as str, got {type(token).__name__}")
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenVerificationError(
            "malformed", f"the token is {len(token)} characters long; tokens over {MAX_TOKEN_CHARS} are not read"
        )
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]) or not all(_SEGMENT.fullmatch(p) for p in parts):
        raise TokenVerificationError(
            "malformed", "not a compact JWS: expected three base64url segments (no padding) separated by '.'"
        )
    return parts[0], parts[1], parts[2]


def _b64(segment: str, what: str) -> bytes:
    """Decode canonical unpadded base64url: the one encoding of the bytes, unused trailing bits zero."""
    if len(segment) % 4 == 1:
        raise TokenVerificationError("malformed", f"the {what} is not base64url (impossible length)")
    data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != segment:
        raise TokenVerificationError("malformed", f"the {what} is not canonical base64url (unused bits set)")
    return data


def _json_object(segment: str, what: str) -> dict[str, Any]:
    raw = _b64(segment, what)
    try:
        value = json.loads(
            raw.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constant, parse_float=_finite
        )
    except RecursionError:
        raise TokenVerificationError("malformed", f"the {what} is nested too deeply") from None
    except json.JSONDecodeError as err:
        raise TokenVerificationError("malformed", f"the {what} is not JSON ({err.msg})") from None
    except UnicodeDecodeError:
        raise TokenVerificationError("malformed", f"the {what} is not UTF-8 text") from None
    except ValueError as err:  # e.g. an integer longer than Python's int max-str-digits
        raise TokenVerificationError(
            "malformed", f"the {what} holds an unreadable value ({_short(str(err))})"
        ) from None
    if not isinstance(value, dict):
        raise TokenVerificationError("malformed", f"the {what} is not a JSON object")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise TokenVerificationError("malformed", "a JSON object repeats a key, so its meaning is ambiguous")
    return value


def _no_constant(name: str) -> Any:
    raise TokenVerificationError("malformed", f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise TokenVerificationError("malformed", "a JSON number is out of range")
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
        cached = _client_cache(kms_client).get(kms_key_id)
    if cached is not None:
        return cached
    resolved, key = _fetch_public_key(kms_client, kms_key_id)
    with _key_cache_lock:
        keys = _client_cache(kms_client)
        keys[kms_key_id] = keys[resolved] = key
    return key


def _client_cache(kms_client: KmsClient) -> dict[str, RSAPublicKey]:
    try:
        return _key_cache.setdefault(kms_client, {})
    except TypeError:  # a KMS client that cannot be weakly referenced is simply not cached
        return {}


def _fetch_public_key(kms_client: KmsClient, kms_key_id: str) -> tuple[str, RSAPublicKey]:
    """GetPublicKey: (the key ARN KMS answered with, the key); any KMS refusal is a `key` TokenVerificationError."""
    where = "check the key id (the license's Issuer.SignKey), the client's account and region, and kms:GetPublicKey"
    try:
        answer = kms_client.get_public_key(KeyId=kms_key_id)
    except ClientError as err:
        error = err.response.get("Error", {})
        raise TokenVerificationError(
            "key", f"KMS refused GetPublicKey for {kms_key_id} ({error.get('Code')}: {error.get('Message')}); {where}"
        ) from err
    usage, algorithms = answer.get("KeyUsage"), answer.get("SigningAlgorithms")
    if (usage is not None and usage != "SIGN_VERIFY") or (algorithms is not None and _KMS_ALGORITHM not in algorithms):
        raise TokenVerificationError(
            "key", f"KMS key {kms_key_id} does not sign with {_KMS_ALGORITHM} (KeyUsage {usage}); {where}"
        )
    der = answer.get("PublicKey")
    if not isinstance(der, (bytes, bytearray)):
        raise TokenVerificationError("key", f"KMS returned no public key for {kms_key_id}; {where}")
    return str(answer.get("KeyId") or kms_key_id), load_public_key(bytes(der))


def _check_signature(key: RSAPublicKey, signing_input: bytes, signature: bytes) -> None:
    # lazy: cryptography is loaded only by applications that verify tokens, not by every lease
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
    if not isinstance(text, str):
        raise TokenVerificationError("claims", f"claim {name} is a {type(text).__name__}, not an ISO 8601 string")
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise TokenVerificationError("claims", f"claim {name} is not an ISO 8601 time: {_short(text)}") from None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _numeric_date(claims: Mapping[str, Any], name: str) -> datetime | None:
    """A registered NumericDate claim (`exp`, `nbf`, `iat`: seconds since the epoch), or None when absent."""
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TokenVerificationError("claims", f"claim {name} is a {type(value).__name__}, not a number of seconds")
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise TokenVerificationError("claims", f"claim {name} is out of the range of dates") from None


def _check_times(
    claims: Mapping[str, Any], issued_at: datetime, expiration: datetime, at: datetime, slack: timedelta
) -> None:
    ends = [expiration, *(t for t in [_numeric_date(claims, "exp")] if t is not None)]
    starts = [issued_at, *(t for t in (_numeric_date(claims, n) for n in ("nbf", "iat")) if t is not None)]
    try:
        expired = [end for end in ends if at >= end + slack]
        early = [start for start in starts if start - slack > at]
    except OverflowError:
        raise TokenVerificationError("claims", "a time claim plus the leeway is out of the range of dates") from None
    if expired:
        raise TokenVerificationError(
            "expired", f"the token expired at {min(expired).isoformat()} (now {at.isoformat()})"
        )
    if early:
        raise TokenVerificationError(
            "not_yet_valid", f"the token is valid from {max(early).isoformat()}, in the future"
        )


def _optional_str(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is not None and not isinstance(value, str):
        raise TokenVerificationError("claims", f"claim {name} is a {type(value).__name__}, not a string")
    return value


def _entitlements(raw: Any) -> tuple[EntitlementData, ...]:
    shape = "entitlementsAllowed is not a list of {name, value, unit} with string members"
    if not isinstance(raw, list) or not all(isinstance(e, dict) and "name" in e for e in raw):
        raise TokenVerificationError("claims", shape)
    for e in raw:
        if not isinstance(e["name"], str) or any(
            not isinstance(e.get(k), (str, type(None))) for k in ("value", "unit")
        ):
            raise TokenVerificationError("claims", shape)
    try:
        return tuple(
            EntitlementData.model_validate({"Name": e["name"], "Value": e.get("value"), "Unit": e.get("unit")})
            for e in raw
        )
    except ValidationError:
        raise TokenVerificationError("claims", shape) from None


def _claims(
    claims: dict[str, Any],
    signed_token: str,
    *,
    license_arn: str | None,
    node_id: str | None,
    now: datetime | None,
    leeway: float | timedelta,
) -> VerifiedToken:
    missing = [c for c in _REQUIRED_CLAIMS if c not in claims]
    if missing:
        raise TokenVerificationError("claims", f"missing claim(s) {', '.join(missing)}")
    for name in ("licenseArn", "licenseConsumptionToken"):
        _optional_str(claims, name)
    issued_at, expiration = _time_claim(claims, "issuedAt"), _time_claim(claims, "expiration")
    slack = leeway if isinstance(leeway, timedelta) else timedelta(seconds=leeway)
    at = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    at = at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at
    _check_times(claims, issued_at, expiration, at, slack)
    if license_arn is not None and claims["licenseArn"] != license_arn:
        raise TokenVerificationError("license_arn", f"the token is for {claims['licenseArn']}, not {license_arn}")
    token_node = _optional_str(claims, "nodeId")
    if node_id is not None and token_node != node_id:
        raise TokenVerificationError("node_id", f"the token is locked to node {_short(token_node)}, not {node_id!r}")
    entitlements = _entitlements(claims["entitlementsAllowed"])
    metadata = claims.get("checkoutMetadata") or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise TokenVerificationError("claims", "checkoutMetadata is not an object of strings")
    return VerifiedToken(
        license_arn=claims["licenseArn"],
        consumption_token=claims["licenseConsumptionToken"],
        entitlements=entitlements,
        issued_at=issued_at,
        expiration=expiration,
        node_id=token_node,
        checkout_metadata=dict(metadata),
        claims=claims,
        signed_token=signed_token,
    )
