"""Black-box conformance of the local License Manager against SERVICE.md (/work/shared/design/SERVICE.md).

Drives the emulator only the way outside clients do: `python -m licensemanager_sdk.local` as a subprocess,
reached with plain boto3 over HTTP (plus raw HTTP for wire details and the `/_local/` controls), and a few
cases with `LocalLicenseManager().boto3_client(...)` in process. Each test names the SERVICE.md section whose
sourced statements it checks. State is reset before every test.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import re
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from licensemanager_sdk.local import LocalLicenseManager
from tests._constants import GRANT_OPERATIONS as ALL_OPS
from tests.local._process import local_service_process

SELLER = "111111111111"
BUYER = "222222222222"
OTHER = "333333333333"
REGION = "us-east-1"
LICENSE_ARN = re.compile(r"arn:aws:license-manager::(\d{12}):license:l-[0-9a-f]{32}")
GRANT_ARN = re.compile(r"arn:aws:license-manager::(\d{12}):grant:g-[0-9a-f]{32}")
ZONELESS = "%Y-%m-%dT%H:%M:%S"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# ----- the server under test ------------------------------------------------------------------------------------


def _raw(
    url: str, method: str, path: str, body: bytes | str = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=15)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _control(url: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    status, _, body = _raw(url, "POST", path, json.dumps(payload or {}), {"Content-Type": "application/json"})
    assert status == 200, body
    result: dict[str, Any] = json.loads(body) if body else {}
    return result


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with local_service_process() as (_, url):
        yield url


class Aws:
    """Plain boto3 clients against one endpoint, one per (service, account, region), retries off."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._clients: dict[tuple[str, str, str, bool], Any] = {}

    def __call__(self, account: str = SELLER, region: str = REGION, service: str = "license-manager") -> Any:
        return self._client(service, account, region, unsigned=False)

    def anonymous(self, region: str = REGION) -> Any:
        return self._client("license-manager", "", region, unsigned=True)

    def _client(self, service: str, account: str, region: str, *, unsigned: bool) -> Any:
        key = (service, account, region, unsigned)
        if key not in self._clients:
            config = Config(retries={"total_max_attempts": 1})
            if unsigned:
                config = config.merge(Config(signature_version=UNSIGNED))
            self._clients[key] = boto3.client(
                service,  # type: ignore[call-overload]
                endpoint_url=self.url,
                region_name=region,
                aws_access_key_id=account or "anonymous",
                aws_secret_access_key="not-verified",
                config=config,
            )
        return self._clients[key]


_AWS: dict[str, Aws] = {}


@pytest.fixture
def aws(server: str) -> Aws:
    _control(server, "/_local/reset")
    if server not in _AWS:
        _AWS[server] = Aws(server)
    return _AWS[server]


# ----- request builders and assertions ----------------------------------------------------------------------------


def _token() -> str:
    return uuid.uuid4().hex


def _license(
    lm: Any,
    *,
    sku: str = "sku-1",
    entitlements: list[dict[str, Any]] | None = None,
    home: str = REGION,
    issuer: dict[str, str] | None = None,
    consumption: dict[str, Any] | None = None,
    beneficiary: str = "My Beneficiary",
    validity: dict[str, str] | None = None,
) -> str:
    response = lm.create_license(
        LicenseName="Conformance license",
        ProductName="Conformance product",
        ProductSKU=sku,
        Issuer=issuer or {"Name": "My Company"},
        HomeRegion=home,
        Validity=validity or {"Begin": "2020-01-01T00:00:00Z", "End": "2099-01-01T00:00:00Z"},
        Entitlements=entitlements
        or [{"Name": "Users", "Unit": "Count", "MaxCount": 1000, "Overage": False, "AllowCheckIn": True}],
        Beneficiary=beneficiary,
        ConsumptionConfiguration=consumption
        or {"RenewType": "None", "ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        ClientToken=_token(),
    )
    arn: str = response["LicenseArn"]
    return arn


def _fingerprint(account: str = SELLER, name: str = "My Company") -> str:
    return f"aws:{account}:{name}:issuer-fingerprint"


def _checkout(
    lm: Any,
    *,
    sku: str = "sku-1",
    entitlements: list[dict[str, Any]] | None = None,
    beneficiary: str | None = "My Beneficiary",
    checkout_type: str = "PROVISIONAL",
    fingerprint: str | None = None,
    client_token: str | None = None,
) -> dict[str, Any]:
    extra = {"Beneficiary": beneficiary} if beneficiary is not None else {}
    response: dict[str, Any] = lm.checkout_license(
        ProductSKU=sku,
        CheckoutType=checkout_type,
        KeyFingerprint=fingerprint or _fingerprint(),
        Entitlements=entitlements or [{"Name": "Users", "Unit": "Count", "Value": "1"}],
        ClientToken=client_token or _token(),
        **extra,
    )
    return response


def _grant(seller: Any, license_arn: str, grantee: str = BUYER, operations: list[str] | None = None) -> str:
    response = seller.create_grant(
        ClientToken=_token(),
        GrantName="Conformance grant",
        LicenseArn=license_arn,
        Principals=[f"arn:aws:iam::{grantee}:root"],
        HomeRegion=REGION,
        AllowedOperations=operations or ALL_OPS,
    )
    arn: str = response["GrantArn"]
    return arn


def _active_grant(aws: Aws, license_arn: str, grantee: str = BUYER, operations: list[str] | None = None) -> str:
    grant_arn = _grant(aws(SELLER), license_arn, grantee, operations)
    buyer = aws(grantee)
    buyer.accept_grant(GrantArn=grant_arn)
    buyer.create_grant_version(GrantArn=grant_arn, Status="ACTIVE", ClientToken=_token())
    return grant_arn


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    error = excinfo.value.response["Error"]
    return error["Code"], error.get("Message", ""), excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def _usage(lm: Any, license_arn: str) -> dict[str, dict[str, Any]]:
    usages = lm.get_license_usage(LicenseArn=license_arn)["LicenseUsage"]["EntitlementUsages"]
    return {u["Name"]: u for u in usages}


def _zoneless(text: str) -> dt.datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", text), text
    return dt.datetime.strptime(text, ZONELESS)


def _advance(aws: Aws, seconds: int) -> None:
    _control(aws.url, "/_local/clock", {"advance_seconds": seconds})


def _lm_call(url: str, operation: str, body: bytes | str, *, account: str = SELLER) -> tuple[int, dict[str, str], Any]:
    headers = {
        "X-Amz-Target": f"AWSLicenseManager.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={account}/20260101/{REGION}/license-manager/aws4_request, "
            "SignedHeaders=host;x-amz-target, Signature=00"
        ),
    }
    status, response_headers, raw = _raw(url, "POST", "/", body, headers)
    return status, response_headers, json.loads(raw) if raw else None


# ----- §2 identifiers and formats -------------------------------------------------------------------------------


