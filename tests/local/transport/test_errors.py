"""Requests the service cannot take get a clear 4xx; service errors carry AWS's wire form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from licensemanager_sdk.local import LocalLicenseManager, LocalServer
from licensemanager_sdk.local.core.model import operations

from .support import SIGNED, error_of, http_client, lm_headers, raw_request


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_a_malformed_body_is_a_serialization_exception(server: LocalServer, body: bytes) -> None:
    status, headers, answer = raw_request(server.url, "POST", "/", body, lm_headers("ListLicenses"))
    assert status == 400
    assert headers["x-amzn-errortype"] == "SerializationException"
    assert "ListLicenses" in error_of(answer)["message"]


@pytest.mark.parametrize(
    ("target", "named"),
    [
        ("AWSLicenseManager.Frobnicate", "AWSLicenseManager.Frobnicate"),
        ("TrentService.ListLicenses", "TrentService.ListLicenses"),
        ("Bogus_20200101.ListLicenses", "Bogus_20200101.ListLicenses"),
        (None, "X-Amz-Target"),
    ],
)
def test_an_unknown_operation_is_named(server: LocalServer, target: str | None, named: str) -> None:
    headers = lm_headers("x")
    if target is None:
        del headers["X-Amz-Target"]
    else:
        headers["X-Amz-Target"] = target
    status, answer_headers, body = raw_request(server.url, "POST", "/", b"{}", headers)
    assert status == 400
    assert answer_headers["x-amzn-errortype"] == "UnknownOperationException"
    assert named in error_of(body)["message"]


def test_an_unimplemented_operation_is_a_clear_400(emulator: LocalLicenseManager, server: LocalServer) -> None:
    missing = sorted(
        op for op in operations("license-manager") if not emulator.engine.implements("license-manager", op)
    )
    assert "CreateLicenseConfiguration" in missing
    client = http_client(server.url)
    with pytest.raises(ClientError) as caught:
        client.create_license_configuration(Name="vcpus", LicenseCountingType="vCPU")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert caught.value.response["Error"]["Code"] == "NotImplementedException"
    assert "CreateLicenseConfiguration" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 405),
        ("PUT", "/", 405),
        ("POST", "/v1/licenses", 404),
        ("GET", "/_local/nothing", 404),
        ("GET", "/_local/reset", 405),
    ],
)
def test_wrong_paths_and_methods(server: LocalServer, method: str, path: str, status: int) -> None:
    got, headers, body = raw_request(server.url, method, path, b"", lm_headers("ListLicenses"))
    assert got == status
    assert headers["content-type"].startswith("application/")
    assert error_of(body)["message"]
    if status == 405:
        assert "POST" in headers["allow"]


def test_license_manager_error_wire_form(server: LocalServer) -> None:
    body = json.dumps(
        {"LicenseArn": "arn:aws:license-manager::111122223333:license:l-00000000000000000000000000000000"}
    )
    status, headers, answer = raw_request(server.url, "POST", "/", body, lm_headers("GetLicense"))
    payload = error_of(answer)
    assert status == 400
    code = payload["__type"].removeprefix("com.amazonaws.licensemanager#")
    assert payload["__type"] == f"com.amazonaws.licensemanager#{code}"
    assert headers["x-amzn-errortype"] == code
    assert payload["Message"] == payload["message"] and payload["message"]
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert len(headers["x-amzn-requestid"]) == 36


def test_kms_error_wire_form(server: LocalServer) -> None:
    headers = {
        "X-Amz-Target": "TrentService.DescribeKey",
        "Content-Type": "application/x-amz-json-1.1",
        "Authorization": SIGNED.format(key="111122223333", region="us-east-1", service="kms"),
    }
    status, answer_headers, answer = raw_request(
        server.url, "POST", "/", json.dumps({"KeyId": "00000000-0000-0000-0000-000000000000"}), headers
    )
    payload: dict[str, Any] = error_of(answer)
    assert status == 400
    assert payload["__type"] == "NotFoundException" == answer_headers["x-amzn-errortype"]
    assert payload["message"]


def test_sts_errors_are_xml(server: LocalServer) -> None:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "Authorization": SIGNED.format(key="111122223333", region="us-east-1", service="sts"),
    }
    status, answer_headers, body = raw_request(server.url, "POST", "/", "Action=Frobnicate&Version=2011-06-15", headers)
    assert status == 400
    assert answer_headers["content-type"] == "text/xml"
    assert b"<Code>InvalidAction</Code>" in body and b"Frobnicate" in body
    assert body.startswith(b"<ErrorResponse")


def test_redirect_carries_location_in_header_and_body(emulator: LocalLicenseManager) -> None:
    from .support import license_params

    client = emulator.boto3_client(region="us-west-2")
    with pytest.raises(ClientError) as caught:
        client.create_license(**license_params("redirect", home_region="eu-central-1"))
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 308
    assert response["Error"]["Code"] == "RedirectException"
    location = response["ResponseMetadata"]["HTTPHeaders"]["location"]
    assert "eu-central-1" in location
    assert response["Location"] == location
