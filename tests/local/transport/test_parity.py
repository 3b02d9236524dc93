"""In process and over HTTP, the same request gets the same status, headers and body bytes (but the request id)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from licensemanager_sdk.local import LocalLicenseManager, LocalServer

from .support import http_client, license_params

Capture = list[tuple[int, dict[str, str], bytes]]


def _capturing(client: Any) -> Capture:
    seen: Capture = []

    def record(response_dict: dict[str, Any], **_: Any) -> None:
        headers = {k.lower(): v for k, v in response_dict["headers"].items() if k.lower() != "x-amzn-requestid"}
        seen.append((response_dict["status_code"], headers, response_dict["body"]))

    client.meta.events.register("before-parse", record)
    return seen


def _call(client: Any, operation: str, **params: Any) -> None:
    with contextlib.suppress(ClientError):
        getattr(client, operation)(**params)


def test_in_process_and_http_answer_the_same_bytes(emulator: LocalLicenseManager, server: LocalServer) -> None:
    attached = emulator.boto3_client(account="111122223333")
    over_http = http_client(server.url, account="111122223333")
    seen_attached, seen_http = _capturing(attached), _capturing(over_http)

    # A write through each mode with the same ClientToken: the second replays the first answer.
    created = attached.create_license(**license_params("parity-token"))
    over_http.create_license(**license_params("parity-token"))
    arn = created["LicenseArn"]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("get_license", {"LicenseArn": arn}),
        ("list_licenses", {}),
        ("list_license_versions", {"LicenseArn": arn}),
        ("get_license", {"LicenseArn": arn.replace("license:l-", "license:l-0000")}),  # unknown: an error
        ("create_license", license_params("parity-redirect", home_region="eu-west-1")),  # RedirectException
        ("list_licenses", {"Filters": [{"Name": "ProductSKU", "Values": ["a", "b"]}]}),  # ValidationException
    ]
    for operation, params in steps:
        _call(attached, operation, **params)
        _call(over_http, operation, **params)

    assert len(seen_attached) == len(seen_http) == len(steps) + 1
    statuses = [status for status, _, _ in seen_attached]
    assert statuses[0] == 200 and statuses[-3] >= 400 and statuses[-1] == 400
    assert statuses[-2] == 308
    assert seen_attached == seen_http
    # The answers carry real content, not empty bodies that would trivially match.
    assert all(body for _, _, body in seen_attached)
    assert "location" in seen_attached[-2][1]


@pytest.mark.parametrize("service", ["kms", "sts"])
def test_neighbouring_services_answer_the_same_in_both_modes(
    emulator: LocalLicenseManager, server: LocalServer, service: str
) -> None:
    attached = emulator.boto3_client(service, account="222233334444")
    over_http = http_client(server.url, service, account="222233334444")
    seen_attached, seen_http = _capturing(attached), _capturing(over_http)
    if service == "kms":
        key_id = attached.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        for client in (attached, over_http):
            client.describe_key(KeyId=key_id)
            client.get_public_key(KeyId=key_id)
            _call(client, "describe_key", KeyId="00000000-0000-0000-0000-000000000000")
        seen_attached.pop(0)
    else:
        for client in (attached, over_http):
            client.get_caller_identity()
    assert len(seen_attached) == len(seen_http) >= 1
    if service == "sts":
        # awsQuery carries the request id in the XML body too.
        (status_a, headers_a, body_a), (status_h, headers_h, body_h) = seen_attached[0], seen_http[0]
        assert (status_a, headers_a) == (status_h, headers_h)
        assert body_a.split(b"<ResponseMetadata>")[0] == body_h.split(b"<ResponseMetadata>")[0]
    else:
        assert seen_attached == seen_http
