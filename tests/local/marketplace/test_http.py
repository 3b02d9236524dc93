"""Marketplace licenses and organizations seeded over HTTP, then used with plain boto3 and PyJWT."""

from __future__ import annotations

import json
import uuid
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from licensemanager_sdk.local import LocalLicenseManager, LocalServer
from tests.local.marketplace.conftest import BUYER, FINGERPRINT, boto3_client, request

TIERS = [{"Name": "IntermediateTier", "Unit": "None", "Value": "Enabled"}]
SEATS = [{"Name": "Seats", "Unit": "Count", "MaxCount": 2, "AllowCheckIn": True}]


def seed(server: LocalServer, **fields: Any) -> dict[str, Any]:
    body = {"buyerAccount": BUYER, "productSku": "prod-1", "entitlements": TIERS, **fields}
    reply = request(server, "POST", "/_local/marketplace/licenses", body)
    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"] == "application/json"
    answer: dict[str, Any] = reply.json()
    return answer


def checkout(lm: Any, sku: str, entitlements: list[dict[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = lm.checkout_license(
        ProductSKU=sku,
        CheckoutType="PROVISIONAL",
        KeyFingerprint=FINGERPRINT,
        Entitlements=entitlements,
        ClientToken=uuid.uuid4().hex,
    )
    return out


def test_seeded_license_checks_out_and_its_signed_token_verifies_with_the_served_pem(server: LocalServer) -> None:
    seeded = seed(server, productName="Container product", region="us-east-1")
    assert set(seeded) == {"licenseArn", "grantArn"}
    assert seeded["licenseArn"].startswith("arn:aws:license-manager::294406891311:license:l-")
    assert seeded["grantArn"].startswith("arn:aws:license-manager::294406891311:grant:g-")

    buyer = boto3_client(server, "license-manager", BUYER)
    tiers = [{"Name": n, "Unit": "None"} for n in ("BasicTier", "IntermediateTier", "PremiumTier")]
    out = checkout(buyer, "prod-1", tiers)
    assert out["LicenseArn"] == seeded["licenseArn"]
    assert out["EntitlementsAllowed"] == TIERS

    key = request(server, "GET", "/_local/marketplace/public-key", content_type=None)
    assert key.status == 200
    assert key.headers["Content-Type"] == "application/x-pem-file"
    pem = key.body.decode()
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n") and pem.rstrip().endswith("-----END PUBLIC KEY-----")
    claims = jwt.decode(out["SignedToken"], pem, algorithms=["PS384"])
    assert claims["licenseArn"] == seeded["licenseArn"]
    assert claims["licenseConsumptionToken"] == out["LicenseConsumptionToken"]
    assert claims["entitlementsAllowed"] == [{"name": "IntermediateTier", "value": "Enabled", "unit": "None"}]
    forged = out["SignedToken"][:-8] + ("A" * 8 if not out["SignedToken"].endswith("A" * 8) else "B" * 8)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, pem, algorithms=["PS384"])


def test_the_license_is_marketplace_issued_and_its_grant_active_in_the_buyers_account(server: LocalServer) -> None:
    seeded = seed(server, productName="Container product", validityEnd="2099-01-01T00:00:00Z")
    buyer = boto3_client(server, "license-manager", BUYER)
    lic = buyer.get_license(LicenseArn=seeded["licenseArn"])["License"]
    assert lic["Issuer"] == {"Name": "AWS/Marketplace", "KeyFingerprint": FINGERPRINT}
    assert lic["Beneficiary"] == f"arn:aws:iam::{BUYER}:root"
    assert lic["ProductName"] == "Container product" and lic["ProductSKU"] == "prod-1"
    assert lic["Validity"]["End"].startswith("2099-01-01T00:00:00")
    assert lic["ConsumptionConfiguration"]["ProvisionalConfiguration"] == {"MaxTimeToLiveInMinutes": 60}
    grant = buyer.get_grant(GrantArn=seeded["grantArn"])["Grant"]
    assert grant["GrantStatus"] == "ACTIVE"
    assert grant["GranteePrincipalArn"] == f"arn:aws:iam::{BUYER}:root"
    assert grant["ParentArn"] == seeded["licenseArn"]
    received = buyer.list_received_licenses()["Licenses"]
    assert [x["LicenseArn"] for x in received] == [seeded["licenseArn"]]
    assert received[0]["ReceivedMetadata"]["ReceivedStatus"] == "ACTIVE"
    other = boto3_client(server, "license-manager", "333333333333")
    assert other.list_received_licenses()["Licenses"] == []


def test_counted_seats_run_out_and_come_back_on_check_in(server: LocalServer) -> None:
    seed(server, productSku="seats", entitlements=SEATS)
    buyer = boto3_client(server, "license-manager", BUYER)
    one = [{"Name": "Seats", "Unit": "Count", "Value": "1"}]
    first = checkout(buyer, "seats", one)
    checkout(buyer, "seats", one)
    with pytest.raises(ClientError) as caught:
        checkout(buyer, "seats", one)
    assert caught.value.response["Error"]["Code"] == "NoEntitlementsAllowedException"
    buyer.check_in_license(LicenseConsumptionToken=first["LicenseConsumptionToken"])
    assert checkout(buyer, "seats", one)["EntitlementsAllowed"][0]["Value"] == "1"


def test_unsigned_licenses_answer_no_signed_token(server: LocalServer) -> None:
    seed(server, productSku="plain", signed=False)
    buyer = boto3_client(server, "license-manager", BUYER)
    out = checkout(buyer, "plain", [{"Name": "IntermediateTier", "Unit": "None"}])
    assert "SignedToken" not in out


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"buyerAccount": "12345"}, "buyerAccount"),
        ({"buyerAccount": None}, "buyerAccount"),
        ({"productSku": ""}, "productSku"),
        ({"productSku": 7}, "productSku"),
        ({"entitlements": []}, "entitlements"),
        ({"entitlements": ["Seats"]}, "entitlements[0]"),
        ({"entitlements": [{"Name": "Seats", "Unit": "Parsecs"}]}, "entitlements.1.member.unit"),
        ({"entitlements": [{"Name": "Seats", "Unit": "Count"}]}, "MaxCount"),
        ({"region": "moon"}, "HomeRegion"),
        ({"region": 1}, "region"),
        ({"productName": ["x"]}, "productName"),
        ({"validityEnd": "next year"}, "validity.end"),
        ({"validityEnd": "2019-01-01T00:00:00Z"}, "Validity.End"),
        ({"signed": "yes"}, "signed"),
        ({"buyer": BUYER}, "'buyer'"),
    ],
)
def test_each_bad_field_is_a_400_naming_it(server: LocalServer, fields: dict[str, Any], named: str) -> None:
    body = {"buyerAccount": BUYER, "productSku": "prod-1", "entitlements": TIERS, **fields}
    reply = request(server, "POST", "/_local/marketplace/licenses", body)
    assert reply.status == 400, reply.body
    assert reply.json()["__type"] == "InvalidControlRequest"
    assert named in reply.json()["message"]
    assert boto3_client(server, "license-manager", BUYER).list_received_licenses()["Licenses"] == []


