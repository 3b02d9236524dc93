"""Refresh/access tokens: CreateToken, DeleteToken, ListTokens, GetAccessToken (SERVICE.md §8).

Refresh and access tokens are RS256 JWTs signed with an emulator-owned RSA key kept with the state."""

from __future__ import annotations

import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..core.caller import Caller
from ..core.faults import fault
from ..core.jwt import decode_unverified, encode, verify
from ..core.listing import paginate, parse_filters
from ..core.store import Doc
from ..kms.backend import generate_rsa_key
from .backend import SECRET, TOKEN, Backend
from .formats import iso_z, redirect_location

__all__ = ["ISSUER", "create_token", "delete_token", "get_access_token", "list_tokens", "token_signing_key"]

ISSUER = "https://openid-license-manager.amazonaws.com"
_ACCESS_TOKEN_TTL = 3600
_loaded: dict[str, rsa.RSAPrivateKey] = {}


def token_signing_key(b: Backend) -> tuple[str, rsa.RSAPrivateKey]:
    """(kid, private key) of the refresh/access token signer, created on first use."""
    secret = b.store.get(SECRET, "token-key")
    if secret is None:
        key = generate_rsa_key(2048, reuse=b.settings.reuse_rsa_keys)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        secret = {"kid": str(uuid.uuid4()), "pem": pem}
        b.store.put(SECRET, "token-key", secret)
        _loaded[pem] = key
    pem = secret["pem"]
    if pem not in _loaded:
        loaded = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise TypeError("stored token key is not RSA")
        _loaded[pem] = loaded
    return str(secret["kid"]), _loaded[pem]


def _issuer_amr(account: str) -> str:
    return f"aws:license-manager:token-issuer-account-id:{account}"


def create_token(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """CreateToken: a long-lived refresh JWT for a license the caller issued or holds with CreateToken (§8.1)."""
    arn = p["LicenseArn"]
    lic = b.license(arn)
    if lic is None:
        raise fault("ResourceNotFoundException", f"License {arn} does not exist.")
    if lic["account"] != caller.account and b.usable_grant(arn, caller.account, "CreateToken") is None:
        raise fault("AccessDeniedException", f"Account {caller.account} may not create tokens for license {arn}.")
    if lic["deletion"] is not None:
        raise fault("ValidationException", f"License {arn} is deleted.")
    if caller.region != lic["home"]:
        raise fault(
            "RedirectException",
            "Tokens are created in the license home region.",
            Location=redirect_location(lic["home"]),
        )
    days = p.get("ExpirationInDays")
    if days is None:
        days = 365
    if not 1 <= days <= b.settings.max_token_expiration_days:
        raise fault(
            "ValidationException", f"ExpirationInDays must be between 1 and {b.settings.max_token_expiration_days}."
        )
    limit = b.settings.max_tokens
    if limit is not None:
        held = sum(1 for t in b.store.values(TOKEN) if t["account"] == caller.account and t["Status"] == "AVAILABLE")
        if held >= limit:
            raise fault("ResourceLimitExceededException", f"Account {caller.account} already has {held} tokens.")
    token_id = str(uuid.uuid4())
    now = int(b.now())
    expiry = now + days * 86400
    properties = list(p.get("TokenProperties") or [])
    roles = list(p.get("RoleArns") or [])
    kid, key = token_signing_key(b)
    claims = {
        "iss": ISSUER,
        "sub": token_id,
        "aud": arn,
        "amr": [*properties, _issuer_amr(caller.account)],
        "iat": now,
        "exp": expiry,
        "roles": roles,
        "jti": str(uuid.uuid4()),
        "token_use": "refresh",
    }
    token = encode({"alg": "RS256", "typ": "JWT", "kid": kid}, claims, key)
    b.store.put(
        TOKEN,
        token_id,
        {
            "TokenId": token_id,
            "TokenType": "REFRESH_TOKEN",
            "LicenseArn": arn,
            "ExpirationTime": iso_z(expiry),
            "TokenProperties": properties,
            "RoleArns": roles,
            "Status": "AVAILABLE",
            "account": caller.account,
            "home": lic["home"],
        },
    )
    return {"TokenId": token_id, "TokenType": "REFRESH_TOKEN", "Token": token}


def delete_token(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """DeleteToken in the license home region; the refresh token stops working (§8.3)."""
    token = b.store.get(TOKEN, p["TokenId"])
    if token is None or token["account"] != caller.account or token["Status"] == "DELETED":
        raise fault("ResourceNotFoundException", f"Token {p['TokenId']} does not exist.")
    if caller.region != token["home"]:
        raise fault(
            "RedirectException",
            "Tokens are deleted in the license home region.",
            Location=redirect_location(token["home"]),
        )
    b.store.put(TOKEN, token["TokenId"], {**token, "Status": "DELETED"})
    return {}


def _render(token: Doc) -> dict[str, Any]:
    return {
        "TokenId": token["TokenId"],
        "TokenType": token["TokenType"],
        "LicenseArn": token["LicenseArn"],
        "ExpirationTime": token["ExpirationTime"],
        "TokenProperties": list(token["TokenProperties"]),
        "RoleArns": list(token["RoleArns"]),
        "Status": token["Status"],
    }


def list_tokens(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """ListTokens: the caller's tokens, DELETED ones included (§8.3)."""
    filters = parse_filters(p, ("LicenseArns",))
    wanted = set(p["TokenIds"]) if p.get("TokenIds") else None
    items = [
        t
        for t in b.store.values(TOKEN)
        if t["account"] == caller.account
        and (wanted is None or t["TokenId"] in wanted)
        and all(t["LicenseArn"] == value for _, value in filters)
    ]
    page, next_token = paginate(
        items, p, f"ListTokens|{caller.account}|{filters}|{sorted(wanted or [])}", b.settings.default_page_size
    )
    body: dict[str, Any] = {"Tokens": [_render(t) for t in page]}
    if next_token is not None:
        body["NextToken"] = next_token
    return body


def get_access_token(b: Backend, _caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """GetAccessToken: exchange a valid refresh JWT for a one-hour access JWT (§8.2)."""
    try:
        header, claims, signing_input, signature = decode_unverified(p["Token"])
    except ValueError:
        raise fault("ValidationException", "The token is not a valid JWT.") from None
    kid, key = token_signing_key(b)
    if (
        header.get("alg") != "RS256"
        or header.get("kid") != kid
        or not verify(key.public_key(), "RS256", signing_input, signature)
    ):
        raise fault("ValidationException", "The token signature is not valid.")
    if claims.get("token_use") != "refresh":
        raise fault("ValidationException", "The token is not a refresh token.")
    record = b.store.get(TOKEN, str(claims.get("sub")))
    if record is None or record["Status"] == "DELETED":
        raise fault("AuthorizationException", "The refresh token has been deleted.")
    now = int(b.now())
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= now:
        raise fault("AuthorizationException", "The refresh token has expired.")
    amr = claims.get("amr") or []
    missing = [prop for prop in p.get("TokenProperties") or [] if prop not in amr]
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
        "jti": str(uuid.uuid4()),
        "token_use": "access",
    }
    return {"AccessToken": encode({"alg": "RS256", "typ": "JWT", "kid": kid}, access, key)}
