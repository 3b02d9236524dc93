"""Attaching to boto3 clients at the wire level: attach, detach, context form, the pinned endpoint, raw answers."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.local.emulator import PINNED_ENDPOINT

from .support import license_params


def _plain_client(service: str = "license-manager") -> object:
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name="us-east-1",
        endpoint_url=PINNED_ENDPOINT,
        aws_access_key_id="111122223333",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=2),
    )


def test_attach_detach_and_context_form(emulator: LocalLicenseManager) -> None:
    client = _plain_client()
    emulator.attach(client)
    emulator.attach(client)  # idempotent
    assert client.list_licenses()["Licenses"] == []  # type: ignore[attr-defined]
    emulator.detach(client)
    with pytest.raises(EndpointConnectionError):  # the pinned endpoint never resolves
        client.list_licenses()  # type: ignore[attr-defined]
    with emulator.attach(client) as attached:
        assert attached is client
        attached.create_license(**license_params("ctx"))
    with pytest.raises(EndpointConnectionError):
        client.list_licenses()  # type: ignore[attr-defined]


def test_two_emulators_on_two_clients_are_independent() -> None:
    with LocalLicenseManager() as first, LocalLicenseManager() as second:
        a, b = first.boto3_client(), second.boto3_client()
        a.create_license(**license_params("independent"))
        assert len(a.list_licenses()["Licenses"]) == 1
        assert b.list_licenses()["Licenses"] == []


def test_boto3_client_settings(emulator: LocalLicenseManager, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")  # the user's environment does not leak in
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    client = emulator.boto3_client(account="999988887777", region="ap-northeast-1")
    assert client.meta.endpoint_url == PINNED_ENDPOINT
    assert client.meta.region_name == "ap-northeast-1"
    assert client.meta.config.retries["total_max_attempts"] == 1
    identity = emulator.boto3_client("sts", account="999988887777").get_caller_identity()
    assert identity["Account"] == "999988887777"


def test_only_emulated_services_attach(emulator: LocalLicenseManager) -> None:
    with pytest.raises(ValueError, match="cannot attach to a 's3' client"):
        emulator.attach(_plain_client("s3"))


def test_handle_http_is_the_raw_entry_point(emulator: LocalLicenseManager) -> None:
    status, headers, body = emulator.handle_http(
        "POST",
        "/",
        {
            "X-Amz-Target": "AWSLicenseManager.ListLicenses",
            "Authorization": "AWS4-HMAC-SHA256 Credential=1/2/us-east-1/license-manager/aws4_request, Signature=0",
        },
        b"{}",
    )
    assert (status, body) == (200, b'{"Licenses":[]}')
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert headers["Content-Length"] == str(len(body))
