"""Refresh/access tokens on typed state: CreateToken, DeleteToken, ListTokens, GetAccessToken (SERVICE.md §8).

Refresh and access tokens are RS256 JWTs signed with an emulator-owned RSA key kept with the state.
Wire parameters are read, and answers rendered, in `responses.py`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..core.caller import Caller
from ..core.faults import fault
from ..core.ids import iso_z, new_uuid
from ..core.jwt import decode_unverified, encode, verify
from ..kms.backend import generate_rsa_key
from .backend import Backend
from .formats import redirect_location
from .models import SECRETS, TOKENS, Token, TokenSigningKey

__all__ = [
    "ISSUER",
    "create_token",
    "delete_token",
    "get_access_token",
    "refresh_token_active",
    "signed_claims",
    "token_signing_key",
    "tokens_of",
]

ISSUER = "https://openid-license-manager.amazonaws.com"
_ACCESS_TOKEN_TTL = 3600
_loaded: dict[str, rsa.RSAPrivateKey] = {}


def token_signing_key(b: Backend) -> tuple[str, rsa.RSAPrivateKey]:
    """(kid, private key) of the refresh/access token signer, created on first use."""
    secret = b.store.get(SECRETS, "token-key")
    if not isinstance(secret, TokenSigningKey):
        key = generate_rsa_key(2048, reuse=b.settings.reuse_rsa_keys)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        secret = TokenSigningKey(new_uuid(), pem)
        b.store.put(SECRETS, "token-key", secret)
        _loaded[pem] = key
    pem = secret.pem
    if pem not in _loaded:
        loaded = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise TypeError("stored token key is not RSA")
        _loaded[pem] = loaded
    return secret.kid, _loaded[pem]


def _issuer_amr(account: str) -> str:
    return f"aws:license-manager:token-issuer-account-id:{account}"


def create_token(
    b: Backend, caller: Caller, arn: str, days: int | None, properties: Sequence[str], roles: Sequence[str]
) -> tuple[Token, str]:
    """CreateToken: (the token record, its refresh JWT) for a license the caller issued or holds with
    CreateToken (§8.1)."""
    lic = b.license(arn)
    if lic is None:
        raise fault("ResourceNotFoundException", f"License {arn} does not exist.")
    if lic.account != caller.account and b.usable_grant(arn, caller.account, "CreateToken") is None:
        raise fault("AccessDeniedException", f"Account {caller.account} may not create tokens for license {arn}.")
    if lic.deletion is not None:
        raise fault("ValidationException", f"License {arn} is deleted.")
    if caller.region != lic.home:
        raise fault(
            "RedirectException", "Tokens are created in the license home region.", Location=redirect_location(lic.home)
        )
    if days is None:
        days = 365
    if not 1 <= days <= b.settings.max_token_expiration_days:
        raise fault(
            "ValidationException", f"ExpirationInDays must be between 1 and {b.settings.max_token_expiration_days}."
        )
    limit = b.settings.max_tokens
    if limit is not None:
        held = sum(1 for _, t in b.tokens_of(caller.account) if t.status == "AVAILABLE")
        if held >= limit:
            raise fault("ResourceLimitExceededException", f"Account {caller.account} already has {held} tokens.")
    token_id = new_uuid()
    now = int(b.now())
    expiry = now + days * 86400
    kid, key = token_signing_key(b)
    claims = {
        "iss": ISSUER,
        "sub": token_id,
        "aud": arn,
        "amr": [*properties, _issuer_amr(caller.account)],
        "iat": now,
        "exp": expiry,
        "roles": list(roles),
        "jti": new_uuid(),
        "token_use": "refresh",
    }
    jwt = encode({"alg": "RS256", "typ": "JWT", "kid": kid}, claims, key)
    record = Token(token_id, arn, iso_z(expiry), tuple(properties), tuple(roles), "AVAILABLE", caller.account, lic.home)
    b.add_token(record)
    return record, jwt


def delete_token(b: Backend, caller: Caller, token_id: str) -> None:
    """DeleteToken in the license home region; the refresh token stops working (§8.3)."""
    token = b.store.get(TOKENS, token_id)
    if token is None or token.account != caller.account or token.status == "DELETED":
        raise fault("ResourceNotFoundException", f"Token {token_id} does not exist.")
    if caller.region != token.home:
        raise fault(
            "RedirectException",
            "Tokens are deleted in the license home region.",
            Location=redirect_location(token.home),
        )
    b.store.put(TOKENS, token_id, dataclasses.replace(token, status="DELETED"))


def tokens_of(
    b: Backend, caller: Caller, wanted: set[str] | None, license_arns: Sequence[str], after: int
) -> Iterator[tuple[int, Token]]:
    """ListTokens: (position, token) of the caller's tokens, DELETED ones included, of every license in
    `license_arns` (§8.3), after position `after`, oldest first."""
    if wanted is not None:
        found = b.chosen(TOKENS, wanted, after)
    elif license_arns:
        found = b.tokens_of_license(license_arns[0], after)
    else:
        found = b.tokens_of(caller.account, after)
    for position, t in found:
        if t.account == caller.account and all(t.license_arn == arn for arn in license_arns):
            yield position, t


def signed_claims(b: Backend, token: str) -> dict[str, Any]:
    """The claims of a JWT this emulator signed with its token key (RS256, its `kid`); ValueError saying why not."""
    try:
        header, claims, signing_input, signature = decode_unverified(token)
    except ValueError:
        raise ValueError("The token is not a valid JWT.") from None
    kid, key = token_signing_key(b)
    if (
        header.get("alg") != "RS256"
        or header.get("kid") != kid
        or not verify(key.public_key(), "RS256", signing_input, signature)
    ):
        raise ValueError("The token signature is not valid.")
    return claims


def refresh_token_active(b: Backend, token_id: str) -> bool:
    """Whether the refresh token `token_id` exists and was not deleted (access tokens die with it, §8.4)."""
    record = b.store.get(TOKENS, token_id)
    return record is not None and record.status != "DELETED"


def get_access_token(b: Backend, refresh_token: str, properties: Sequence[str]) -> str:
    """GetAccessToken: exchange a valid refresh JWT for a one-hour access JWT (§8.2)."""
    try:
        claims = signed_claims(b, refresh_token)
    except ValueError as exc:
        raise fault("ValidationException", str(exc)) from None
    if claims.get("token_use") != "refresh":
        raise fault("ValidationException", "The token is not a refresh token.")
    if not refresh_token_active(b, str(claims.get("sub"))):
        raise fault("AuthorizationException", "The refresh token has been deleted.")
    now = int(b.now())
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= now:
        raise fault("AuthorizationException", "The refresh token has expired.")
    amr = claims.get("amr") or []
    missing = [prop for prop in properties if prop not in amr]
    if missing:
        raise fault("AuthorizationException", f"Token properties {missing} are not present in the token.")
    access = {
        "iss": ISSUER,
        "sub": claims["sub"],
        "aud": claims.get("aud"),
        "amr": amr,
        "roles": claims.get("roles") or [],
        "iat": now,
        "exp": now + _ACCESS_TOKEN_TTL,
        "jti": new_uuid(),
        "token_use": "access",
    }
    kid, key = token_signing_key(b)
    return encode({"alg": "RS256", "typ": "JWT", "kid": kid}, access, key)
