"""Reference scenarios (SERVICE.md §17) end to end through the transport; no normal call ever answers 5xx."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.serialization import load_der_public_key

from licensemanager_sdk.local import LocalLicenseManager, LocalServer
from tests._constants import GRANT_OPERATIONS as ALL_GRANT_OPERATIONS

from .support import http_client, license_params

SELLER, BUYER = "111111111111", "222222222222"


class StatusLog:
    """Every status the clients saw, from botocore's raw response."""

    def __init__(self) -> None:
        self.statuses: list[tuple[str, int]] = []

    def watch(self, client: Any) -> Any:
        def record(response_dict: dict[str, Any], operation_model: Any, **_: Any) -> None:
            self.statuses.append((operation_model.name, response_dict["status_code"]))

        client.meta.events.register("before-parse", record)
        return client


def _seller_to_buyer(seller: Any, buyer: Any, anonymous: Any) -> None:
    """S2: seller license -> grant -> buyer accepts, activates, checks out, extends, checks in, token."""
    params = license_params("s2-license")
    params["ConsumptionConfiguration"] = {"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}}
    arn = seller.create_license(**params)["LicenseArn"]
    grant_arn = seller.create_grant(
        ClientToken="s2-grant",
        GrantName="to buyer",
        LicenseArn=arn,
        Principals=[f"arn:aws:iam::{BUYER}:root"],
        HomeRegion="us-east-1",
        AllowedOperations=ALL_GRANT_OPERATIONS,
    )["GrantArn"]
    buyer.accept_grant(GrantArn=grant_arn)
    buyer.create_grant_version(ClientToken="s2-activate", GrantArn=grant_arn, Status="ACTIVE")
    checkout = buyer.checkout_license(
        ProductSKU="widget-sku",
        CheckoutType="PROVISIONAL",
        KeyFingerprint=f"aws:{SELLER}:Widget Corp:issuer-fingerprint",
        Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1"}],
        ClientToken="s2-checkout",
    )
    token = buyer.extend_license_consumption(LicenseConsumptionToken=checkout["LicenseConsumptionToken"])
    buyer.check_in_license(LicenseConsumptionToken=token["LicenseConsumptionToken"])
    refresh = buyer.create_token(LicenseArn=arn, ClientToken="s2-token")["Token"]
    assert anonymous.get_access_token(Token=refresh)["AccessToken"]
    assert seller.get_license_usage(LicenseArn=arn)["LicenseUsage"] is not None
    assert [g["GrantArn"] for g in buyer.list_received_grants()["Grants"]] == [grant_arn]
    assert [g["GrantArn"] for g in seller.list_distributed_grants()["Grants"]] == [grant_arn]


def _error_cases(client: Any) -> None:
    unknown_license = f"arn:aws:license-manager::{SELLER}:license:l-00000000000000000000000000000000"
    bad: list[tuple[str, dict[str, Any]]] = [
        ("get_license", {"LicenseArn": unknown_license}),
        ("get_license", {"LicenseArn": "not-an-arn"}),
        ("list_licenses", {"MaxResults": 1000}),
        ("create_license", {**license_params("bad-ents"), "Entitlements": []}),
        ("create_grant_version", {"ClientToken": "x", "GrantArn": "arn:aws:license-manager::1:grant:g-0"}),
        ("check_in_license", {"LicenseConsumptionToken": "nope"}),
        ("delete_token", {"TokenId": "nope"}),
        ("get_access_token", {"Token": "not.a.jwt"}),
        (
            "checkout_license",
            {
                "ProductSKU": "x",
                "CheckoutType": "PROVISIONAL",
                "KeyFingerprint": "y",
                "Entitlements": [{"Name": "a", "Unit": "Count"}],
                "ClientToken": "bad",
            },
        ),
    ]
    for operation, params in bad:
        with pytest.raises(ClientError):
            getattr(client, operation)(**params)


def test_reference_scenarios_never_answer_5xx(
    emulator: LocalLicenseManager, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    log = StatusLog()
    caplog.set_level(logging.ERROR, logger="licensemanager_sdk.local")
    # S2 in process, and again over HTTP on a clean slate.
    _seller_to_buyer(
        log.watch(emulator.boto3_client(account=SELLER)),
        log.watch(emulator.boto3_client(account=BUYER)),
        log.watch(http_client(server.url, unsigned=True)),
    )
    emulator.reset()
    _seller_to_buyer(
        log.watch(http_client(server.url, account=SELLER)),
        log.watch(http_client(server.url, account=BUYER)),
        log.watch(http_client(server.url, unsigned=True)),
    )
    _error_cases(log.watch(emulator.boto3_client(account=SELLER)))
    _error_cases(log.watch(http_client(server.url, account=SELLER)))
    assert len(log.statuses) > 40
    assert [entry for entry in log.statuses if entry[1] >= 500] == []
    assert any(status >= 400 for _, status in log.statuses)
    assert caplog.records == []


def test_borrow_signed_token_verifies_with_pyjwt_over_http(server: LocalServer) -> None:
    """S3: a KMS-signed borrow token, verified offline with the key's public half."""
    kms = http_client(server.url, "kms", account=SELLER)
    lm = http_client(server.url, account=SELLER)
    key = kms.create_key(KeySpec="RSA_4096", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    params = license_params("s3-license")
    params["Issuer"] = {"Name": "Widget Corp", "SignKey": key["Arn"]}
    params["Entitlements"] = [{"Name": "Users", "Unit": "Count", "MaxCount": 10, "AllowCheckIn": True}]
    params["ConsumptionConfiguration"] = {
        "BorrowConfiguration": {"MaxTimeToLiveInMinutes": 1440, "AllowEarlyCheckIn": True}
    }
    arn = lm.create_license(**params)["LicenseArn"]
    borrowed = lm.checkout_borrow_license(
        LicenseArn=arn,
        Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1"}],
        DigitalSignatureMethod="JWT_PS384",
        NodeId="MyNodeId",
        ClientToken="s3-borrow",
    )
    public_key = load_der_public_key(kms.get_public_key(KeyId=key["Arn"])["PublicKey"])
    claims = jwt.decode(borrowed["SignedToken"], public_key, algorithms=["PS384"])  # type: ignore[arg-type]
    assert claims["licenseArn"] == arn
    assert claims["nodeId"] == "MyNodeId"