def test_s2_arns_versions_fingerprint_and_timestamps(aws: Aws) -> None:
    seller = aws(SELLER)
    before = int(time.time())
    created = seller.create_license(
        LicenseName="Formats",
        ProductName="Formats product",
        ProductSKU="sku-1",
        Issuer={"Name": "My Company"},
        HomeRegion=REGION,
        Validity={"Begin": "2021-04-12T00:00:00+02:00", "End": "2099-01-01T00:00:00Z"},
        Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 10, "AllowCheckIn": True}],
        Beneficiary="My Beneficiary",
        ConsumptionConfiguration={"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        ClientToken=_token(),
    )
    match = LICENSE_ARN.fullmatch(created["LicenseArn"])
    assert match and match.group(1) == SELLER
    assert created["Version"] == "1"
    lic = seller.get_license(LicenseArn=created["LicenseArn"])["License"]
    assert lic["Issuer"]["KeyFingerprint"] == "aws:111111111111:My Company:issuer-fingerprint"
    assert re.fullmatch(r"\d+", lic["CreateTime"]) and abs(int(lic["CreateTime"]) - before) < 120
    assert lic["Validity"]["Begin"] == "2021-04-11T22:00:00.000Z"
    assert lic["Validity"]["End"] == "2099-01-01T00:00:00.000Z"
    assert lic["Version"] == "1"

    grant_arn = _grant(seller, created["LicenseArn"])
    gmatch = GRANT_ARN.fullmatch(grant_arn)
    assert gmatch and gmatch.group(1) == SELLER
    grant = seller.get_grant(GrantArn=grant_arn)["Grant"]
    assert grant["Version"] == "1" and grant["ParentArn"] == created["LicenseArn"]
    assert grant["GranteePrincipalArn"] == f"arn:aws:iam::{BUYER}:root"

    out = _checkout(seller)
    assert re.fullmatch(r"[0-9a-f]{32}", out["LicenseConsumptionToken"])
    issued, expires = _zoneless(out["IssuedAt"]), _zoneless(out["Expiration"])
    assert expires - issued == dt.timedelta(minutes=60)
    assert out["LicenseArn"] == created["LicenseArn"]

    token = seller.create_token(LicenseArn=created["LicenseArn"], ClientToken=_token())
    assert UUID_RE.fullmatch(token["TokenId"]) and token["TokenType"] == "REFRESH_TOKEN"
    claims = jwt.decode(token["Token"], options={"verify_signature": False})
    assert claims["sub"] == token["TokenId"] and claims["aud"] == created["LicenseArn"]
    listed = seller.list_tokens()["Tokens"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", listed["ExpirationTime"])


def test_s2_invalid_timestamp_and_arn_inputs_are_validation_errors(aws: Aws) -> None:
    seller = aws(SELLER)
    with pytest.raises(ClientError) as excinfo:
        _license(seller, validity={"Begin": "2021-04-12T00:00:00"})
    assert _error(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        seller.get_license(LicenseArn="not-an-arn")
    assert _error(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        seller.get_license(LicenseArn=f"arn:aws:license-manager::{SELLER}:license:l-{'0' * 32}")
    assert _error(excinfo)[0] == "InvalidParameterValueException"


# ----- §4 license lifecycle -------------------------------------------------------------------------------------


def test_s4_create_license_status_and_validation(aws: Aws) -> None:
    seller = aws(SELLER)
    arn = _license(seller)
    assert seller.get_license(LicenseArn=arn)["License"]["Status"] == "AVAILABLE"
    for bad in (
        [],
        [{"Name": "Users", "Unit": "Count"}],
        [{"Name": "Tier", "Unit": "None", "MaxCount": 1}],
        [{"Name": "Users", "Unit": "Count", "MaxCount": 1}, {"Name": "Users", "Unit": "Count", "MaxCount": 2}],
        [{"Name": "Users", "Unit": "Lightyears", "MaxCount": 1}],
    ):
        with pytest.raises(ClientError) as excinfo:
            _license(seller, entitlements=bad) if bad else seller.create_license(
                LicenseName="x",
                ProductName="x",
                ProductSKU="x",
                Issuer={"Name": "x"},
                HomeRegion=REGION,
                Validity={"Begin": "2020-01-01T00:00:00Z"},
                Entitlements=[],
                Beneficiary="x",
                ConsumptionConfiguration={"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
                ClientToken=_token(),
            )
        assert _error(excinfo)[0] == "ValidationException", bad
    created = seller.create_license(
        LicenseName="x",
        ProductName="x",
        ProductSKU="x",
        Issuer={"Name": "x"},
        HomeRegion=REGION,
        Validity={"Begin": "2020-01-01T00:00:00Z"},
        Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 1}],
        Beneficiary="x",
        ConsumptionConfiguration={"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        ClientToken=_token(),
    )
    assert created["Status"] == "PENDING_AVAILABLE" and created["Version"] == "1"


def test_s4_create_license_version_versions_and_source_version_conflict(aws: Aws) -> None:
    seller = aws(SELLER)
    arn = _license(seller, sku="sku-v")
    lic = seller.get_license(LicenseArn=arn)["License"]

    def new_version(source: str | None, status: str = "AVAILABLE", max_count: int = 5) -> dict[str, Any]:
        extra = {"SourceVersion": source} if source is not None else {}
        response: dict[str, Any] = seller.create_license_version(
            LicenseArn=arn,
            LicenseName="Renamed",
            ProductName=lic["ProductName"],
            Issuer={"Name": "My Company"},
            HomeRegion=REGION,
            Validity={"Begin": "2020-01-01T00:00:00Z", "End": "2099-01-01T00:00:00Z"},
            Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": max_count, "AllowCheckIn": True}],
            ConsumptionConfiguration={"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
            Status=status,
            ClientToken=_token(),
            **extra,
        )
        return response

    second = new_version("1")
    second.pop("ResponseMetadata")
    assert second == {"LicenseArn": arn, "Version": "2", "Status": "AVAILABLE"}
    with pytest.raises(ClientError) as excinfo:
        new_version("1")
    assert _error(excinfo)[0] == "ConflictException" and _error(excinfo)[2] == 409
    assert new_version(None, "DEACTIVATED")["Version"] == "3"
    current = seller.get_license(LicenseArn=arn)["License"]
    assert current["Status"] == "DEACTIVATED" and current["LicenseName"] == "Renamed"
    assert current["ProductSKU"] == "sku-v" and current["Beneficiary"] == "My Beneficiary"
    first = seller.get_license(LicenseArn=arn, Version="1")["License"]
    assert first["Version"] == "1" and first["LicenseName"] == "Conformance license"
    versions = seller.list_license_versions(LicenseArn=arn)["Licenses"]
    assert [v["Version"] for v in versions] == ["1", "2", "3"]
    with pytest.raises(ClientError) as excinfo:
        _checkout(seller, sku="sku-v")
    assert _error(excinfo)[0] == "NoEntitlementsAllowedException"

    with pytest.raises(ClientError) as excinfo:
        aws(BUYER).create_license_version(
            LicenseArn=arn,
            LicenseName="x",
            ProductName="x",
            Issuer={"Name": "x"},
            HomeRegion=REGION,
            Validity={"Begin": "2020-01-01T00:00:00Z"},
            Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 1}],
            ConsumptionConfiguration={"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
            Status="AVAILABLE",
            ClientToken=_token(),
        )
    assert _error(excinfo)[:3:2] == ("AccessDeniedException", 401)
    with pytest.raises(ClientError) as excinfo:
        seller.create_license_version(
            LicenseArn=f"arn:aws:license-manager::{SELLER}:license:l-{'1' * 32}",
            LicenseName="x",
            ProductName="x",
            Issuer={"Name": "x"},
            HomeRegion=REGION,
            Validity={"Begin": "2020-01-01T00:00:00Z"},
            Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 1}],
            ConsumptionConfiguration={"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
            Status="AVAILABLE",
            ClientToken=_token(),
        )
    assert _error(excinfo)[0] == "ResourceNotFoundException"


def test_s4_delete_license(aws: Aws) -> None:
    seller = aws(SELLER)
    arn = _license(seller, sku="sku-d")
    grant_arn = _grant(seller, arn)
    with pytest.raises(ClientError) as excinfo:
        seller.delete_license(LicenseArn=arn, SourceVersion="7")
    assert _error(excinfo)[0] == "ConflictException"
    deleted = seller.delete_license(LicenseArn=arn, SourceVersion="1")
    assert deleted["Status"] == "PENDING_DELETE"
    when = dt.datetime.strptime(deleted["DeletionDate"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    assert abs((when - dt.datetime.now(dt.timezone.utc)).days - 180) <= 1
    assert seller.get_license(LicenseArn=arn)["License"]["Status"] == "PENDING_DELETE"
    assert [lic["LicenseArn"] for lic in seller.list_licenses()["Licenses"]] == [arn]
    assert seller.get_grant(GrantArn=grant_arn)["Grant"]["GrantStatus"] == "DELETED"
    with pytest.raises(ClientError) as excinfo:
        _checkout(seller, sku="sku-d")
    assert _error(excinfo)[0] in ("ResourceNotFoundException", "NoEntitlementsAllowedException")
    with pytest.raises(ClientError) as excinfo:
        seller.delete_license(LicenseArn=arn, SourceVersion="1")
    assert _error(excinfo)[0] == "InvalidParameterValueException"


def test_s4_validity_window(aws: Aws) -> None:
    seller = aws(SELLER)
    future = _license(seller, sku="sku-future", validity={"Begin": "2098-01-01T00:00:00Z"})
    assert seller.get_license(LicenseArn=future)["License"]["Status"] == "AVAILABLE"
    with pytest.raises(ClientError) as excinfo:
        _checkout(seller, sku="sku-future")
    assert _error(excinfo)[0] == "NoEntitlementsAllowedException"
    ended = _license(seller, sku="sku-ended", validity={"Begin": "2020-01-01T00:00:00Z", "End": "2021-01-01T00:00:00Z"})
    assert seller.get_license(LicenseArn=ended)["License"]["Status"] == "EXPIRED"


# ----- §5 grants ------------------------------------------------------------------------------------------------


def test_s5_grant_lifecycle_accept_activate_delete(aws: Aws) -> None:
    seller, buyer, other = aws(SELLER), aws(BUYER), aws(OTHER)
    license_arn = _license(seller, sku="sku-g")
    created = seller.create_grant(
        ClientToken=_token(),
        GrantName="g",
        LicenseArn=license_arn,
        Principals=[f"arn:aws:iam::{BUYER}:root"],
        HomeRegion=REGION,
        AllowedOperations=ALL_OPS,
    )
    grant_arn = created["GrantArn"]
    assert (created["Status"], created["Version"]) == ("PENDING_WORKFLOW", "1")
    grant = buyer.get_grant(GrantArn=grant_arn)["Grant"]
    assert (grant["GrantStatus"], grant["Version"], grant["LicenseArn"]) == ("PENDING_ACCEPT", "1", license_arn)
    assert [g["GrantArn"] for g in seller.list_distributed_grants()["Grants"]] == [grant_arn]
    assert buyer.list_distributed_grants()["Grants"] == []
    received = buyer.list_received_grants()["Grants"]
    assert [(g["GrantArn"], g["GrantStatus"]) for g in received] == [(grant_arn, "PENDING_ACCEPT")]

    with pytest.raises(ClientError) as excinfo:
        other.accept_grant(GrantArn=grant_arn)
    assert _error(excinfo)[:2] == (
        "ValidationException",
        f"Caller arn:aws:iam::{OTHER}:root is not allowed to accept this grant.",
    )
    with pytest.raises(ClientError) as excinfo:
        _checkout(buyer, sku="sku-g", beneficiary=None)
    assert _error(excinfo)[0] in ("ResourceNotFoundException", "NoEntitlementsAllowedException")

    accepted = buyer.accept_grant(GrantArn=grant_arn)
    assert (accepted["Status"], accepted["Version"]) == ("DISABLED", "2")
    with pytest.raises(ClientError) as excinfo:
        _checkout(buyer, sku="sku-g", beneficiary=None)
    assert _error(excinfo)[0] in ("ResourceNotFoundException", "NoEntitlementsAllowedException")
    active = buyer.create_grant_version(GrantArn=grant_arn, Status="ACTIVE", ClientToken=_token())
    assert (active["Status"], active["Version"]) == ("ACTIVE", "3")
    out = _checkout(buyer, sku="sku-g", beneficiary=None)
    assert out["EntitlementsAllowed"] == [{"Name": "Users", "Unit": "Count", "Value": "1"}]
    received_license = buyer.list_received_licenses()["Licenses"][0]
    assert received_license["LicenseArn"] == license_arn
    assert received_license["ReceivedMetadata"]["ReceivedStatus"] == "ACTIVE"
    assert set(received_license["ReceivedMetadata"]["AllowedOperations"]) == set(ALL_OPS)
    assert buyer.get_license(LicenseArn=license_arn)["License"]["LicenseArn"] == license_arn
    with pytest.raises(ClientError) as excinfo:
        other.get_license(LicenseArn=license_arn)
    assert _error(excinfo)[0] == "AccessDeniedException"

    with pytest.raises(ClientError) as excinfo:
        seller.delete_grant(GrantArn=grant_arn, Version="1")
    assert _error(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        buyer.delete_grant(GrantArn=grant_arn, Version="3")
    assert _error(excinfo)[0] == "AccessDeniedException"
    deleted = seller.delete_grant(GrantArn=grant_arn, Version="3")
    assert (deleted["Status"], deleted["Version"]) == ("DELETED", "4")
    assert seller.get_grant(GrantArn=grant_arn)["Grant"]["GrantStatus"] == "DELETED"
    with pytest.raises(ClientError) as excinfo:
        _checkout(buyer, sku="sku-g", beneficiary=None)
    assert _error(excinfo)[0] in ("ResourceNotFoundException", "NoEntitlementsAllowedException")


def test_s5_reject_and_version_rules(aws: Aws) -> None:
    seller, buyer = aws(SELLER), aws(BUYER)
    license_arn = _license(seller, sku="sku-r")
    grant_arn = _grant(seller, license_arn)
    rejected = buyer.reject_grant(GrantArn=grant_arn)
    assert (rejected["Status"], rejected["Version"]) == ("REJECTED", "2")
    with pytest.raises(ClientError) as excinfo:
        buyer.create_grant_version(GrantArn=grant_arn, Status="ACTIVE", ClientToken=_token())
    assert _error(excinfo)[0] == "ValidationException"
    assert buyer.list_received_licenses()["Licenses"] == []

    second = _grant(seller, license_arn)
    buyer.accept_grant(GrantArn=second)
    with pytest.raises(ClientError) as excinfo:
        buyer.create_grant_version(GrantArn=second, Status="ACTIVE", SourceVersion="1", ClientToken=_token())
    assert _error(excinfo)[0] == "ValidationException"
    renamed = seller.create_grant_version(GrantArn=second, GrantName="renamed", ClientToken=_token())
    assert renamed["Version"] == "3"
    assert seller.get_grant(GrantArn=second)["Grant"]["GrantName"] == "renamed"
    assert seller.get_grant(GrantArn=second, Version="1")["Grant"]["GrantStatus"] == "PENDING_ACCEPT"
    with pytest.raises(ClientError) as excinfo:
        seller.get_grant(GrantArn=f"arn:aws:license-manager::{SELLER}:grant:g-{'0' * 32}")
    assert _error(excinfo)[0] == "InvalidParameterValueException"


def test_s5_create_grant_region_principals_and_operations(aws: Aws) -> None:
    seller = aws(SELLER)
    license_arn = _license(seller, sku="sku-gr")
    west = aws(SELLER, "us-west-2")
    with pytest.raises(ClientError) as excinfo:
        west.create_grant(
            ClientToken=_token(),
            GrantName="g",
            LicenseArn=license_arn,
            Principals=[f"arn:aws:iam::{BUYER}:root"],
            HomeRegion="us-west-2",
            AllowedOperations=["CheckoutLicense"],
        )
    assert _error(excinfo)[:2] == (
        "ValidationException",
        "Grant can only be created in resource home AWS region: us-east-1",
    )
    for principals, operations in (
        ([f"arn:aws:iam::{BUYER}:root", f"arn:aws:iam::{OTHER}:root"], ["CheckoutLicense"]),
        ([f"arn:aws:iam::{BUYER}:root"], ["Bogus"]),
        ([f"arn:aws:iam::{SELLER}:root"], ["CheckoutLicense"]),
    ):
        with pytest.raises(ClientError) as excinfo:
            seller.create_grant(
                ClientToken=_token(),
                GrantName="g",
                LicenseArn=license_arn,
                Principals=principals,
                HomeRegion=REGION,
                AllowedOperations=operations,
            )
        assert _error(excinfo)[0] == "ValidationException", (principals, operations)

    # A grantee without CheckoutLicense in its grant cannot check out.
    _active_grant(aws, license_arn, BUYER, ["ListPurchasedLicenses"])
    with pytest.raises(ClientError) as excinfo:
        _checkout(aws(BUYER), sku="sku-gr", beneficiary=None)
    assert _error(excinfo)[0] in ("ResourceNotFoundException", "NoEntitlementsAllowedException")


# ----- §6 consumption -------------------------------------------------------------------------------------------


def test_s6_partial_checkout_and_unlimited_entitlements(aws: Aws) -> None:
    seller = aws(SELLER)
    arn = _license(
        seller,
        sku="sku-tier",
        entitlements=[
            {"Name": "IntermediateTier", "Unit": "None", "Value": "Enabled"},
            {"Name": "Users", "Unit": "Count", "MaxCount": 1, "AllowCheckIn": True},
        ],
    )
    tiers = [{"Name": n, "Unit": "None"} for n in ("BasicTier", "IntermediateTier", "PremiumTier")]
    out = _checkout(seller, sku="sku-tier", entitlements=tiers)
    assert out["EntitlementsAllowed"] == [{"Name": "IntermediateTier", "Unit": "None", "Value": "Enabled"}]
    assert out["CheckoutType"] == "PROVISIONAL" and "SignedToken" not in out
    # A counted entitlement that cannot be satisfied is omitted; the rest is granted.
    out = _checkout(
        seller,
        sku="sku-tier",
        entitlements=[{"Name": "Users", "Unit": "Count", "Value": "5"}, {"Name": "IntermediateTier", "Unit": "None"}],
    )
    assert [e["Name"] for e in out["EntitlementsAllowed"]] == ["IntermediateTier"]
    # Unit None against a counted entitlement: nothing grantable.
    with pytest.raises(ClientError) as excinfo:
        _checkout(seller, sku="sku-tier", entitlements=[{"Name": "Users", "Unit": "None"}])
    assert _error(excinfo)[0] == "NoEntitlementsAllowedException"
    usage = _usage(seller, arn)
    assert usage["IntermediateTier"]["ConsumedValue"] == "0" and "MaxCount" not in usage["IntermediateTier"]
    assert usage["Users"] == {"Name": "Users", "ConsumedValue": "0", "MaxCount": "1", "Unit": "Count"}
    with pytest.raises(ClientError) as excinfo:
        _checkout(seller, sku="sku-none-such")
    assert _error(excinfo)[0] == "ResourceNotFoundException"


def test_s6_exhaustion_overage_and_provisional_expiry_on_the_clock(aws: Aws) -> None:
    seller = aws(SELLER)
    arn = _license(seller, sku="sku-x", entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 1}])
    first = _checkout(seller, sku="sku-x")
    assert first["EntitlementsAllowed"][0]["Value"] == "1"
    with pytest.raises(ClientError) as excinfo:
        _checkout(seller, sku="sku-x")
    assert _error(excinfo)[:3:2] == ("NoEntitlementsAllowedException", 400)
    assert _usage(seller, arn)["Users"]["ConsumedValue"] == "1"
    _advance(aws, 59 * 60)
    with pytest.raises(ClientError):
        _checkout(seller, sku="sku-x")
    _advance(aws, 61)
    again = _checkout(seller, sku="sku-x")
    assert _zoneless(again["IssuedAt"]) >= _zoneless(first["Expiration"])
    with pytest.raises(ClientError) as excinfo:
        seller.extend_license_consumption(LicenseConsumptionToken=first["LicenseConsumptionToken"])
    assert _error(excinfo)[0] == "ResourceNotFoundException"

    over = _license(
        seller, sku="sku-o", entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 1, "Overage": True}]
    )
    _checkout(seller, sku="sku-o")
    _checkout(seller, sku="sku-o", entitlements=[{"Name": "Users", "Unit": "Count", "Value": "2"}])
    assert _usage(seller, over)["Users"] == {"Name": "Users", "ConsumedValue": "3", "MaxCount": "1", "Unit": "Count"}


def test_s6_check_in_and_extend_rules(aws: Aws) -> None:
    seller = aws(SELLER)
    arn = _license(
        seller, sku="sku-c", entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 1, "AllowCheckIn": True}]
    )
    out = _checkout(seller, sku="sku-c")
    token = out["LicenseConsumptionToken"]
    _advance(aws, 600)
    dry = seller.extend_license_consumption(LicenseConsumptionToken=token, DryRun=True)
    assert dry["Expiration"] == out["Expiration"]
    extended = seller.extend_license_consumption(LicenseConsumptionToken=token)
    assert extended["LicenseConsumptionToken"] == token
    # The new expiration counts from the extend call: the 600 s the clock moved, plus the real seconds between calls.
    moved = _zoneless(extended["Expiration"]) - _zoneless(out["Expiration"])
    assert dt.timedelta(seconds=600) <= moved <= dt.timedelta(seconds=605)
    checked_in = seller.check_in_license(LicenseConsumptionToken=token)
    assert set(checked_in) == {"ResponseMetadata"}
    assert _usage(seller, arn)["Users"]["ConsumedValue"] == "0"
    _checkout(seller, sku="sku-c")  # the seat is back in the pool
    for call in (seller.check_in_license, seller.extend_license_consumption):
        with pytest.raises(ClientError) as excinfo:
            call(LicenseConsumptionToken=token)
        assert _error(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        seller.check_in_license(LicenseConsumptionToken=uuid.uuid4().hex)
    assert _error(excinfo)[0] == "ResourceNotFoundException"

    _license(seller, sku="sku-nc", entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 5}])
    no_check_in = _checkout(seller, sku="sku-nc")
    with pytest.raises(ClientError) as excinfo:
        seller.check_in_license(LicenseConsumptionToken=no_check_in["LicenseConsumptionToken"])
    assert _error(excinfo)[:3:2] == ("ConflictException", 409)
    with pytest.raises(ClientError) as excinfo:
        aws(OTHER).check_in_license(LicenseConsumptionToken=no_check_in["LicenseConsumptionToken"])
    assert _error(excinfo)[0] == "AccessDeniedException"


