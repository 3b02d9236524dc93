"""Compact JWS (JWT) encoding and RSA signing with `cryptography`: PS384 for signed checkout tokens, RS256 for
refresh and access tokens."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["b64url_decode", "b64url_encode", "decode_unverified", "encode", "sign", "verify"]


def b64url_encode(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; ValueError when malformed."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("malformed base64url") from exc


def _json(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def _padding(alg: str) -> tuple[padding.AsymmetricPadding, hashes.HashAlgorithm]:
    if alg == "PS384":
        return padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48), hashes.SHA384()
    if alg == "RS256":
        return padding.PKCS1v15(), hashes.SHA256()
    raise ValueError(f"unsupported JWS alg {alg}")


def sign(key: rsa.RSAPrivateKey, alg: str, data: bytes) -> bytes:
    """RSA signature of `data` for a JWS `alg` (PS384: PSS, MGF1-SHA384, salt 48; RS256: PKCS#1 v1.5)."""
    pad, digest = _padding(alg)
    return key.sign(data, pad, digest)


def verify(key: rsa.RSAPublicKey, alg: str, data: bytes, signature: bytes) -> bool:
    """Whether `signature` is a valid `alg` signature of `data`."""
    pad, digest = _padding(alg)
    try:
        key.verify(signature, data, pad, digest)
    except InvalidSignature:
        return False
    return True


def encode(header: dict[str, Any], payload: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    """A compact JWS of `payload`, signed with `key` using `header["alg"]`."""
    signing_input = b64url_encode(_json(header)) + "." + b64url_encode(_json(payload))
    signature = sign(key, str(header["alg"]), signing_input.encode("ascii"))
    return signing_input + "." + b64url_encode(signature)


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """(header, payload, signing input, signature) of a compact JWS; ValueError when malformed."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("a JWT has three segments")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("malformed JWT segment") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ValueError("JWT header and payload must be objects")
    return header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), b64url_decode(parts[2])
