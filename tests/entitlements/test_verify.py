"""`verify()`: offline checks of SignedTokens, cross-checked with PyJWT; every forgery refused with its reason."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from licensemanager_sdk import TokenVerificationError
from licensemanager_sdk.entitlements import verify
from tests.entitlements.conftest import FINGERPRINT, USERS, World


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _pem(der: bytes) -> bytes:
    key = serialization.load_der_public_key(der)
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.fixture
def signed(world: World) -> str:
    world.issue("SKU", [USERS])
    lease = world.buyer.entitlements.checkout(
        product_sku="SKU", key_fingerprint=FINGERPRINT, entitlements={"Users": 1}, node_id="node-7", keep_alive=False
    )
    assert lease.signed_token is not None
    return lease.signed_token


def _now(world: World) -> datetime:
    return world.local.engine.clock.now()


def test_good_token_verifies_and_matches_pyjwt(world: World, signed: str) -> None:
    for key in (world.public_der, _pem(world.public_der), _pem(world.public_der).decode()):
        token = verify(signed, public_key=key, node_id="node-7", now=_now(world))
        assert token.has("Users") and token.quantity("Users") == 1 and not token.has("Premium")
        assert token.node_id == "node-7"
    reference = jwt.decode(signed, _pem(world.public_der), algorithms=["PS384"])
    assert dict(token.claims) == reference
    assert token.license_arn == reference["licenseArn"]
    assert token.consumption_token == reference["licenseConsumptionToken"]
    assert token.expiration == datetime.fromisoformat(reference["expiration"]).replace(tzinfo=timezone.utc)
    assert token.expiration - token.issued_at == timedelta(hours=1)
    assert token.consumption_token not in repr(token) and signed not in repr(token)


def test_kms_public_key_is_fetched_once_per_key(world: World, signed: str) -> None:
    calls: list[str] = []
    world.kms.meta.events.register("before-call.kms", lambda model, **_: calls.append(model.name))
    for _ in range(3):
        verify(signed, kms_key_id=world.key_arn, kms_client=world.kms, now=_now(world))
    assert calls == ["GetPublicKey"]


def _parts(token: str) -> list[str]:
    return token.split(".")


def _refused(token: str, key: Any, reason: str, **kwargs: Any) -> TokenVerificationError:
    with pytest.raises(TokenVerificationError) as caught:
        verify(token, public_key=key, **kwargs)
    assert caught.value.reason == reason, caught.value
    return caught.value


def test_tampered_payload_is_refused(world: World, signed: str) -> None:
    header, payload, signature = _parts(signed)
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["entitlementsAllowed"][0]["value"] = "1000"
    forged = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    _refused(forged, world.public_der, "signature", now=_now(world))


def test_tampered_signature_is_refused(world: World, signed: str) -> None:
    header, payload, signature = _parts(signed)
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[10] ^= 0x01
    _refused(f"{header}.{payload}.{_b64(bytes(raw))}", world.public_der, "signature", now=_now(world))


def test_expired_token_is_refused_unless_within_leeway(world: World, signed: str) -> None:
    later = _now(world) + timedelta(hours=1, seconds=30)
    _refused(signed, world.public_der, "expired", now=later)
    assert verify(signed, public_key=world.public_der, now=later, leeway=60).has("Users")
    _refused(signed, world.public_der, "not_yet_valid", now=_now(world) - timedelta(hours=2))


def test_token_signed_by_another_key_is_refused(world: World, signed: str) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    der = other.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    _refused(signed, der, "signature", now=_now(world))


def test_alg_none_is_refused_before_any_crypto(world: World, signed: str) -> None:
    _, payload, _ = _parts(signed)
    for alg in ("none", "None", "RS256", "PS256", "ES384"):
        header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
        _refused(f"{header}.{payload}.", world.public_der, "algorithm", now=_now(world))
    # Not even a key is needed to refuse it: the algorithm is checked first.
    none_header = _b64(b'{"alg":"none"}')
    _refused(f"{none_header}.{payload}.", b"not a key", "algorithm")


def test_hs256_signed_with_the_public_key_as_hmac_secret_is_refused(world: World, signed: str) -> None:
    pem = _pem(world.public_der)
    _, payload, _ = _parts(signed)
    for alg, digest in (("HS256", hashlib.sha256), ("HS384", hashlib.sha384), ("HS512", hashlib.sha512)):
        header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
        mac = hmac.new(pem, f"{header}.{payload}".encode(), digest).digest()
        _refused(f"{header}.{payload}.{_b64(mac)}", pem, "algorithm", now=_now(world))


def test_license_arn_and_node_id_must_match_when_given(world: World, signed: str) -> None:
    now = _now(world)
    token = verify(signed, public_key=world.public_der, now=now)
    assert verify(signed, public_key=world.public_der, now=now, license_arn=token.license_arn, node_id="node-7")
    other = token.license_arn[:-4] + "ffff"
    _refused(signed, world.public_der, "license_arn", now=now, license_arn=other)
    _refused(signed, world.public_der, "node_id", now=now, node_id="node-8")


def test_malformed_tokens_and_keys_are_refused(world: World, signed: str) -> None:
    for junk in ("", "abc", "a.b", "a.b.c.d", signed + "=", "!!!." + signed.split(".", 1)[1]):
        _refused(junk, world.public_der, "malformed")
    _refused(signed, b"garbage", "key")
    ec_key = ec.generate_private_key(ec.SECP384R1()).public_key()
    der = ec_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    _refused(signed, der, "key")
    with pytest.raises(ValueError, match="public_key"):
        verify(signed)
    with pytest.raises(ValueError, match="kms_client"):
        verify(signed, kms_key_id=world.key_arn)


def test_marketplace_signed_tier_token(world: World) -> None:
    world.local.engine.seed_marketplace_license(
        buyer_account="222222222222",
        product_sku="MP-SKU",
        entitlements=[{"Name": "IntermediateTier", "Unit": "None", "Value": "Enabled"}],
    )
    lease = world.buyer.entitlements.checkout(
        product_sku="MP-SKU",
        key_fingerprint="aws:294406891311:AWS/Marketplace:issuer-fingerprint",
        entitlements={"BasicTier": None, "IntermediateTier": None, "PremiumTier": None},
        keep_alive=False,
    )
    assert lease.signed_token is not None
    token = verify(lease.signed_token, public_key=world.local.engine.marketplace_public_key_der(), now=_now(world))
    assert [e.name for e in token.entitlements] == ["IntermediateTier"]
    assert token.entitlements[0].value == "Enabled" and token.quantity("IntermediateTier") == 0


def test_the_client_fetches_the_key_from_kms_through_its_own_session(world: World, signed: str) -> None:
    token = world.buyer.entitlements.verify(signed, kms_key_id=world.key_arn, node_id="node-7", now=_now(world))
    assert token.has("Users") and token.node_id == "node-7"
    header, payload, _ = _parts(signed)
    forged = ".".join([header, payload, _b64(b"\x00" * 512)])
    with pytest.raises(TokenVerificationError) as info:
        world.buyer.entitlements.verify(forged, kms_key_id=world.key_arn, now=_now(world))
    assert info.value.reason == "signature"


def test_the_client_fetches_the_key_over_http_from_its_endpoint(world: World, signed: str) -> None:
    import boto3

    from licensemanager_sdk import LicenseManager

    with world.local.serve() as server:
        session = boto3.Session(aws_access_key_id="222222222222", aws_secret_access_key="x", region_name="us-east-1")
        lm = LicenseManager(session=session, endpoint_url=server.url)
        token = lm.entitlements.verify(signed, kms_key_id=world.key_arn, now=_now(world))
    assert token.license_arn.startswith("arn:aws:license-manager::111111111111:license:l-")