def test_s6_perpetual_draws_down_and_cannot_be_returned(aws: Aws) -> None:
    seller = aws(SELLER)
    arn = _license(
        seller, sku="sku-p", entitlements=[{"Name": "Data", "Unit": "Gigabytes", "MaxCount": 10, "AllowCheckIn": True}]
    )
    out = _checkout(
        seller,
        sku="sku-p",
        checkout_type="PERPETUAL",
        entitlements=[{"Name": "Data", "Unit": "Gigabytes", "Value": "4"}],
    )
    assert out["CheckoutType"] == "PERPETUAL" and re.fullmatch(r"[0-9a-f]{32}", out["LicenseConsumptionToken"])
    with pytest.raises(ClientError) as excinfo:
        seller.check_in_license(LicenseConsumptionToken=out["LicenseConsumptionToken"])
    assert _error(excinfo)[0] == "ConflictException"
    with pytest.raises(ClientError) as excinfo:
        seller.extend_license_consumption(LicenseConsumptionToken=out["LicenseConsumptionToken"])
    assert _error(excinfo)[0] == "ValidationException"
    _advance(aws, 3 * 3600)
    assert _usage(seller, arn)["Data"]["ConsumedValue"] == "4"
    with pytest.raises(ClientError) as excinfo:
        _checkout(
            seller,
            sku="sku-p",
            checkout_type="PERPETUAL",
            entitlements=[{"Name": "Data", "Unit": "Gigabytes", "Value": "7"}],
        )
    assert _error(excinfo)[0] == "NoEntitlementsAllowedException"