def test_posts_need_a_json_content_type_and_a_json_object(emulator: LocalLicenseManager, server: LocalServer) -> None:
    body = {"buyerAccount": BUYER, "productSku": "prod-1", "entitlements": TIERS}
    raw = json.dumps(body).encode()
    for path in ("/_local/marketplace/licenses", "/_local/organization"):
        # Raw requests: over HTTP the server may refuse a foreign Content-Type before (403) this check.
        for headers in ({}, {"Content-Type": "text/plain"}, {"content-type": "application/x-www-form-urlencoded"}):
            status, _headers, answer = emulator.handle_http("POST", path, headers, raw)
            assert status == 415, (path, headers, status)
            error = json.loads(answer)
            assert error["__type"] == "UnsupportedMediaType"
            assert "Content-Type: application/json" in error["message"]
        bad = request(server, "POST", path, b"[1, 2]")
        assert bad.status == 400 and "not a JSON object" in bad.json()["message"]
    charset_json = "application/json; charset=utf-8"
    charset = request(server, "POST", "/_local/marketplace/licenses", body, content_type=charset_json)
    assert charset.status == 200


def test_wrong_methods_are_405_with_allow(server: LocalServer) -> None:
    reply = request(server, "GET", "/_local/marketplace/licenses", content_type=None)
    assert reply.status == 405 and reply.headers["Allow"] == "POST"
    reply = request(server, "POST", "/_local/marketplace/public-key", {})
    assert reply.status == 405 and reply.headers["Allow"] == "GET"
    reply = request(server, "DELETE", "/_local/organization", content_type=None)
    assert reply.status == 405 and reply.headers["Allow"] == "POST"


