"""Helpers of the hardening tests: signed-looking raw calls through `handle_http` and a CreateLicense body."""

from __future__ import annotations

import json
from typing import Any

from licensemanager_sdk.local import LocalLicenseManager

__all__ = ["ACCOUNT", "call", "create_license", "headers", "license_body"]

ACCOUNT = "111122223333"
_SIGNED = (
    "AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=00"
)
_PREFIX = {"license-manager": "AWSLicenseManager", "kms": "TrentService"}


def headers(operation: str, service: str = "license-manager") -> dict[str, str]:
    """Headers of a JSON call signed (in form only) by ACCOUNT."""
    return {
        "X-Amz-Target": f"{_PREFIX[service]}.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
        "Authorization": _SIGNED.format(key=ACCOUNT, service=service),
    }


def call(
    local: LocalLicenseManager, operation: str, body: bytes | str | dict[str, Any], service: str = "license-manager"
) -> tuple[int, dict[str, Any]]:
    """(status, decoded JSON body) of one call through `handle_http`."""
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    raw = raw.encode() if isinstance(raw, str) else raw
    answer = local.handle_http("POST", "/", headers(operation, service), raw)
    return answer.status, json.loads(answer.body)


def license_body(token: str, *, max_count: int = 3) -> dict[str, Any]:
    """CreateLicense parameters of a counted, check-in-able license with 60-minute provisional checkouts."""
    return {
        "LicenseName": "Hardening license",
        "ProductName": "Widget",
        "ProductSKU": "widget-sku",
        "Issuer": {"Name": "Widget Corp"},
        "HomeRegion": "us-east-1",
        "Validity": {"Begin": "2020-01-01T00:00:00Z", "End": "2099-01-01T00:00:00Z"},
        "Entitlements": [{"Name": "Users", "Unit": "Count", "MaxCount": max_count, "AllowCheckIn": True}],
        "Beneficiary": "customer-1",
        "ConsumptionConfiguration": {"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        "ClientToken": token,
    }


def create_license(local: LocalLicenseManager, token: str = "t1", *, max_count: int = 3) -> str:
    status, body = call(local, "CreateLicense", license_body(token, max_count=max_count))
    assert status == 200, body
    arn: str = body["LicenseArn"]
    return arn