def test_s6_checkout_borrow_is_all_or_nothing(aws: Aws) -> None:
    seller = aws(SELLER)
    kms = aws(SELLER, service="kms")
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    borrow = {"BorrowConfiguration": {"AllowEarlyCheckIn": False, "MaxTimeToLiveInMinutes": 1440}}
    arn = _license(
        seller,
        sku="sku-b",
        issuer={"Name": "My Company", "SignKey": key["Arn"]},
        consumption=borrow,
        entitlements=[
            {"Name": "Users", "Unit": "Count", "MaxCount": 2, "AllowCheckIn": True},
            {"Name": "Tier", "Unit": "None", "Value": "Gold"},
        ],
    )

    def borrow_call(entitlements: list[dict[str, Any]], method: str = "JWT_PS384", client: Any = seller) -> Any:
        return client.checkout_borrow_license(
            LicenseArn=arn, Entitlements=entitlements, DigitalSignatureMethod=method, ClientToken=_token()
        )

    with pytest.raises(ClientError) as excinfo:
        borrow_call(
            [{"Name": "Users", "Unit": "Count", "Value": "1"}, {"Name": "Missing", "Unit": "Count", "Value": "1"}]
        )
    assert _error(excinfo)[0] == "EntitlementNotAllowedException"
    with pytest.raises(ClientError) as excinfo:
        borrow_call([{"Name": "Users", "Unit": "Count", "Value": "3"}, {"Name": "Tier", "Unit": "None"}])
    assert _error(excinfo)[0] == "NoEntitlementsAllowedException"
    assert _usage(seller, arn)["Users"]["ConsumedValue"] == "0"
    with pytest.raises(ClientError) as excinfo:
        borrow_call([{"Name": "Users", "Unit": "Count", "Value": "1"}], method="JWT_RS256")
    assert _error(excinfo)[0] == "UnsupportedDigitalSignatureMethodException"
    with pytest.raises(ClientError) as excinfo:
        borrow_call([{"Name": "Users", "Unit": "Count", "Value": "1"}], client=aws(SELLER, "us-west-2"))
    assert _error(excinfo)[0] == "RedirectException"

    out = borrow_call([{"Name": "Users", "Unit": "Count", "Value": "2"}, {"Name": "Tier", "Unit": "None"}])
    assert out["EntitlementsAllowed"] == [
        {"Name": "Users", "Unit": "Count", "Value": "2"},
        {"Name": "Tier", "Unit": "None", "Value": "Gold"},
    ]
    assert _zoneless(out["Expiration"]) - _zoneless(out["IssuedAt"]) == dt.timedelta(hours=24)
    assert out["SignedToken"].count(".") == 2
    with pytest.raises(ClientError) as excinfo:
        seller.check_in_license(LicenseConsumptionToken=out["LicenseConsumptionToken"])
    assert _error(excinfo)[0] == "ConflictException"

    plain = _license(seller, sku="sku-nb")  # provisional only, no SignKey
    with pytest.raises(ClientError) as excinfo:
        seller.checkout_borrow_license(
            LicenseArn=plain,
            Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1"}],
            DigitalSignatureMethod="JWT_PS384",
            ClientToken=_token(),
        )
    assert _error(excinfo)[:2] == ("NoEntitlementsAllowedException", "No Entitlements Allowed")


