"""Idempotency, rollback of failed calls, SQLite persistence across engines."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from licensemanager_sdk.local._engine import Caller, Engine
from licensemanager_sdk.local._settings import Settings

from .conftest import BUYER, SELLER, Api, active_grant, checkout, client_token, create_license, license_params


def test_same_client_token_replays_first_answer(seller: Api, buyer: Api) -> None:
    params = license_params()
    first = seller.CreateLicense(**params)
    assert seller.CreateLicense(**params) == first
    assert len(seller.ListLicenses()["Licenses"]) == 1
    assert seller.error("CreateLicense", **{**params, "LicenseName": "changed"}).code == "ValidationException"
    # another account may use the same token
    assert buyer.CreateLicense(**params)["LicenseArn"] != first["LicenseArn"]


def test_checkout_idempotency_does_not_double_consume(seller: Api, buyer: Api, engine: Engine) -> None:
    arn = create_license(seller, Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 2}])
    active_grant(seller, buyer, arn)
    token = client_token()
    first = checkout(buyer, ClientToken=token)
    assert checkout(buyer, ClientToken=token) == first
    assert buyer.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "1"
    engine.clock.advance(601)  # outside the idempotency window the token is new again
    assert checkout(buyer, ClientToken=token)["LicenseConsumptionToken"] != first["LicenseConsumptionToken"]


def test_failed_call_rolls_back_its_writes(engine: Engine, seller: Api) -> None:
    # CreateLicense first registers the unknown SignKey, then fails on the region check: nothing may remain.
    key_arn = f"arn:aws:kms:us-east-1:{SELLER}:key/99999999-2222-3333-4444-555555555555"
    params = license_params(Issuer={"Name": "My Company", "SignKey": key_arn})
    assert seller.in_region("eu-west-1").error("CreateLicense", **params).code == "RedirectException"
    with pytest.raises(KeyError):
        engine.kms_public_key_der(key_arn)
    assert seller.ListLicenses()["Licenses"] == []


def test_answered_writes_are_committed_before_handle_returns(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    eng = Engine(state_path=path)
    arn = create_license(Api(eng, SELLER))
    with sqlite3.connect(path) as other_connection:  # what a fresh process would read after kill -9
        rows = other_connection.execute("SELECT body FROM docs WHERE kind = 'license' AND key = ?", (arn,)).fetchall()
    assert len(rows) == 1
    eng.close()


def test_state_survives_a_new_engine(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    settings = Settings(reuse_rsa_keys=True)
    first = Engine(state_path=path, settings=settings)
    seller, buyer = Api(first, SELLER), Api(first, BUYER)
    key = first.handle(
        "kms", "CreateKey", {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}, Caller(SELLER, "us-east-1")
    )
    key_arn = key["KeyMetadata"]["Arn"]
    params = license_params(Issuer={"Name": "My Company", "SignKey": key_arn})
    arn = seller.CreateLicense(**params)["LicenseArn"]
    grant = active_grant(seller, buyer, arn)
    out = checkout(buyer)
    refresh = buyer.CreateToken(LicenseArn=arn, ClientToken=client_token())
    public_before = first.kms_public_key_der(key_arn)
    first.close()

    second = Engine(state_path=path, settings=settings)
    seller2, buyer2 = Api(second, SELLER), Api(second, BUYER)
    assert seller2.GetLicense(LicenseArn=arn)["License"]["LicenseArn"] == arn
    assert buyer2.GetGrant(GrantArn=grant)["Grant"]["GrantStatus"] == "ACTIVE"
    assert second.kms_public_key_der(key_arn) == public_before
    assert seller2.CreateLicense(**params)["LicenseArn"] == arn  # idempotency record persisted
    assert buyer2.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "1"
    assert buyer2.CheckInLicense(LicenseConsumptionToken=out["LicenseConsumptionToken"]) == {}
    access = second.handle("license-manager", "GetAccessToken", {"Token": refresh["Token"]}, Caller(BUYER, "us-east-1"))
    assert access["AccessToken"]
    signed = checkout(buyer2)["SignedToken"]
    public_pem = serialization.load_der_public_key(
        base64.b64decode(
            second.handle("kms", "GetPublicKey", {"KeyId": key_arn}, Caller(SELLER, "us-east-1"))["PublicKey"]
        )
    ).public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert jwt.decode(signed, public_pem, algorithms=["PS384"])["licenseArn"] == arn
    second.close()


def test_reset_drops_everything(engine: Engine, seller: Api) -> None:
    create_license(seller)
    engine.clock.advance(100)
    engine.reset()
    assert seller.ListLicenses()["Licenses"] == []
    assert engine.clock.offset == 0
