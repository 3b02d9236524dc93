"""Wire input that used to answer 500 (RecursionError, OverflowError, TypeError) now answers a named 4xx."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.local.core.jwt import b64url_encode
from licensemanager_sdk.local.server.wire import MAX_JSON_DEPTH, decode_json_object

from .support import call, create_license, license_body


@pytest.mark.parametrize(
    ("service", "operation"),
    [("license-manager", "ListLicenses"), ("license-manager", "CreateLicense"), ("kms", "Sign")],
)
@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_json_is_a_serialization_error(
    local: LocalLicenseManager, service: str, operation: str, opener: str
) -> None:
    deep = '{"Filters":' + opener * 5000 + "1" + ("]" if opener == "[" else "}") * 5000 + "}"
    status, body = call(local, operation, deep, service)
    assert status == 400
    assert body["__type"].endswith("SerializationException")
    assert "nested deeper than" in body["message"]


def test_depth_limit_counts_brackets_outside_strings_only() -> None:
    inside = '{"Name": "' + "[" * 10_000 + '"}'
    assert decode_json_object(inside.encode()) == {"Name": "[" * 10_000}
    at_limit = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    assert decode_json_object(('{"a":' + at_limit + "}").encode()) == {"a": json.loads(at_limit)}


def test_depth_check_costs_little_on_a_normal_body() -> None:
    body = json.dumps(license_body("x")).encode()
    started = time.perf_counter()
    for _ in range(2000):
        decode_json_object(body)
    assert time.perf_counter() - started < 1.0


def _forged(payload: dict[str, Any]) -> str:
    return b64url_encode(json.dumps(payload).encode())


@pytest.mark.parametrize(
    "token",
    [
        _forged({"o": 1e999}),
        _forged({"o": 1, "q": "0" * 16}),
        '{"o": 1e999}',
        "x" * 5000,
        "\u0661\u0662",
        "a.b",
    ],
)
def test_forged_next_tokens_are_refused(local: LocalLicenseManager, token: str) -> None:
    status, body = call(local, "ListLicenses", {"NextToken": token})
    assert status == 400
    assert body["__type"].endswith("ValidationException")
    assert "NextToken" in body["message"]


def test_list_license_versions_refuses_a_bad_token_with_its_modelled_error(local: LocalLicenseManager) -> None:
    arn = create_license(local)
    status, body = call(local, "ListLicenseVersions", {"LicenseArn": arn, "NextToken": _forged({"o": 1e999})})
    assert status == 400
    assert body["__type"].endswith("InvalidParameterValueException")


def test_next_token_is_tamper_evident_and_bound_to_its_query(local: LocalLicenseManager) -> None:
    for i in range(3):
        create_license(local, f"t{i}")
    status, first = call(local, "ListLicenses", {"MaxResults": 1})
    assert status == 200 and len(first["Licenses"]) == 1
    token = first["NextToken"]
    status, second = call(local, "ListLicenses", {"MaxResults": 1, "NextToken": token})
    assert status == 200 and second["Licenses"][0]["LicenseArn"] != first["Licenses"][0]["LicenseArn"]
    payload, _, tag = token.partition(".")
    altered = payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + tag
    assert call(local, "ListLicenses", {"NextToken": altered})[0] == 400
    other_query = {"NextToken": token, "Filters": [{"Name": "Status", "Values": ["AVAILABLE"]}]}
    assert call(local, "ListLicenses", other_query)[0] == 400


def test_next_token_survives_a_restart_on_the_same_state(tmp_path: Any) -> None:
    state = tmp_path / "state.db"
    with LocalLicenseManager(state_path=state) as first:
        for i in range(3):
            create_license(first, f"t{i}")
        token = call(first, "ListLicenses", {"MaxResults": 1})[1]["NextToken"]
    with LocalLicenseManager(state_path=state) as second:
        status, body = call(second, "ListLicenses", {"MaxResults": 1, "NextToken": token})
    assert status == 200 and len(body["Licenses"]) == 1


@pytest.mark.parametrize("value", [2.0, True, 1e999, "2"])
def test_integers_must_be_json_integers(local: LocalLicenseManager, value: Any) -> None:
    raw = '{"MaxResults": ' + ("1e999" if value == 1e999 else json.dumps(value)) + "}"
    status, body = call(local, "ListLicenses", raw)
    assert status == 400
    assert body["__type"].endswith("SerializationException")


def test_integer_without_a_model_range_is_an_int32(local: LocalLicenseManager) -> None:
    params = license_body("ttl")
    params["ConsumptionConfiguration"]["ProvisionalConfiguration"]["MaxTimeToLiveInMinutes"] = 10**12
    status, body = call(local, "CreateLicense", params)
    assert status == 400
    assert body["__type"].endswith("ValidationException")
    assert "maxTimeToLiveInMinutes" in body["message"] and "2147483647" in body["message"]


def test_long_without_a_model_range_is_an_int64(local: LocalLicenseManager) -> None:
    params = license_body("long")
    params["Entitlements"][0]["MaxCount"] = 2**63
    status, body = call(local, "CreateLicense", params)
    assert status == 400
    assert "entitlements.1.member.maxCount" in body["message"]


def test_largest_int32_ttl_still_checks_out(local: LocalLicenseManager) -> None:
    params = license_body("ttl-max")
    params["ConsumptionConfiguration"]["ProvisionalConfiguration"]["MaxTimeToLiveInMinutes"] = 2**31 - 1
    status, body = call(local, "CreateLicense", params)
    assert status == 200, body
    status, body = call(local, "CheckoutLicense", _checkout(body["LicenseArn"], "1"))
    assert status == 200, body


@pytest.mark.parametrize("member", ["Begin", "End"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_validity_outside_the_representable_range(local: LocalLicenseManager, member: str, value: str) -> None:
    params = license_body("validity")
    params["Validity"][member] = value
    status, body = call(local, "CreateLicense", params)
    assert status == 400
    assert body["__type"].endswith("ValidationException")
    assert f"validity.{member.lower()}" in body["message"]


def _checkout(arn: str, value: str) -> dict[str, Any]:
    return {
        "ProductSKU": "widget-sku",
        "CheckoutType": "PROVISIONAL",
        "KeyFingerprint": "aws:111122223333:Widget Corp:issuer-fingerprint",
        "Entitlements": [{"Name": "Users", "Unit": "Count", "Value": value}],
        "ClientToken": "c-" + str(abs(hash(value))),
        "Beneficiary": "customer-1",
        "LicenseArn": arn,
    }


@pytest.mark.parametrize("value", ["\u0661\u0660", "\uff15", "1_0", " 5 ", "+5", "1.0", ""])
def test_checkout_value_is_ascii_digits(local: LocalLicenseManager, value: str) -> None:
    arn = create_license(local, max_count=100)
    status, body = call(local, "CheckoutLicense", _checkout(arn, value))
    assert status == 400
    assert body["__type"].endswith("ValidationException")
    assert "entitlements.1.member.value" in body["message"]


def test_checkout_value_of_digits_is_accepted(local: LocalLicenseManager) -> None:
    arn = create_license(local, max_count=100)
    status, body = call(local, "CheckoutLicense", _checkout(arn, "10"))
    assert status == 200, body


def test_many_problems_are_capped_and_cheap(local: LocalLicenseManager) -> None:
    arns = ["not-an-arn"] * 400_000
    raw = json.dumps({"LicenseArns": arns})
    started = time.perf_counter()
    status, body = call(local, "ListLicenses", raw)
    elapsed = time.perf_counter() - started
    assert status == 400
    assert body["message"].startswith("More than 10 validation errors detected")
    assert body["message"].count("failed to satisfy constraint") == 10
    assert len(json.dumps(body)) < 20_000
    assert elapsed < 1.0