def test_s6_concurrent_checkouts_never_exceed_max_count(aws: Aws) -> None:
    _license(aws(SELLER), sku="sku-cc", entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 5}])
    clients = [Aws(aws.url)(SELLER) for _ in range(8)]
    granted: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()

    def worker(client: Any) -> None:
        for _ in range(3):
            try:
                out = _checkout(client, sku="sku-cc")
                with lock:
                    granted.append(out["LicenseConsumptionToken"])
            except ClientError as exc:
                with lock:
                    refused.append(exc.response["Error"]["Code"])

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 5 and len(set(granted)) == 5
    assert refused == ["NoEntitlementsAllowedException"] * 19


def test_s6_idempotent_checkout_and_create(aws: Aws) -> None:
    seller = aws(SELLER)
    arn = _license(seller, sku="sku-i", entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 5}])
    first = _checkout(seller, sku="sku-i", client_token="same-token")
    second = _checkout(seller, sku="sku-i", client_token="same-token")
    assert first["LicenseConsumptionToken"] == second["LicenseConsumptionToken"]
    assert _usage(seller, arn)["Users"]["ConsumedValue"] == "1"
    other_account = _license(aws(OTHER), sku="sku-i")
    assert other_account != arn
    with pytest.raises(ClientError) as excinfo:
        _checkout(
            seller,
            sku="sku-i",
            client_token="same-token",
            entitlements=[{"Name": "Users", "Unit": "Count", "Value": "2"}],
        )
    assert _error(excinfo)[0] == "ValidationException"

    def create() -> str:
        return str(
            seller.create_license(
                LicenseName="idem",
                ProductName="idem",
                ProductSKU="idem",
                Issuer={"Name": "idem"},
                HomeRegion=REGION,
                Validity={"Begin": "2020-01-01T00:00:00Z"},
                Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 1}],
                Beneficiary="idem",
                ConsumptionConfiguration={"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
                ClientToken="create-once",
            )["LicenseArn"]
        )

    assert create() == create()
    assert len(seller.list_licenses(Filters=[{"Name": "ProductSKU", "Values": ["idem"]}])["Licenses"]) == 1


# ----- §7 SignedToken -------------------------------------------------------------------------------------------


def _pem(kms: Any, key_id: str) -> bytes:
    der = kms.get_public_key(KeyId=key_id)["PublicKey"]
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN PUBLIC KEY-----\n{lines}\n-----END PUBLIC KEY-----\n".encode()


