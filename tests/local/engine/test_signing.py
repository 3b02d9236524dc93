"""KMS keys and real PS384 signed tokens, verified with PyJWT."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from licensemanager_sdk.local.core.settings import Settings
from licensemanager_sdk.local.engine import Engine

from .conftest import BUYER, REGION, SELLER, Api, active_grant, checkout, client_token, create_license

BORROW = {"BorrowConfiguration": {"AllowEarlyCheckIn": True, "MaxTimeToLiveInMinutes": 1440}}


def pem(der: bytes) -> bytes:
    return serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def kms(engine: Engine, account: str = SELLER) -> Api:
    return Api(engine, account, service="kms")


def create_key(engine: Engine, **params: Any) -> dict[str, Any]:
    meta: dict[str, Any] = kms(engine).CreateKey(**{"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY", **params})[
        "KeyMetadata"
    ]
    return meta


def test_kms_key_lifecycle(engine: Engine) -> None:
    meta = create_key(engine, Description="signing")
    assert meta["Arn"] == f"arn:aws:kms:{REGION}:{SELLER}:key/{meta['KeyId']}"
    assert meta["KeySpec"] == meta["CustomerMasterKeySpec"] == "RSA_2048"
    assert "RSASSA_PSS_SHA_256" in meta["SigningAlgorithms"]
    assert isinstance(meta["CreationDate"], float)
    assert kms(engine).DescribeKey(KeyId=meta["KeyId"])["KeyMetadata"]["Arn"] == meta["Arn"]
    public = kms(engine).GetPublicKey(KeyId=meta["Arn"])
    assert base64.b64decode(public["PublicKey"]) == engine.kms_public_key_der(meta["KeyId"])
    legacy = kms(engine).CreateKey(CustomerMasterKeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert legacy["KeySpec"] == "RSA_2048"
    assert kms(engine).error("DescribeKey", KeyId="1234abcd-12ab-34cd-56ef-1234567890ab").code == "NotFoundException"
    assert (
        kms(engine).error("CreateKey", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY").code
        == "UnsupportedOperationException"
    )


@pytest.mark.parametrize("algorithm", ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"])
def test_kms_sign_verify(engine: Engine, algorithm: str) -> None:
    key = create_key(engine)["KeyId"]
    message = base64.b64encode(b"hello").decode()
    sig = kms(engine).Sign(KeyId=key, Message=message, SigningAlgorithm=algorithm)
    assert sig["SigningAlgorithm"] == algorithm
    ok = kms(engine).Verify(KeyId=key, Message=message, Signature=sig["Signature"], SigningAlgorithm=algorithm)
    assert ok["SignatureValid"] is True
    bad = kms(engine).error(
        "Verify",
        KeyId=key,
        Message=base64.b64encode(b"other").decode(),
        Signature=sig["Signature"],
        SigningAlgorithm=algorithm,
    )
    assert bad.code == "KMSInvalidSignatureException"


def test_kms_digest_message_type(engine: Engine) -> None:
    key = create_key(engine)["KeyId"]
    digest = base64.b64encode(hashlib.sha256(b"hello").digest()).decode()
    raw = base64.b64encode(b"hello").decode()
    sig = kms(engine).Sign(
        KeyId=key, Message=digest, MessageType="DIGEST", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256"
    )
    ok = kms(engine).Verify(
        KeyId=key, Message=raw, Signature=sig["Signature"], SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256"
    )
    assert ok["SignatureValid"]
    short = base64.b64encode(b"abc").decode()
    err = kms(engine).error(
        "Sign", KeyId=key, Message=short, MessageType="DIGEST", SigningAlgorithm="RSASSA_PSS_SHA_256"
    )
    assert err.code == "ValidationException"
    assert (
        kms(engine).error("Sign", KeyId=key, Message=raw, SigningAlgorithm="ECDSA_SHA_256").code
        == "InvalidKeyUsageException"
    )


def test_borrow_token_verifies_with_pyjwt(engine: Engine, seller: Api, buyer: Api) -> None:
    key = create_key(engine)
    arn = create_license(seller, Issuer={"Name": "My Company", "SignKey": key["Arn"]}, ConsumptionConfiguration=BORROW)
    active_grant(seller, buyer, arn)
    out = buyer.CheckoutBorrowLicense(
        LicenseArn=arn,
        Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1"}],
        DigitalSignatureMethod="JWT_PS384",
        NodeId="MyNodeId",
        CheckoutMetadata=[{"Name": "Mac", "Value": "ABCDEFGHI"}],
        ClientToken=client_token(),
    )
    assert jwt.get_unverified_header(out["SignedToken"]) == {"alg": "PS384", "typ": "JWT"}
    public = base64.b64decode(kms(engine).GetPublicKey(KeyId=key["Arn"])["PublicKey"])
    claims = jwt.decode(out["SignedToken"], pem(public), algorithms=["PS384"])
    assert claims == {
        "licenseArn": arn,
        "licenseConsumptionToken": out["LicenseConsumptionToken"],
        "entitlementsAllowed": [{"name": "Users", "value": "1", "unit": "Count"}],
        "nodeId": "MyNodeId",
        "issuedAt": out["IssuedAt"],
        "expiration": out["Expiration"],
        "checkoutMetadata": {"Mac": "ABCDEFGHI"},
    }
    assert out["CheckoutMetadata"] == [{"Name": "Mac", "Value": "ABCDEFGHI"}]
    tampered = out["SignedToken"][:-6] + ("AAAAAA" if not out["SignedToken"].endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, pem(public), algorithms=["PS384"])
    other_key = create_key(engine, KeySpec="RSA_3072")  # reuse_rsa_keys shares one key per size
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(out["SignedToken"], pem(engine.kms_public_key_der(other_key["Arn"])), algorithms=["PS384"])


def test_checkout_license_signed_when_sign_key_and_kid_option() -> None:
    eng = Engine(settings=Settings(reuse_rsa_keys=True, signed_token_include_kid=True))
    seller, buyer = Api(eng, SELLER), Api(eng, BUYER)
    key_arn = f"arn:aws:kms:{REGION}:{SELLER}:key/11111111-2222-3333-4444-555555555555"
    arn = create_license(seller, Issuer={"Name": "My Company", "SignKey": key_arn})  # unknown key: created lazily
    active_grant(seller, buyer, arn)
    out = checkout(buyer)
    assert jwt.get_unverified_header(out["SignedToken"])["kid"] == key_arn
    claims = jwt.decode(out["SignedToken"], pem(eng.kms_public_key_der(key_arn)), algorithms=["PS384"])
    assert claims["licenseConsumptionToken"] == out["LicenseConsumptionToken"]
    assert "checkoutMetadata" not in claims and "nodeId" not in claims


def test_borrow_errors(engine: Engine, seller: Api, buyer: Api, other: Api) -> None:
    key = create_key(engine)["Arn"]
    signed = create_license(seller, Issuer={"Name": "My Company", "SignKey": key}, ConsumptionConfiguration=BORROW)
    unsigned = create_license(seller, ProductSKU="sku-2", ConsumptionConfiguration=BORROW)
    provisional = create_license(seller, ProductSKU="sku-3", Issuer={"Name": "My Company", "SignKey": key})
    for arn in (signed, unsigned, provisional):
        active_grant(seller, buyer, arn)

    def borrow(arn: str, api: Api = buyer, **extra: Any) -> str:
        params = {
            "LicenseArn": arn,
            "Entitlements": [{"Name": "Users", "Unit": "Count", "Value": "1"}],
            "DigitalSignatureMethod": "JWT_PS384",
            "ClientToken": client_token(),
            **extra,
        }
        return api.error("CheckoutBorrowLicense", **params).code

    assert borrow(unsigned) == "NoEntitlementsAllowedException"
    assert borrow(provisional) == "NoEntitlementsAllowedException"
    assert borrow(signed, DigitalSignatureMethod="JWT_RS256") == "UnsupportedDigitalSignatureMethodException"
    assert borrow(
        signed, Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1"}, {"Name": "Nope", "Unit": "None"}]
    ) == ("EntitlementNotAllowedException")
    assert (
        borrow(signed, Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1001"}])
        == "NoEntitlementsAllowedException"
    )
    assert borrow(signed, api=buyer.in_region("eu-west-1")) == "RedirectException"
    assert borrow(signed, api=other) == "AccessDeniedException"
    missing = f"arn:aws:license-manager::{SELLER}:license:l-{'0' * 32}"
    assert borrow(missing) == "ResourceNotFoundException"
    # all-or-nothing: nothing was consumed by the refused calls
    assert buyer.GetLicenseUsage(LicenseArn=signed)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "0"


def test_borrow_check_in_needs_early_check_in(engine: Engine, seller: Api, buyer: Api) -> None:
    key = create_key(engine)["Arn"]
    config = {"BorrowConfiguration": {"AllowEarlyCheckIn": False, "MaxTimeToLiveInMinutes": 10}}
    arn = create_license(seller, Issuer={"Name": "My Company", "SignKey": key}, ConsumptionConfiguration=config)
    active_grant(seller, buyer, arn)
    out = buyer.CheckoutBorrowLicense(
        LicenseArn=arn,
        Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1"}],
        DigitalSignatureMethod="JWT_PS384",
        ClientToken=client_token(),
    )
    token = out["LicenseConsumptionToken"]
    assert datetime_delta(out) == 600
    assert buyer.error("CheckInLicense", LicenseConsumptionToken=token).code == "ConflictException"
    assert buyer.error("ExtendLicenseConsumption", LicenseConsumptionToken=token).code == "ValidationException"


def datetime_delta(out: dict[str, Any]) -> float:
    from datetime import datetime

    fmt = "%Y-%m-%dT%H:%M:%S"
    return (datetime.strptime(out["Expiration"], fmt) - datetime.strptime(out["IssuedAt"], fmt)).total_seconds()


def test_marketplace_seed_and_signed_tokens(engine: Engine, buyer: Api) -> None:
    arn = engine.seed_marketplace_license(
        buyer_account=BUYER,
        product_sku="prod-123",
        entitlements=[{"Name": "IntermediateTier", "Unit": "None", "Value": "Enabled"}],
    )
    assert arn.startswith("arn:aws:license-manager::294406891311:license:l-")
    lic = buyer.GetLicense(LicenseArn=arn)["License"]
    assert lic["Issuer"] == {
        "Name": "AWS/Marketplace",
        "KeyFingerprint": "aws:294406891311:AWS/Marketplace:issuer-fingerprint",
    }
    assert lic["Beneficiary"] == f"arn:aws:iam::{BUYER}:root"
    assert lic["Status"] == "AVAILABLE"
    out = buyer.CheckoutLicense(
        ProductSKU="prod-123",
        CheckoutType="PROVISIONAL",
        KeyFingerprint="aws:294406891311:AWS/Marketplace:issuer-fingerprint",
        Entitlements=[{"Name": n, "Unit": "None"} for n in ("BasicTier", "IntermediateTier", "PremiumTier")],
        ClientToken=client_token(),
    )
    assert out["EntitlementsAllowed"] == [{"Name": "IntermediateTier", "Unit": "None", "Value": "Enabled"}]
    claims = jwt.decode(out["SignedToken"], pem(engine.marketplace_public_key_der()), algorithms=["PS384"])
    assert claims["licenseArn"] == arn
