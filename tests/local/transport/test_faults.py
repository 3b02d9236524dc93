"""Injected faults (before/after the work), latency, and their HTTP controls."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from licensemanager_sdk.local import LocalLicenseManager, LocalServer, Settings

from .support import http_client, license_params, raw_request


def _error(call: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_before_fault_does_no_work(emulator: LocalLicenseManager) -> None:
    client = emulator.boto3_client()
    emulator.inject_fault("CreateLicense", "ServerInternalException")
    assert _error(lambda: client.create_license(**license_params("before"))) == ("ServerInternalException", 500)
    assert client.list_licenses()["Licenses"] == []
    # Spent: the same call now succeeds, and only one license exists.
    client.create_license(**license_params("before"))
    assert len(client.list_licenses()["Licenses"]) == 1


def test_after_fault_stores_the_work_and_a_retry_replays_it(emulator: LocalLicenseManager) -> None:
    client = emulator.boto3_client()
    emulator.inject_fault("CreateLicense", "ServerInternalException", phase="after")
    assert _error(lambda: client.create_license(**license_params("lost"))) == ("ServerInternalException", 500)
    stored = client.list_licenses()["Licenses"]
    assert len(stored) == 1
    retried = client.create_license(**license_params("lost"))  # same ClientToken
    assert retried["LicenseArn"] == stored[0]["LicenseArn"]
    assert len(client.list_licenses()["Licenses"]) == 1


def test_after_fault_is_spent_only_by_a_successful_call(emulator: LocalLicenseManager) -> None:
    client = emulator.boto3_client()
    emulator.inject_fault("GetLicense", "ServerInternalException", phase="after")
    unknown = "arn:aws:license-manager::123456789012:license:l-00000000000000000000000000000000"
    code, _ = _error(lambda: client.get_license(LicenseArn=unknown))
    assert code != "ServerInternalException"
    arn = client.create_license(**license_params("spent"))["LicenseArn"]
    assert _error(lambda: client.get_license(LicenseArn=arn))[0] == "ServerInternalException"
    assert client.get_license(LicenseArn=arn)["License"]["LicenseArn"] == arn


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ("RateLimitExceededException", 429),
        ("ServerInternalException", 500),
        ("AccessDeniedException", 401),
        ("ValidationException", 400),
        ("ConflictException", 409),
    ],
)
def test_injected_status_comes_from_the_code_table(emulator: LocalLicenseManager, error: str, status: int) -> None:
    client = emulator.boto3_client()
    emulator.inject_fault("ListLicenses", error)
    assert _error(client.list_licenses) == (error, status)


def test_legacy_status_codes_apply_to_injected_faults() -> None:
    with LocalLicenseManager(settings=Settings(legacy_status_codes=True)) as emulator:
        client = emulator.boto3_client()
        emulator.inject_fault("ListLicenses", "RateLimitExceededException")
        assert _error(client.list_licenses) == ("RateLimitExceededException", 400)


def test_times_operation_and_wildcard(emulator: LocalLicenseManager) -> None:
    client = emulator.boto3_client()
    sts = emulator.boto3_client("sts")
    emulator.inject_fault("ListLicenses", "RateLimitExceededException", times=2)
    client.list_received_licenses()  # another operation is untouched
    assert _error(client.list_licenses)[0] == "RateLimitExceededException"
    assert _error(client.list_licenses)[0] == "RateLimitExceededException"
    client.list_licenses()
    emulator.inject_fault("*", "ServerInternalException")
    sts.get_caller_identity()  # "*" means every License Manager operation, not STS
    assert _error(client.list_tokens)[0] == "ServerInternalException"
    client.list_tokens()
    emulator.inject_fault("GetCallerIdentity", "InternalFailure", service="sts")
    assert _error(sts.get_caller_identity) == ("InternalFailure", 500)


def test_clear_faults(emulator: LocalLicenseManager) -> None:
    client = emulator.boto3_client()
    emulator.inject_fault("*", "ServerInternalException", times=5)
    emulator.set_latency(5000)
    emulator.clear_faults()
    started = time.perf_counter()
    client.list_licenses()
    assert time.perf_counter() - started < 1.0


def test_fault_controls_over_http(server: LocalServer) -> None:
    client = http_client(server.url)
    spec = {"operation": "CreateLicense", "error": "RateLimitExceededException", "times": 1, "phase": "after"}
    status, _, body = raw_request(server.url, "POST", "/_local/faults", json.dumps(spec))
    assert status == 200
    assert json.loads(body)["faults"] == [{"service": "license-manager", **spec}]
    assert _error(lambda: client.create_license(**license_params("http-after"))) == ("RateLimitExceededException", 429)
    assert len(client.list_licenses()["Licenses"]) == 1

    raw_request(
        server.url, "POST", "/_local/faults", json.dumps({"operation": "*", "error": "ServerInternalException"})
    )
    assert json.loads(raw_request(server.url, "GET", "/_local/faults")[2])["faults"][0]["times"] == 1
    status, _, body = raw_request(server.url, "DELETE", "/_local/faults")
    assert status == 200 and json.loads(body) == {"faults": [], "latency_ms": []}
    client.list_licenses()


@pytest.mark.parametrize(
    "spec",
    [
        {"operation": "CreateLicense"},
        {"error": "X", "times": 0},
        {"error": "X", "phase": "during"},
        {"latency_ms": -1},
        {"error": "X", "service": "s3"},
        {"latency_ms": 5, "service": "s3"},
        {"error": "X", "times": "2"},
        [1],
    ],
)
def test_bad_fault_requests_are_400(server: LocalServer, spec: Any) -> None:
    status, _, body = raw_request(server.url, "POST", "/_local/faults", json.dumps(spec))
    assert status == 400
    assert json.loads(body)["__type"] == "InvalidControlRequest"


def test_latency_delays_calls(emulator: LocalLicenseManager) -> None:
    client = emulator.boto3_client()
    emulator.set_latency(150, "ListLicenses")
    started = time.perf_counter()
    client.list_licenses()
    assert time.perf_counter() - started >= 0.15
    started = time.perf_counter()
    client.list_tokens()  # another operation is not delayed
    assert time.perf_counter() - started < 0.1


def test_latency_sleeps_outside_the_engine(server: LocalServer) -> None:
    status, _, _ = raw_request(server.url, "POST", "/_local/faults", json.dumps({"operation": "*", "latency_ms": 400}))
    assert status == 200
    clients = [http_client(server.url) for _ in range(4)]
    errors: list[BaseException] = []

    def call(client: Any) -> None:
        try:
            client.list_licenses()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(client,)) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    assert not errors
    assert 0.4 <= elapsed < 1.2  # four calls of 400 ms each overlapped (serialised they would take 1.6 s)


def test_one_fault_request_may_set_an_error_and_a_latency(server: LocalServer) -> None:
    spec = {"operation": "ListLicenses", "error": "ServerInternalException", "latency_ms": 10}
    status, _, body = raw_request(server.url, "POST", "/_local/faults", json.dumps(spec))
    pending = json.loads(body)
    assert status == 200
    assert [rule["error"] for rule in pending["faults"]] == ["ServerInternalException"]
    assert pending["latency_ms"] == [{"service": "license-manager", "operation": "ListLicenses", "latency_ms": 10.0}]
