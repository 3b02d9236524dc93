"""Control endpoints and methods: reset, clock, health."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from licensemanager_sdk.local import LocalLicenseManager, LocalServer

from .support import http_client, license_params, raw_request


def _checkout(client: Any, arn: str, token: str) -> dict[str, Any]:
    del arn
    result: dict[str, Any] = client.checkout_license(
        ProductSKU="widget-sku",
        CheckoutType="PROVISIONAL",
        KeyFingerprint="aws:111122223333:Widget Corp:issuer-fingerprint",
        Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1"}],
        Beneficiary="customer-1",
        ClientToken=token,
    )
    return result


def test_health(server: LocalServer, emulator: LocalLicenseManager) -> None:
    status, headers, body = raw_request(server.url, "GET", "/_local/health")
    health = json.loads(body)
    assert status == 200 and headers["content-type"] == "application/json"
    assert health["status"] == "ok"
    assert health["region"] == "us-east-1"
    assert health["state_path"] is None
    assert dt.datetime.fromisoformat(health["now"]).tzinfo is not None
    assert emulator.health()["status"] == "ok"


def test_reset_forgets_state_and_faults(server: LocalServer, emulator: LocalLicenseManager) -> None:
    client = http_client(server.url)
    client.create_license(**license_params("reset"))
    emulator.inject_fault("ListLicenses", "ServerInternalException")
    status, _, body = raw_request(server.url, "POST", "/_local/reset")
    assert (status, json.loads(body)) == (200, {"reset": True})
    assert client.list_licenses()["Licenses"] == []
    emulator.boto3_client().create_license(**license_params("reset-2"))
    emulator.reset()
    assert client.list_licenses()["Licenses"] == []


def test_clock_endpoint_moves_emulator_time(server: LocalServer) -> None:
    client = http_client(server.url)
    arn = client.create_license(**license_params("clock", max_count=1))["LicenseArn"]
    _checkout(client, arn, "c1")
    with pytest.raises(ClientError) as caught:
        _checkout(client, arn, "c2")  # the only unit is out for 60 minutes
    assert caught.value.response["Error"]["Code"] == "NoEntitlementsAllowedException"

    before = json.loads(raw_request(server.url, "GET", "/_local/clock")[2])
    status, _, body = raw_request(server.url, "POST", "/_local/clock", json.dumps({"advance_seconds": 3601}))
    after = json.loads(body)
    assert status == 200
    assert after["offset_seconds"] - before["offset_seconds"] == pytest.approx(3601)
    moved = dt.datetime.fromisoformat(after["now"]) - dt.datetime.fromisoformat(before["now"])
    assert dt.timedelta(seconds=3601) <= moved < dt.timedelta(seconds=3661)
    _checkout(client, arn, "c3")  # the first checkout expired on the emulator clock


def test_advance_clock_method(emulator: LocalLicenseManager) -> None:
    now = emulator.advance_clock(86400)
    assert now - dt.datetime.now(dt.timezone.utc) > dt.timedelta(hours=23)
    with pytest.raises(ValueError, match="never goes back"):
        emulator.advance_clock(-1)


@pytest.mark.parametrize("body", [{}, {"advance_seconds": "10"}, {"advance_seconds": -5}, {"advance_seconds": True}])
def test_bad_clock_requests_are_400(server: LocalServer, body: Any) -> None:
    status, _, answer = raw_request(server.url, "POST", "/_local/clock", json.dumps(body))
    assert status == 400
    assert "advance_seconds" in json.loads(answer)["message"]
