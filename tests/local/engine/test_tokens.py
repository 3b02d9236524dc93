"""Refresh tokens (CreateToken/ListTokens/DeleteToken) and GetAccessToken."""

from __future__ import annotations

import uuid

import jwt

from licensemanager_sdk.local.core.faults import ServiceFault
from licensemanager_sdk.local.core.settings import Settings
from licensemanager_sdk.local.engine import Caller, Engine

from .conftest import BUYER, SELLER, Api, active_grant, client_token, create_license


def anonymous(engine: Engine, token: str, **extra: object) -> dict[str, object]:
    return engine.handle(
        "license-manager",
        "GetAccessToken",
        {"Token": token, **extra},
        Caller("000000000000", "us-west-2", anonymous=True),
    )


def anonymous_error(engine: Engine, token: str, **extra: object) -> ServiceFault:
    try:
        anonymous(engine, token, **extra)
    except ServiceFault as exc:
        return exc
    raise AssertionError("expected a ServiceFault")


def test_refresh_and_access_tokens(engine: Engine, seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    active_grant(seller, buyer, arn)
    out = buyer.CreateToken(
        LicenseArn=arn,
        ClientToken=client_token(),
        TokenProperties=["p1"],
        RoleArns=["arn:aws:iam::222222222222:role/r"],
    )
    assert out["TokenType"] == "REFRESH_TOKEN"
    assert str(uuid.UUID(out["TokenId"])) == out["TokenId"]
    claims = jwt.decode(out["Token"], options={"verify_signature": False})
    assert claims["sub"] == out["TokenId"]
    assert claims["aud"] == arn
    assert claims["amr"] == ["p1", f"aws:license-manager:token-issuer-account-id:{BUYER}"]
    assert claims["exp"] - claims["iat"] == 365 * 86400
    access = anonymous(engine, out["Token"], TokenProperties=["p1"])["AccessToken"]
    assert isinstance(access, str)
    access_claims = jwt.decode(access, options={"verify_signature": False})
    assert access_claims["exp"] - access_claims["iat"] == 3600
    assert access_claims["sub"] == out["TokenId"]
    listed = buyer.ListTokens()["Tokens"]
    assert [(t["TokenId"], t["Status"], t["LicenseArn"], t["TokenProperties"]) for t in listed] == [
        (out["TokenId"], "AVAILABLE", arn, ["p1"])
    ]
    assert seller.ListTokens()["Tokens"] == []


def test_access_token_refusals(engine: Engine, seller: Api) -> None:
    arn = create_license(seller)
    out = seller.CreateToken(LicenseArn=arn, ClientToken=client_token(), ExpirationInDays=1)
    assert anonymous_error(engine, "not-a-jwt").code == "ValidationException"
    header, _payload, signature = out["Token"].split(".")
    forged = jwt.decode(out["Token"], options={"verify_signature": False})
    forged["amr"].append("admin")
    forged_payload = jwt.api_jws.base64url_encode(jwt.utils.force_bytes(__import__("json").dumps(forged))).decode()
    assert anonymous_error(engine, f"{header}.{forged_payload}.{signature}").code == "ValidationException"
    assert anonymous_error(engine, out["Token"], TokenProperties=["missing"]).code == "AuthorizationException"
    access = anonymous(engine, out["Token"])["AccessToken"]
    assert anonymous_error(engine, str(access)).code == "ValidationException"  # an access token is not a refresh token
    engine.clock.advance(86401)
    assert anonymous_error(engine, out["Token"]).code == "AuthorizationException"


def test_delete_token(engine: Engine, seller: Api) -> None:
    arn = create_license(seller)
    out = seller.CreateToken(LicenseArn=arn, ClientToken=client_token())
    assert seller.in_region("eu-west-1").error("DeleteToken", TokenId=out["TokenId"]).code == "RedirectException"
    assert Api(engine, BUYER).error("DeleteToken", TokenId=out["TokenId"]).code == "ResourceNotFoundException"
    assert seller.DeleteToken(TokenId=out["TokenId"]) == {}
    assert seller.ListTokens(TokenIds=[out["TokenId"]])["Tokens"][0]["Status"] == "DELETED"
    assert anonymous_error(engine, out["Token"]).code == "AuthorizationException"
    assert seller.error("DeleteToken", TokenId=out["TokenId"]).code == "ResourceNotFoundException"


def test_create_token_rules(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    assert buyer.error("CreateToken", LicenseArn=arn, ClientToken=client_token()).code == "AccessDeniedException"
    active_grant(seller, buyer, arn, operations=["CheckoutLicense"])
    assert buyer.error("CreateToken", LicenseArn=arn, ClientToken=client_token()).code == "AccessDeniedException"
    assert (
        seller.in_region("eu-west-1").error("CreateToken", LicenseArn=arn, ClientToken=client_token()).code
        == "RedirectException"
    )
    assert (
        seller.error("CreateToken", LicenseArn=arn, ClientToken=client_token(), ExpirationInDays=0).code
        == "ValidationException"
    )
    missing = f"arn:aws:license-manager::{SELLER}:license:l-{'0' * 32}"
    assert (
        seller.error("CreateToken", LicenseArn=missing, ClientToken=client_token()).code == "ResourceNotFoundException"
    )
    err = seller.error("CreateToken", LicenseArn=arn, ClientToken=client_token(), TokenProperties=["a", "b", "c", "d"])
    assert err.code == "ValidationException"


def test_token_quota_and_list_filter() -> None:
    eng = Engine(settings=Settings(max_tokens=2, reuse_rsa_keys=True))
    seller = Api(eng, SELLER)
    a, b = create_license(seller), create_license(seller)
    seller.CreateToken(LicenseArn=a, ClientToken=client_token())
    seller.CreateToken(LicenseArn=b, ClientToken=client_token())
    assert (
        seller.error("CreateToken", LicenseArn=a, ClientToken=client_token()).code == "ResourceLimitExceededException"
    )
    only_b = seller.ListTokens(Filters=[{"Name": "LicenseArns", "Values": [b]}])["Tokens"]
    assert [t["LicenseArn"] for t in only_b] == [b]
    page = seller.ListTokens(MaxResults=1)
    assert len(page["Tokens"]) == 1 and "NextToken" in page
    assert "NextToken" not in seller.ListTokens(MaxResults=1, NextToken=page["NextToken"])