def test_organization_then_the_for_organization_lists(server: LocalServer) -> None:
    mgmt, member, outsider = "444444444444", BUYER, "555555555555"
    reply = request(
        server,
        "POST",
        "/_local/organization",
        {"organizationId": "o-abcdefghij", "managementAccount": mgmt, "accounts": [member], "allFeatures": True},
    )
    assert reply.status == 200, reply.body
    assert reply.json() == {"organizationArn": f"arn:aws:organizations::{mgmt}:organization/o-abcdefghij"}
    seeded = seed(server)
    admin = boto3_client(server, "license-manager", mgmt)
    licenses = admin.list_received_licenses_for_organization()["Licenses"]
    assert [x["LicenseArn"] for x in licenses] == [seeded["licenseArn"]]
    grants = admin.list_received_grants_for_organization(LicenseArn=seeded["licenseArn"])["Grants"]
    assert [g["GrantArn"] for g in grants] == [seeded["grantArn"]]
    for account in (member, outsider):
        with pytest.raises(ClientError) as caught:
            boto3_client(server, "license-manager", account).list_received_licenses_for_organization()
        assert caught.value.response["Error"]["Code"] == "AccessDeniedException"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"organizationId": "org-1"}, "organizationId"),
        ({"organizationId": None}, "organizationId"),
        ({"managementAccount": "4444"}, "managementAccount"),
        ({"accounts": "222222222222"}, "accounts"),
        ({"accounts": ["2222"]}, "accounts"),
        ({"ous": []}, "ous"),
        ({"ous": {"ou-1": [BUYER]}}, "ou-1"),
        ({"ous": {"ou-abcd-12345678": [1]}}, "ous.ou-abcd-12345678"),
        ({"allFeatures": "true"}, "allFeatures"),
        ({"members": []}, "'members'"),
    ],
)
def test_each_bad_organization_field_is_a_400_naming_it(
    server: LocalServer, fields: dict[str, Any], named: str
) -> None:
    body = {"organizationId": "o-abcdefghij", "managementAccount": "444444444444", **fields}
    reply = request(server, "POST", "/_local/organization", body)
    assert reply.status == 400, reply.body
    assert reply.json()["__type"] == "InvalidControlRequest" and named in reply.json()["message"]


def test_an_account_belongs_to_one_organization(server: LocalServer) -> None:
    first = {"organizationId": "o-abcdefghij", "managementAccount": "444444444444", "accounts": [BUYER]}
    assert request(server, "POST", "/_local/organization", first).status == 200
    second = {"organizationId": "o-zyxwvutsrq", "managementAccount": "666666666666", "accounts": [BUYER]}
    reply = request(server, "POST", "/_local/organization", second)
    assert reply.status == 400 and BUYER in reply.json()["message"] and "o-abcdefghij" in reply.json()["message"]
    # Replacing the first organization (same id) without the account frees it.
    assert request(server, "POST", "/_local/organization", {**first, "accounts": []}).status == 200
    assert request(server, "POST", "/_local/organization", second).status == 200
