"""Unsigned calls: only License Manager GetAccessToken (and STS's unauthenticated calls) are answered."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from licensemanager_sdk.local import LocalLicenseManager, LocalServer

from .support import error_of, http_client, license_params, raw_request


def _refresh_token(client: Any) -> str:
    arn = client.create_license(**license_params("auth-license"))["LicenseArn"]
    token: str = client.create_token(LicenseArn=arn, ClientToken="auth-token")["Token"]
    return token


def test_unsigned_get_access_token_is_answered_over_http(emulator: LocalLicenseManager, server: LocalServer) -> None:
    refresh = _refresh_token(emulator.boto3_client(account="111122223333"))
    anonymous = http_client(server.url, unsigned=True)
    answer = anonymous.get_access_token(Token=refresh)
    assert answer["AccessToken"].count(".") == 2  # a JWT


def test_unsigned_get_access_token_is_answered_in_process(emulator: LocalLicenseManager, server: LocalServer) -> None:
    refresh = _refresh_token(emulator.boto3_client(account="111122223333"))
    anonymous = http_client("http://localhost.local-license-manager.invalid", unsigned=True)
    with emulator.attach(anonymous):
        assert anonymous.get_access_token(Token=refresh)["AccessToken"]


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        ("license-manager", "list_licenses", {}),
        (
            "license-manager",
            "create_token",
            {"LicenseArn": "arn:aws:license-manager::1:license:l-1", "ClientToken": "t"},
        ),
        ("kms", "list_keys", {}),
        ("sts", "get_caller_identity", {}),
    ],
)
def test_other_unsigned_calls_are_refused(server: LocalServer, service: str, operation: str, params: Any) -> None:
    anonymous = http_client(server.url, service, unsigned=True)
    with pytest.raises(ClientError) as caught:
        getattr(anonymous, operation)(**params)
    error = caught.value.response["Error"]
    assert error["Code"] == "MissingAuthenticationTokenException"
    assert "must be signed" in error["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unsigned_refusal_names_the_problem_on_the_wire(server: LocalServer) -> None:
    status, headers, body = raw_request(
        server.url,
        "POST",
        "/",
        b"{}",
        {"X-Amz-Target": "AWSLicenseManager.ListLicenses", "Content-Type": "application/x-amz-json-1.1"},
    )
    assert status == 403
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert "ListLicenses" in error_of(body)["message"]


def test_an_authorization_header_without_a_credential_is_refused(server: LocalServer) -> None:
    status, _, body = raw_request(
        server.url,
        "POST",
        "/",
        json.dumps({}),
        {
            "X-Amz-Target": "AWSLicenseManager.ListLicenses",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "Bearer not-sigv4",
        },
    )
    assert status == 400
    assert error_of(body)["__type"] == "IncompleteSignatureException"
