"""The fast path parses the same models as botocore's parser, and stays out of every other client's way."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from licensemanager_sdk import LicenseManager
from licensemanager_sdk._core.fastparse import FastParserFactory
from licensemanager_sdk.types import LicenseStatus, ListReceivedLicensesResponse
from tests._wire import CannedWire


def _license(i: int) -> dict[str, Any]:
    return {
        "LicenseArn": f"arn:aws:license-manager::111111111111:license:l-{i:032x}",
        "LicenseName": f"license {i}",
        "ProductName": "Product",
        "ProductSKU": "sku-1",
        "Issuer": {"Name": "Seller", "KeyFingerprint": "aws:111111111111:Seller:issuer-fingerprint"},
        "HomeRegion": "us-east-1",
        "Status": "AVAILABLE",
        "Validity": {"Begin": "2024-01-01T00:00:00.000Z", "End": "2030-01-01T00:00:00.000Z"},
        "Beneficiary": "arn:aws:iam::222222222222:root",
        "Entitlements": [{"Name": "Users", "Unit": "Count", "MaxCount": 10, "Overage": False, "AllowCheckIn": True}],
        "ConsumptionConfiguration": {"RenewType": "None", "ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        "CreateTime": "1696945150",
        "Version": "1",
        "ReceivedMetadata": {"ReceivedStatus": "ACTIVE", "AllowedOperations": ["CheckoutLicense"]},
    }


PAGE = {"Licenses": [_license(i) for i in range(100)], "NextToken": "page-2"}


def test_sdk_built_clients_parse_from_bytes_like_botocore(lm: LicenseManager, wire: CannedWire) -> None:
    wire.ok(PAGE, request_id="rid-1")
    fast = lm.api.list_received_licenses()

    plain = boto3.client("license-manager", region_name="us-east-1", endpoint_url="http://localhost.invalid")
    CannedWire().attach(plain).ok(PAGE)
    slow = ListReceivedLicensesResponse.model_validate(
        {k: v for k, v in plain.list_received_licenses().items() if k != "ResponseMetadata"}
    )

    assert fast.model_dump() == slow.model_dump()
    assert fast.licenses[0].status is LicenseStatus.AVAILABLE
    assert fast.next_token == "page-2"
    assert fast.response_metadata is not None
    assert fast.response_metadata.request_id == "rid-1"
    assert fast.response_metadata.http_status_code == 200


def test_the_fast_parser_is_what_parsed_the_sdk_response(lm: LicenseManager, wire: CannedWire) -> None:
    # botocore's parser drops members its model does not know; the fast parser keeps them, so `Unknown` surviving
    # proves which parser ran.
    wire.ok(b'{"License": {"LicenseArn": "arn:x", "Version": "7", "Unknown": {"deep": [1, 2]}}}')
    result = lm.api.get_license(license_arn="arn:x")
    assert result.license is not None
    assert result.license.model_extra == {"Unknown": {"deep": [1, 2]}}


def test_other_clients_of_the_same_session_keep_botocore_parsing() -> None:
    session = boto3.Session(region_name="us-east-1")
    LicenseManager(session=session, endpoint_url="http://localhost.invalid")
    assert isinstance(session._session.get_component("response_parser_factory"), FastParserFactory)

    plain = session.client("license-manager", endpoint_url="http://localhost.invalid")
    CannedWire().attach(plain).ok({"License": {"LicenseArn": "arn:x", "CreateTime": "1696945150"}})
    response = plain.get_license(LicenseArn="arn:x")
    assert response["License"] == {"LicenseArn": "arn:x", "CreateTime": "1696945150"}  # a plain dict, untouched


def test_handed_in_clients_use_botocore_parsing_and_still_get_models(caplog: pytest.LogCaptureFixture) -> None:
    plain = boto3.client("license-manager", region_name="us-east-1", endpoint_url="http://localhost.invalid")
    lm = LicenseManager(boto3_client=plain)
    assert "attempts multiply" in caplog.text
    CannedWire().attach(plain).ok({"License": {"LicenseArn": "arn:x", "Status": "EXPIRED"}})
    result = lm.api.get_license(license_arn="arn:x")
    assert result.license is not None and result.license.status is LicenseStatus.EXPIRED


def test_errors_go_through_botocore_parser(lm: LicenseManager, wire: CannedWire) -> None:
    wire.error("ValidationException", 400, json.dumps("quoted"))
    with pytest.raises(Exception, match="ValidationException"):
        lm.api.get_license(license_arn="arn:x")


@pytest.fixture
def gc_toggles(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every gc.enable()/gc.disable() made while the test runs, in order (the calls still go through)."""
    calls: list[str] = []
    enable, disable = gc.enable, gc.disable

    def spy_enable() -> None:
        calls.append("enable")
        enable()

    def spy_disable() -> None:
        calls.append("disable")
        disable()

    was_enabled = gc.isenabled()
    monkeypatch.setattr(gc, "enable", spy_enable)
    monkeypatch.setattr(gc, "disable", spy_disable)
    yield calls
    (enable if was_enabled else disable)()


def test_a_call_with_the_collector_enabled_never_disables_it(
    lm: LicenseManager, wire: CannedWire, gc_toggles: list[str]
) -> None:
    assert gc.isenabled()
    wire.ok(PAGE)
    assert len(lm.api.list_received_licenses().licenses) == 100  # the fast path ran
    assert gc_toggles == []
    assert gc.isenabled()


def test_a_call_made_while_the_application_disabled_the_collector_leaves_it_disabled(
    lm: LicenseManager, wire: CannedWire, gc_toggles: list[str]
) -> None:
    gc.disable()
    gc_toggles.clear()
    wire.ok(PAGE)
    assert len(lm.api.list_received_licenses().licenses) == 100
    assert gc_toggles == []
    assert not gc.isenabled()