def test_s7_signed_token_verifies_with_pyjwt_and_kms_public_key(aws: Aws) -> None:
    seller = aws(SELLER)
    kms = aws(SELLER, service="kms")
    key = kms.create_key(CustomerMasterKeySpec="RSA_4096", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    described = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert described["Arn"] == key["Arn"] and described["KeyUsage"] == "SIGN_VERIFY"
    assert re.fullmatch(rf"arn:aws:kms:{REGION}:{SELLER}:key/[0-9a-f-]{{36}}", key["Arn"])
    arn = _license(
        seller,
        sku="sku-s",
        issuer={"Name": "My Company", "SignKey": key["Arn"]},
        consumption={
            "BorrowConfiguration": {"AllowEarlyCheckIn": True, "MaxTimeToLiveInMinutes": 1440},
            "ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60},
        },
    )
    out = seller.checkout_borrow_license(
        LicenseArn=arn,
        Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1"}],
        DigitalSignatureMethod="JWT_PS384",
        NodeId="MyNodeId",
        CheckoutMetadata=[{"Name": "Mac", "Value": "ABCDEFGHI"}],
        ClientToken=_token(),
    )
    signed = out["SignedToken"]
    assert jwt.get_unverified_header(signed) == {"alg": "PS384", "typ": "JWT"}
    claims = jwt.decode(signed, _pem(kms, key["KeyId"]), algorithms=["PS384"], options={"verify_signature": True})
    assert claims == {
        "licenseArn": arn,
        "licenseConsumptionToken": out["LicenseConsumptionToken"],
        "entitlementsAllowed": [{"name": "Users", "value": "1", "unit": "Count"}],
        "nodeId": "MyNodeId",
        "issuedAt": out["IssuedAt"],
        "expiration": out["Expiration"],
        "checkoutMetadata": {"Mac": "ABCDEFGHI"},
    }
    assert out["NodeId"] == "MyNodeId" and out["CheckoutMetadata"] == [{"Name": "Mac", "Value": "ABCDEFGHI"}]
    tampered = signed[:-6] + ("AAAAAA" if not signed.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, _pem(kms, key["KeyId"]), algorithms=["PS384"])
    # The same signature verifies through KMS Verify (RSASSA-PSS SHA-384).
    header_payload, _, signature = signed.rpartition(".")
    verified = kms.verify(
        KeyId=key["Arn"],
        Message=header_payload.encode(),
        Signature=base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
        SigningAlgorithm="RSASSA_PSS_SHA_384",
    )
    assert verified["SignatureValid"] is True
    # Early check-in of the borrow is allowed by AllowEarlyCheckIn.
    seller.check_in_license(LicenseConsumptionToken=out["LicenseConsumptionToken"])

    provisional = _checkout(seller, sku="sku-s", client_token=_token())
    claims = jwt.decode(provisional["SignedToken"], _pem(kms, key["Arn"]), algorithms=["PS384"])
    assert set(claims) == {"licenseArn", "licenseConsumptionToken", "entitlementsAllowed", "issuedAt", "expiration"}
    assert claims["licenseConsumptionToken"] == provisional["LicenseConsumptionToken"]


def test_s7_kms_sign_verify_roundtrip(aws: Aws) -> None:
    kms = aws(SELLER, service="kms")
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    signature = kms.sign(KeyId=key_id, Message=b"hello", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    ok = kms.verify(KeyId=key_id, Message=b"hello", Signature=signature, SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert ok["SignatureValid"] is True
    with pytest.raises(ClientError) as excinfo:
        kms.verify(KeyId=key_id, Message=b"hellO", Signature=signature, SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert _error(excinfo)[0] == "KMSInvalidSignatureException"


# ----- §8 tokens ------------------------------------------------------------------------------------------------


def test_s8_tokens_refresh_access_and_refusals(aws: Aws) -> None:
    seller, buyer = aws(SELLER), aws(BUYER)
    license_arn = _license(seller, sku="sku-t")
    _active_grant(aws, license_arn)
    created = buyer.create_token(
        LicenseArn=license_arn,
        ClientToken=_token(),
        TokenProperties=["prop-a"],
        RoleArns=[f"arn:aws:iam::{BUYER}:role/consumer"],
    )
    assert created["TokenType"] == "REFRESH_TOKEN"
    refresh = jwt.decode(created["Token"], options={"verify_signature": False})
    assert refresh["aud"] == license_arn and refresh["sub"] == created["TokenId"]
    assert "prop-a" in refresh["amr"]
    assert f"aws:license-manager:token-issuer-account-id:{BUYER}" in refresh["amr"]
    assert refresh["exp"] - refresh["iat"] == 365 * 86400

    anonymous = aws.anonymous()
    access = anonymous.get_access_token(Token=created["Token"])["AccessToken"]
    claims = jwt.decode(access, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["aud"] == license_arn and claims["sub"] == created["TokenId"]
    assert anonymous.get_access_token(Token=created["Token"], TokenProperties=["prop-a"])["AccessToken"]
    with pytest.raises(ClientError) as excinfo:
        anonymous.get_access_token(Token=created["Token"], TokenProperties=["prop-b"])
    assert _error(excinfo)[0] in ("AuthorizationException", "ValidationException", "AccessDeniedException")

    head, payload, signature = created["Token"].split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["aud"] = f"arn:aws:license-manager::{SELLER}:license:l-{'f' * 32}"
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    for bad in (f"{head}.{forged}.{signature}", "not-a-jwt", created["Token"][:-4] + "AAAA"):
        with pytest.raises(ClientError) as excinfo:
            anonymous.get_access_token(Token=bad)
        assert _error(excinfo)[0] in ("ValidationException", "AuthorizationException", "AccessDeniedException")

    listed = buyer.list_tokens()["Tokens"]
    assert [(t["TokenId"], t["Status"], t["LicenseArn"]) for t in listed] == [
        (created["TokenId"], "AVAILABLE", license_arn)
    ]
    assert listed[0]["RoleArns"] == [f"arn:aws:iam::{BUYER}:role/consumer"]
    assert set(buyer.delete_token(TokenId=created["TokenId"])) == {"ResponseMetadata"}
    with pytest.raises(ClientError) as excinfo:
        anonymous.get_access_token(Token=created["Token"])
    assert _error(excinfo)[0] in ("AuthorizationException", "ValidationException", "AccessDeniedException")
    assert buyer.list_tokens()["Tokens"][0]["Status"] == "DELETED"
    with pytest.raises(ClientError) as excinfo:
        buyer.delete_token(TokenId=created["TokenId"])
    assert _error(excinfo)[0] == "ResourceNotFoundException"

    short = seller.create_token(LicenseArn=license_arn, ClientToken=_token(), ExpirationInDays=1)
    assert anonymous.get_access_token(Token=short["Token"])["AccessToken"]
    _advance(aws, 2 * 86400)
    with pytest.raises(ClientError) as excinfo:
        anonymous.get_access_token(Token=short["Token"])
    assert _error(excinfo)[0] in ("AuthorizationException", "ValidationException", "AccessDeniedException")

    with pytest.raises(ClientError) as excinfo:
        aws(SELLER, "eu-west-1").create_token(LicenseArn=license_arn, ClientToken=_token())
    assert _error(excinfo)[0] == "RedirectException"
    with pytest.raises(ClientError) as excinfo:
        aws(OTHER).create_token(LicenseArn=license_arn, ClientToken=_token())
    assert _error(excinfo)[0] == "AccessDeniedException"
    with pytest.raises(ClientError) as excinfo:
        seller.create_token(LicenseArn=f"arn:aws:license-manager::{SELLER}:license:l-{'2' * 32}", ClientToken=_token())
    assert _error(excinfo)[0] == "ResourceNotFoundException"


def test_s8_unsigned_calls_other_than_get_access_token_are_refused(aws: Aws) -> None:
    with pytest.raises(ClientError) as excinfo:
        aws.anonymous().list_licenses()
    code, _, status = _error(excinfo)
    assert 400 <= status < 500 and code


# ----- §9 filters and pagination --------------------------------------------------------------------------------


def test_s9_filters_exact_names_and_one_value_rule(aws: Aws) -> None:
    seller, buyer = aws(SELLER), aws(BUYER)
    a = _license(seller, sku="sku-a")
    b = _license(seller, sku="sku-b2", issuer={"Name": "Other Co"}, beneficiary="someone")
    grant_a = _active_grant(aws, a)
    grant_b = _grant(seller, b)

    def arns(items: list[dict[str, Any]], key: str = "LicenseArn") -> list[str]:
        return [i[key] for i in items]

    def licenses(name: str, value: str) -> list[str]:
        return arns(seller.list_licenses(Filters=[{"Name": name, "Values": [value]}])["Licenses"])

    assert licenses("ProductSKU", "sku-a") == [a]
    assert licenses("Fingerprint", "aws:111111111111:Other Co:issuer-fingerprint") == [b]
    assert licenses("Beneficiary", "someone") == [b]
    assert licenses("Status", "AVAILABLE") == [a, b]
    assert licenses("ProductSKU", "no-match") == []
    assert arns(
        seller.list_licenses(LicenseArns=[b, f"arn:aws:license-manager::{SELLER}:license:l-{'3' * 32}"])["Licenses"]
    ) == [b]

    received = buyer.list_received_licenses(Filters=[{"Name": "IssuerName", "Values": ["My Company"]}])["Licenses"]
    assert arns(received) == [a]
    assert buyer.list_received_licenses(Filters=[{"Name": "IssuerName", "Values": ["This Is Fake"]}])["Licenses"] == []

    def distributed(name: str, value: str) -> list[str]:
        grants = seller.list_distributed_grants(Filters=[{"Name": name, "Values": [value]}])["Grants"]
        return arns(grants, "GrantArn")

    assert distributed("GranteePrincipalARN", f"arn:aws:iam::{BUYER}:root") == [grant_a, grant_b]
    assert distributed("GrantStatus", "ACTIVE") == [grant_a]
    assert distributed("LicenseIssuerName", "Other Co") == [grant_b]
    assert distributed("LicenseIssuerName", "No Match") == []
    got = buyer.list_received_grants(Filters=[{"Name": "GranterAccountId", "Values": [SELLER]}])["Grants"]
    assert arns(got, "GrantArn") == [grant_a, grant_b]
    got = buyer.list_received_grants(Filters=[{"Name": "LicenseArn", "Values": [b]}])["Grants"]
    assert arns(got, "GrantArn") == [grant_b]

    bad_filters: list[tuple[Any, list[dict[str, Any]]]] = [
        (seller.list_licenses, [{"Name": "KeyFingerprint", "Values": ["x"]}]),
        (seller.list_licenses, [{"Name": "productSKU", "Values": ["x"]}]),
        (buyer.list_received_grants, [{"Name": "GranteePrincipalARN", "Values": ["x"]}]),
        (seller.list_distributed_grants, [{"Name": "GranterAccountId", "Values": ["x"]}]),
        (buyer.list_received_licenses, [{"Name": "LicenseIssuerName", "Values": ["x"]}]),
    ]
    for call, filters in bad_filters:
        with pytest.raises(ClientError) as excinfo:
            call(Filters=filters)
        assert _error(excinfo)[0] == "ValidationException", filters
    for call, name in (
        (seller.list_licenses, "ProductSKU"),
        (buyer.list_received_licenses, "ProductSKU"),
        (seller.list_distributed_grants, "GrantStatus"),
        (buyer.list_received_grants, "GrantStatus"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call(Filters=[{"Name": name, "Values": ["a", "b"]}])
        assert _error(excinfo)[:2] == ("ValidationException", "You cannot have more than 1 filter values.")
    with pytest.raises(ClientError) as excinfo:
        seller.list_tokens(Filters=[{"Name": "LicenseArns", "Values": [a, b]}])
    assert _error(excinfo)[:2] == ("ValidationException", "You cannot have more than 1 filter values.")


def test_s9_pagination_and_max_results(aws: Aws) -> None:
    seller = aws(SELLER)
    created = [_license(seller, sku=f"sku-page-{i}") for i in range(5)]
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = seller.list_licenses(**kwargs)
        pages += 1
        seen += [lic["LicenseArn"] for lic in page["Licenses"]]
        assert len(page["Licenses"]) <= 2
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert seen == created and pages == 3
    assert "NextToken" not in seller.list_licenses()
    for call in (
        seller.list_licenses,
        seller.list_distributed_grants,
        seller.list_received_grants,
        seller.list_tokens,
        seller.list_received_licenses,
    ):
        with pytest.raises(ClientError) as excinfo:
            call(MaxResults=101)
        assert _error(excinfo)[:3:2] == ("ValidationException", 400)
    with pytest.raises(ClientError) as excinfo:
        seller.list_licenses(NextToken="garbage!!")
    assert _error(excinfo)[0] == "ValidationException"
    versions = seller.list_license_versions(LicenseArn=created[0], MaxResults=1)
    assert [v["Version"] for v in versions["Licenses"]] == ["1"] and "NextToken" not in versions


# ----- §12 regions ----------------------------------------------------------------------------------------------


def test_s12_home_region_redirects_and_global_reads(aws: Aws) -> None:
    seller, west = aws(SELLER), aws(SELLER, "us-west-2")
    with pytest.raises(ClientError) as excinfo:
        _license(seller, sku="sku-w", home="us-west-2")
    code, _, status = _error(excinfo)
    assert (code, status) == ("RedirectException", 308)
    assert excinfo.value.response.get("Location") == "https://license-manager.us-west-2.amazonaws.com"

    arn = _license(seller, sku="sku-home")
    assert west.get_license(LicenseArn=arn)["License"]["HomeRegion"] == REGION
    out = _checkout(west, sku="sku-home")
    west.extend_license_consumption(LicenseConsumptionToken=out["LicenseConsumptionToken"])
    west.check_in_license(LicenseConsumptionToken=out["LicenseConsumptionToken"])
    assert [lic["LicenseArn"] for lic in west.list_licenses()["Licenses"]] == [arn]
    with pytest.raises(ClientError) as excinfo:
        west.delete_license(LicenseArn=arn, SourceVersion="1")
    assert _error(excinfo)[0] == "RedirectException"
    assert excinfo.value.response.get("Location") == "https://license-manager.us-east-1.amazonaws.com"
    with pytest.raises(ClientError) as excinfo:
        west.create_license_version(
            LicenseArn=arn,
            LicenseName="x",
            ProductName="x",
            Issuer={"Name": "My Company"},
            HomeRegion=REGION,
            Validity={"Begin": "2020-01-01T00:00:00Z"},
            Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 1}],
            ConsumptionConfiguration={"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
            Status="AVAILABLE",
            ClientToken=_token(),
        )
    assert _error(excinfo)[0] == "RedirectException"
    token_id = seller.create_token(LicenseArn=arn, ClientToken=_token())["TokenId"]
    with pytest.raises(ClientError) as excinfo:
        west.delete_token(TokenId=token_id)
    assert _error(excinfo)[0] == "RedirectException"
    status, headers, body = _lm_call(
        aws.url, "DeleteLicense", json.dumps({"LicenseArn": arn, "SourceVersion": "1"}), account=SELLER
    )
    assert status == 200  # the raw call is signed for us-east-1, the home region
    assert body["Status"] == "PENDING_DELETE" and "x-amzn-requestid" in headers


# ----- §11 error wire format, malformed requests --------------------------------------------------------------


def test_s11_error_wire_format_and_status_codes(aws: Aws) -> None:
    unknown = f"arn:aws:license-manager::{SELLER}:license:l-{'9' * 32}"
    status, headers, body = _lm_call(aws.url, "GetLicense", json.dumps({"LicenseArn": unknown}))
    assert status == 400
    assert body["__type"] == "com.amazonaws.licensemanager#InvalidParameterValueException"
    assert body["Message"] == body["message"] and body["Message"]
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert UUID_RE.fullmatch(headers["x-amzn-requestid"])

    arn = _license(aws(SELLER), sku="sku-e")
    status, headers, body = _lm_call(aws.url, "DeleteLicense", json.dumps({"LicenseArn": arn, "SourceVersion": "5"}))
    assert (status, body["__type"].split("#")[1]) == (409, "ConflictException")
    status, _, body = _lm_call(aws.url, "GetLicense", json.dumps({"LicenseArn": arn}), account=OTHER)
    assert (status, body["__type"].split("#")[1]) == (401, "AccessDeniedException")
    status, headers, body = _lm_call(
        aws.url, "CreateLicense", json.dumps({**_license_body(), "HomeRegion": "eu-west-1"})
    )
    assert (
        status == 308 and body["Location"] == headers["location"] == "https://license-manager.eu-west-1.amazonaws.com"
    )

    for operation, payload in (
        ("GetLicense", b"{not json"),
        ("GetLicense", b"[1, 2]"),
        ("NoSuchOperation", b"{}"),
        ("ListLicenseConfigurations", b"{}"),
        ("GetLicense", b"{}"),
        ("CreateGrant", json.dumps({"LicenseArn": 5}).encode()),
        ("ListLicenses", b'{"Filters": [null]}'),
        ("ListTokens", b'{"Filters": [null], "TokenIds": [null]}'),
        ("GetLicense", b'{"LicenseArn": "\\ud800"}'),
    ):
        status, headers, body = _lm_call(aws.url, operation, payload)
        assert 400 <= status < 500, (operation, payload, status)
        assert body["__type"] and (body.get("Message") or body.get("message")), body
        assert "x-amzn-requestid" in headers
    status, _, _ = _raw(aws.url, "POST", "/", b"{}", {"Content-Type": "application/x-amz-json-1.1"})
    assert 400 <= status < 500

    ok = aws(SELLER).list_licenses()
    assert UUID_RE.fullmatch(ok["ResponseMetadata"]["RequestId"])
    assert ok["ResponseMetadata"]["HTTPStatusCode"] == 200


def _license_body() -> dict[str, Any]:
    return {
        "LicenseName": "raw",
        "ProductName": "raw",
        "ProductSKU": "raw",
        "Issuer": {"Name": "raw"},
        "HomeRegion": REGION,
        "Validity": {"Begin": "2020-01-01T00:00:00Z"},
        "Entitlements": [{"Name": "Users", "Unit": "Count", "MaxCount": 1}],
        "Beneficiary": "raw",
        "ConsumptionConfiguration": {"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        "ClientToken": _token(),
    }


def test_interface_accounts_from_access_key_and_sts(aws: Aws) -> None:
    sts = aws(BUYER, service="sts")
    assert sts.get_caller_identity()["Account"] == BUYER
    odd = Aws(aws.url)("AKIAEXAMPLEKEY")
    arn = _license(odd, sku="sku-default")
    assert LICENSE_ARN.fullmatch(arn).group(1) == "123456789012"  # type: ignore[union-attr]
    assert Aws(aws.url)("AKIAEXAMPLEKEY", service="sts").get_caller_identity()["Account"] == "123456789012"


# ----- faults and controls -------------------------------------------------------------------------------------


def test_faults_before_after_times_and_latency(aws: Aws) -> None:
    seller = aws(SELLER)
    _control(
        aws.url,
        "/_local/faults",
        {"operation": "CreateLicense", "error": "ServerInternalException", "times": 2, "phase": "before"},
    )
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            _license(seller, sku="sku-f")
        assert _error(excinfo)[:3:2] == ("ServerInternalException", 500)
    assert seller.list_licenses()["Licenses"] == []
    _license(seller, sku="sku-f")
    assert len(seller.list_licenses()["Licenses"]) == 1

    _control(
        aws.url,
        "/_local/faults",
        {"operation": "*", "error": "RateLimitExceededException", "times": 1, "phase": "after"},
    )
    params = {**_license_body(), "ProductSKU": "sku-after"}
    with pytest.raises(ClientError) as excinfo:
        seller.create_license(**params)
    assert _error(excinfo)[:3:2] == ("RateLimitExceededException", 429)
    retried = seller.create_license(**params)
    skus = [lic["ProductSKU"] for lic in seller.list_licenses()["Licenses"]]
    assert skus.count("sku-after") == 1
    assert (
        retried["LicenseArn"]
        == seller.list_licenses(Filters=[{"Name": "ProductSKU", "Values": ["sku-after"]}])["Licenses"][0]["LicenseArn"]
    )

    _control(aws.url, "/_local/faults", {"operation": "*", "latency_ms": 300})
    started = time.monotonic()
    seller.list_licenses()
    assert time.monotonic() - started >= 0.3
    _control(aws.url, "/_local/faults", {"operation": "*", "latency_ms": 0})
    started = time.monotonic()
    seller.list_licenses()
    assert time.monotonic() - started < 0.3
    status, _, body = _raw(aws.url, "GET", "/_local/health")
    assert status == 200 and json.loads(body)["status"] == "ok"


# ----- durability ----------------------------------------------------------------------------------------------


def test_state_file_survives_kill_9(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    with local_service_process("--state", str(state)) as (process, url):
        clients = Aws(url)
        seller = clients(SELLER)
        arn = _license(seller, sku="sku-k", entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 3}])
        grant_arn = _grant(seller, arn)
        clients(BUYER).accept_grant(GrantArn=grant_arn)
        tokens = [_checkout(seller, sku="sku-k")["LicenseConsumptionToken"] for _ in range(2)]
        refresh = seller.create_token(LicenseArn=arn, ClientToken=_token())["Token"]
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    with local_service_process("--state", str(state)) as (_, url):
        clients = Aws(url)
        seller = clients(SELLER)
        assert seller.get_license(LicenseArn=arn)["License"]["ProductSKU"] == "sku-k"
        assert seller.get_grant(GrantArn=grant_arn)["Grant"]["GrantStatus"] == "DISABLED"
        assert _usage(seller, arn)["Users"]["ConsumedValue"] == "2"
        seller.extend_license_consumption(LicenseConsumptionToken=tokens[0])
        _checkout(seller, sku="sku-k")
        with pytest.raises(ClientError):
            _checkout(seller, sku="sku-k")
        assert clients.anonymous().get_access_token(Token=refresh)["AccessToken"]


# ----- in process ----------------------------------------------------------------------------------------------


def test_in_process_boto3_client_sample_scenarios() -> None:
    with LocalLicenseManager() as local:
        seller = local.boto3_client(account=SELLER)
        buyer = local.boto3_client(account=BUYER)
        kms = local.boto3_client("kms", account=SELLER)
        # S1: ISV self-checkout.
        arn = _license(seller, sku="sku-s1")
        assert seller.get_license(LicenseArn=arn)["License"]["Status"] == "AVAILABLE"
        out = _checkout(seller, sku="sku-s1")
        seller.extend_license_consumption(LicenseConsumptionToken=out["LicenseConsumptionToken"])
        seller.check_in_license(LicenseConsumptionToken=out["LicenseConsumptionToken"])
        assert seller.delete_license(LicenseArn=arn, SourceVersion="1")["Status"] == "PENDING_DELETE"
        # S2: seller -> buyer, token consumer without AWS credentials.
        arn2 = _license(seller, sku="sku-s2")
        grant = _grant(seller, arn2)
        assert buyer.accept_grant(GrantArn=grant)["Status"] == "DISABLED"
        assert buyer.create_grant_version(GrantArn=grant, Status="ACTIVE", ClientToken=_token())["Status"] == "ACTIVE"
        out = _checkout(buyer, sku="sku-s2", beneficiary=None)
        assert out["LicenseArn"] == arn2
        refresh = buyer.create_token(LicenseArn=arn2, ClientToken=_token())["Token"]
        anonymous = boto3.client(
            "license-manager",
            region_name=REGION,
            config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}),
        )
        with local.attach(anonymous):
            assert anonymous.get_access_token(Token=refresh)["AccessToken"].count(".") == 2
        # S3: borrow with offline verification.
        key = kms.create_key(CustomerMasterKeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        arn3 = _license(
            seller,
            sku="sku-s3",
            issuer={"Name": "My Company", "SignKey": key["Arn"]},
            consumption={"BorrowConfiguration": {"AllowEarlyCheckIn": True, "MaxTimeToLiveInMinutes": 1440}},
        )
        borrowed = seller.checkout_borrow_license(
            LicenseArn=arn3,
            Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1"}],
            DigitalSignatureMethod="JWT_PS384",
            NodeId="MyNodeId",
            ClientToken=_token(),
        )
        claims = jwt.decode(borrowed["SignedToken"], _pem(kms, key["Arn"]), algorithms=["PS384"])
        assert claims["nodeId"] == "MyNodeId" and claims["licenseArn"] == arn3
        # S5: the emulator clock expires a provisional checkout.
        _license(seller, sku="sku-s5", entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 1}])
        _checkout(seller, sku="sku-s5")
        with pytest.raises(ClientError):
            _checkout(seller, sku="sku-s5")
        local.advance_clock(3600)
        _checkout(seller, sku="sku-s5")
