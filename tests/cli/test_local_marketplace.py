"""`lmsdk local seed-marketplace-license`, `set-organization` and `marketplace-public-key` against a running server."""

from __future__ import annotations

import socket
from typing import Any

import jwt

from licensemanager_sdk.cli.local import DEFAULT_ENDPOINT
from tests.cli.conftest import BUYER, Shell

FINGERPRINT = "aws:294406891311:AWS/Marketplace:issuer-fingerprint"


def seed(shell: Shell, sku: str, *options: str, buyer: str = BUYER) -> dict[str, Any]:
    [seeded] = shell.ok("local", "seed-marketplace-license", "--buyer-account", buyer, "--product-sku", sku, *options)
    return seeded


def test_seed_marketplace_license_then_the_buyer_checks_out_and_verifies(shell: Shell) -> None:
    seeded = seed(
        shell,
        "prod-1",
        "--entitlement",
        "Name=Seats,Unit=Count,MaxCount=5,AllowCheckIn=true",
        "--entitlement",
        '{"Name": "PremiumTier", "Unit": "None", "Value": "Enabled"}',
        "--product-name",
        "Container product",
        "--validity-end",
        "2099-01-01T00:00:00Z",
    )
    assert set(seeded) == {"licenseArn", "grantArn"}
    buyer = shell.local.boto3_client(account=BUYER)
    lic = buyer.get_license(LicenseArn=seeded["licenseArn"])["License"]
    assert lic["Issuer"]["KeyFingerprint"] == FINGERPRINT and lic["ProductName"] == "Container product"
    assert {e["Name"]: e.get("MaxCount") for e in lic["Entitlements"]} == {"Seats": 5, "PremiumTier": None}
    assert [e["AllowCheckIn"] for e in lic["Entitlements"] if e["Name"] == "Seats"] == [True]
    assert buyer.get_grant(GrantArn=seeded["grantArn"])["Grant"]["GrantStatus"] == "ACTIVE"

    [lease] = shell.ok(
        "checkout", "try", "--sku", "prod-1", "--fingerprint", FINGERPRINT, "--entitlement", "Seats=1", account=BUYER
    )
    result = shell.run("local", "marketplace-public-key")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    token = buyer.checkout_license(
        ProductSKU="prod-1",
        CheckoutType="PROVISIONAL",
        KeyFingerprint=FINGERPRINT,
        Entitlements=[{"Name": "PremiumTier", "Unit": "None"}],
        ClientToken="cli-test",
    )["SignedToken"]
    assert jwt.decode(token, result.stdout, algorithms=["PS384"])["licenseArn"] == seeded["licenseArn"]
    assert lease["LicenseArn"] == seeded["licenseArn"]
    assert [e["Name"] for e in lease["EntitlementsAllowed"]] == ["Seats"]


def test_unsigned_and_other_region(shell: Shell) -> None:
    seeded = seed(
        shell,
        "prod-2",
        "--entitlement",
        "Name=Tier,Unit=None",
        "--license-region",
        "eu-west-1",
        "--unsigned",
    )
    lic = shell.local.boto3_client(account=BUYER).get_license(LicenseArn=seeded["licenseArn"])["License"]
    assert lic["HomeRegion"] == "eu-west-1"


def test_set_organization(shell: Shell) -> None:
    [org] = shell.ok(
        "local",
        "set-organization",
        "--organization-id",
        "o-abcdefghij",
        "--management-account",
        "444444444444",
        "--account",
        BUYER,
        "--ou",
        "ou-abcd-12345678=555555555555,666666666666",
    )
    assert org == {"organizationArn": "arn:aws:organizations::444444444444:organization/o-abcdefghij"}
    seed(shell, "prod-1", "--entitlement", "Name=Tier,Unit=None", buyer="666666666666")
    admin = shell.local.boto3_client(account="444444444444")
    assert len(admin.list_received_licenses_for_organization()["Licenses"]) == 1


def test_refusals_exit_1_with_the_services_message_and_bad_usage_exits_2(shell: Shell) -> None:
    refused = shell.run(
        "local", "seed-marketplace-license", "--buyer-account", "12", "--product-sku", "p", "--entitlement", "Name=T"
    )
    assert refused.exit_code == 1
    assert "HTTP 400" in refused.stderr and "buyerAccount" in refused.stderr
    bad_entitlement = shell.run(
        "local", "seed-marketplace-license", "--buyer-account", BUYER, "--product-sku", "p", "--entitlement", "Seats"
    )
    assert bad_entitlement.exit_code == 2 and "Name=...,Unit=..." in bad_entitlement.stderr
    bad_ou = shell.run(
        "local", "set-organization", "--organization-id", "o-abcdefghij", "--management-account", BUYER, "--ou", "ou-1"
    )
    assert bad_ou.exit_code == 2 and "--ou" in bad_ou.stderr
    bad_json = shell.run(
        "local", "seed-marketplace-license", "--buyer-account", BUYER, "--product-sku", "p", "--entitlement", "{nope"
    )
    assert bad_json.exit_code == 2 and "not JSON" in bad_json.stderr


def test_no_server_is_a_clear_error(shell: Shell) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    shell.url = f"http://127.0.0.1:{port}"
    result = shell.run("local", "marketplace-public-key")
    assert result.exit_code == 1
    assert "cannot reach the local service" in result.stderr and "lmsdk local --port 4566" in result.stderr
    assert DEFAULT_ENDPOINT == "http://127.0.0.1:4566"
