"""The reference scenarios of SERVICE.md §17 (S1-S6), end to end through Engine.handle."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization

from licensemanager_sdk.local.engine import Caller, Engine

from .conftest import ALL_OPS, BUYER, REGION, SELLER, Api, client_token, create_license

FINGERPRINT = f"aws:{SELLER}:My Company:issuer-fingerprint"
USERS = [{"Name": "Users", "Unit": "Count", "Value": "1"}]


def test_s1_isv_self_checkout(seller: Api) -> None:
    arn = create_license(seller)
    assert seller.GetLicense(LicenseArn=arn)["License"]["Beneficiary"] == "My Beneficiary"
    out = seller.CheckoutLicense(
        ProductSKU="sku-1",
        CheckoutType="PROVISIONAL",
        KeyFingerprint=FINGERPRINT,
        Beneficiary="My Beneficiary",
        Entitlements=USERS,
        ClientToken=client_token(),
    )
    token = out["LicenseConsumptionToken"]
    assert seller.ExtendLicenseConsumption(LicenseConsumptionToken=token)["LicenseConsumptionToken"] == token
    assert seller.CheckInLicense(LicenseConsumptionToken=token) == {}
    assert seller.DeleteLicense(LicenseArn=arn, SourceVersion="1")["Status"] == "PENDING_DELETE"


def test_s2_seller_to_buyer_and_token_consumer(engine: Engine, seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    grant = seller.CreateGrant(
        ClientToken=client_token(),
        GrantName="buyer grant",
        LicenseArn=arn,
        Principals=[f"arn:aws:iam::{BUYER}:root"],
        HomeRegion=REGION,
        AllowedOperations=ALL_OPS,
    )["GrantArn"]
    buyer.AcceptGrant(GrantArn=grant)
    buyer.CreateGrantVersion(GrantArn=grant, Status="ACTIVE", ClientToken=client_token())
    out = buyer.CheckoutLicense(
        ProductSKU="sku-1",
        CheckoutType="PROVISIONAL",
        KeyFingerprint=FINGERPRINT,
        Entitlements=USERS,
        ClientToken=client_token(),
    )
    buyer.ExtendLicenseConsumption(LicenseConsumptionToken=out["LicenseConsumptionToken"])
    buyer.CheckInLicense(LicenseConsumptionToken=out["LicenseConsumptionToken"])
    refresh = buyer.CreateToken(LicenseArn=arn, ClientToken=client_token())["Token"]
    access = engine.handle(
        "license-manager", "GetAccessToken", {"Token": refresh}, Caller("000000000000", REGION, anonymous=True)
    )
    claims = jwt.decode(access["AccessToken"], options={"verify_signature": False})
    assert f"aws:license-manager:token-issuer-account-id:{BUYER}" in claims["amr"]


def test_s3_borrow_with_offline_verification(engine: Engine, seller: Api, buyer: Api) -> None:
    kms = Api(engine, SELLER, service="kms")
    key = kms.CreateKey(CustomerMasterKeySpec="RSA_4096", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    arn = create_license(
        seller,
        Issuer={"Name": "My Company", "SignKey": key},
        ConsumptionConfiguration={"BorrowConfiguration": {"MaxTimeToLiveInMinutes": 1440, "AllowEarlyCheckIn": True}},
    )
    out = seller.CheckoutBorrowLicense(
        LicenseArn=arn,
        Entitlements=USERS,
        NodeId="MyNodeId",
        DigitalSignatureMethod="JWT_PS384",
        ClientToken=client_token(),
    )
    der = base64.b64decode(kms.GetPublicKey(KeyId=key)["PublicKey"])
    pem = serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = jwt.decode(out["SignedToken"], pem, algorithms=["PS384"], options={"verify_signature": True})
    fmt = "%Y-%m-%dT%H:%M:%S"
    assert datetime.strptime(claims["expiration"], fmt) - datetime.strptime(claims["issuedAt"], fmt) == timedelta(
        hours=24
    )
    assert set(claims) == {
        "licenseArn",
        "licenseConsumptionToken",
        "entitlementsAllowed",
        "nodeId",
        "issuedAt",
        "expiration",
    }
    assert seller.CheckInLicense(LicenseConsumptionToken=out["LicenseConsumptionToken"]) == {}


def test_s4_marketplace_tiered_check(engine: Engine, buyer: Api) -> None:
    engine.seed_marketplace_license(
        buyer_account=BUYER,
        product_sku="prod-t",
        entitlements=[{"Name": "IntermediateTier", "Unit": "None", "Value": "Enabled"}],
    )
    out = buyer.CheckoutLicense(
        ProductSKU="prod-t",
        CheckoutType="PROVISIONAL",
        KeyFingerprint="aws:294406891311:AWS/Marketplace:issuer-fingerprint",
        Entitlements=[{"Name": n, "Unit": "None"} for n in ("BasicTier", "IntermediateTier", "PremiumTier")],
        ClientToken=client_token(),
    )
    assert [e["Name"] for e in out["EntitlementsAllowed"]] == ["IntermediateTier"]
    assert out["EntitlementsAllowed"][0]["Value"] == "Enabled"


def test_s5_exhaustion_and_floating_pool(engine: Engine, buyer: Api) -> None:
    engine.seed_marketplace_license(
        buyer_account=BUYER,
        product_sku="prod-f",
        entitlements=[{"Name": "Seat", "Unit": "Count", "MaxCount": 1, "AllowCheckIn": True}],
    )
    params = {
        "ProductSKU": "prod-f",
        "CheckoutType": "PROVISIONAL",
        "KeyFingerprint": "aws:294406891311:AWS/Marketplace:issuer-fingerprint",
        "Entitlements": [{"Name": "Seat", "Unit": "Count", "Value": "1"}],
    }
    first = buyer.CheckoutLicense(**params, ClientToken=client_token())
    assert buyer.error("CheckoutLicense", **params, ClientToken=client_token()).code == "NoEntitlementsAllowedException"
    buyer.CheckInLicense(LicenseConsumptionToken=first["LicenseConsumptionToken"])
    buyer.CheckoutLicense(**params, ClientToken=client_token())
    assert buyer.error("CheckoutLicense", **params, ClientToken=client_token()).code == "NoEntitlementsAllowedException"
    engine.clock.advance(60 * 60)
    buyer.CheckoutLicense(**params, ClientToken=client_token())


def test_s6_observed_error_strings(seller: Api, buyer: Api, other: Api) -> None:
    err = seller.error("ListLicenses", Filters=[{"Name": "Status", "Values": ["AVAILABLE", "DELETED"]}])
    assert (err.code, err.message) == ("ValidationException", "You cannot have more than 1 filter values.")
    arn = create_license(seller)
    grant_params = {
        "ClientToken": client_token(),
        "GrantName": "g",
        "LicenseArn": arn,
        "Principals": [f"arn:aws:iam::{BUYER}:root"],
        "HomeRegion": REGION,
        "AllowedOperations": ["CheckoutLicense"],
    }
    err = seller.in_region("eu-west-2").error("CreateGrant", **grant_params)
    assert (err.code, err.message) == (
        "ValidationException",
        "Grant can only be created in resource home AWS region: us-east-1",
    )
    grant = seller.CreateGrant(**grant_params)["GrantArn"]
    err = other.error("AcceptGrant", GrantArn=grant)
    assert (err.code, err.message) == (
        "ValidationException",
        f"Caller arn:aws:iam::{other.caller.account}:root is not allowed to accept this grant.",
    )
