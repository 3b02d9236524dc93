"""Control endpoints: every input checked (finite, bounded, typed), and no request a web page could send."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from licensemanager_sdk.local import LocalLicenseManager, LocalServer

from .support import call, create_license

_JSON = {"Content-Type": "application/json"}


def _control(
    server: LocalServer, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request(method, path, body=body.encode("utf-8"), headers=headers if headers is not None else _JSON)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@pytest.mark.parametrize("raw", ['{"advance_seconds": 1e12}', '{"advance_seconds": 1e999}', '{"advance_seconds": NaN}'])
def test_clock_advance_is_bounded(local: LocalLicenseManager, server: LocalServer, raw: str) -> None:
    status, body = _control(server, "POST", "/_local/clock", raw)
    assert status == 400 and "advance_seconds" in body["message"]
    create_license(local)
    assert _control(server, "GET", "/_local/health")[0] == 200


@pytest.mark.parametrize("latency", ["Infinity", "1e308", "-1", "true", '"10"', "60001"])
def test_latency_is_finite_and_bounded(server: LocalServer, latency: str) -> None:
    status, body = _control(server, "POST", "/_local/faults", '{"operation": "*", "latency_ms": ' + latency + "}")
    assert status == 400 and "latency_ms" in body["message"]
    status, health = _control(server, "GET", "/_local/health")
    assert status == 200 and health["latency_ms"] == []


@pytest.mark.parametrize("error", ["Caf\u00e9\u2603", "Bad\r\nSet-Cookie: a=b", "1Leading", "", "x" * 200, 5])
def test_fault_error_is_an_aws_error_code(local: LocalLicenseManager, server: LocalServer, error: Any) -> None:
    status, body = _control(server, "POST", "/_local/faults", json.dumps({"operation": "*", "error": error}))
    assert status == 400 and "error" in body["message"]
    assert call(local, "ListLicenses", {})[0] == 200


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"error": "Throttling", "times": 10**12}, "times"),
        ({"error": "Throttling", "message": "m" * 5000}, "message"),
        ({"error": "Throttling", "operation": "List\nLicenses"}, "operation"),
    ],
)
def test_other_fault_fields_are_bounded(server: LocalServer, spec: dict[str, Any], field: str) -> None:
    status, body = _control(server, "POST", "/_local/faults", json.dumps(spec))
    assert status == 400 and field in body["message"]


def test_valid_fault_is_still_accepted(server: LocalServer) -> None:
    spec = {"operation": "ListLicenses", "error": "ThrottlingException", "times": 2}
    status, body = _control(server, "POST", "/_local/faults", json.dumps(spec))
    assert status == 200 and body["faults"][0]["error"] == "ThrottlingException"


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "application/json", "Origin": "http://evil.example"},
        {"Content-Type": "application/json", "Origin": "null"},
        {"Content-Type": "application/json", "Host": "evil.example"},
        {"Content-Type": "application/json", "Host": "127.0.0.1:1"},
    ],
)
def test_cross_origin_control_requests_are_403(server: LocalServer, headers: dict[str, str]) -> None:
    status, body = _control(server, "POST", "/_local/reset", "{}", headers)
    assert status == 403 and body["__type"] == "Forbidden"


def test_same_origin_and_plain_clients_may_call(local: LocalLicenseManager, server: LocalServer) -> None:
    arn = create_license(local)
    own = {"Content-Type": "application/json", "Origin": server.url, "Host": f"localhost:{server.port}"}
    assert _control(server, "POST", "/_local/clock", '{"advance_seconds": 1}', own)[0] == 200
    assert _control(server, "POST", "/_local/clock", '{"advance_seconds": 1}', {})[0] == 200
    assert _control(server, "POST", "/_local/reset", "", {"Content-Type": "text/plain"})[0] == 200
    assert call(local, "GetLicense", {"LicenseArn": arn})[0] == 400
