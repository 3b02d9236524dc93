"""Helpers of the transport tests: boto3 clients over HTTP, raw HTTP requests, request bodies."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore import UNSIGNED
from botocore.config import Config

SIGNED = (
    "AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=00"
)


def http_client(
    url: str,
    service: str = "license-manager",
    *,
    account: str = "111122223333",
    region: str = "us-east-1",
    unsigned: bool = False,
) -> Any:
    """A plain boto3 client whose calls go over HTTP to `url`; botocore retries off."""
    config = Config(retries={"total_max_attempts": 1})
    if unsigned:
        config = config.merge(Config(signature_version=UNSIGNED))
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=account,
        aws_secret_access_key="x",
        config=config,
    )


def raw_request(
    url: str, method: str, path: str, body: bytes | str = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request over a fresh connection: (status, lower-cased headers, body)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def lm_headers(operation: str, *, key: str = "111122223333", region: str = "us-east-1") -> dict[str, str]:
    """Headers of a signed-looking License Manager JSON call (the signature is never verified)."""
    return {
        "X-Amz-Target": f"AWSLicenseManager.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
        "Authorization": SIGNED.format(key=key, region=region, service="license-manager"),
    }


def error_of(body: bytes) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(body)
    return payload


def license_params(token: str, *, home_region: str = "us-east-1", max_count: int = 10) -> dict[str, Any]:
    """CreateLicense parameters (wire names) for a counted, checkin-able entitlement."""
    return {
        "LicenseName": "Transport test license",
        "ProductName": "Widget",
        "ProductSKU": "widget-sku",
        "Issuer": {"Name": "Widget Corp"},
        "HomeRegion": home_region,
        "Validity": {"Begin": "2020-01-01T00:00:00Z", "End": "2099-01-01T00:00:00Z"},
        "Entitlements": [{"Name": "Users", "Unit": "Count", "MaxCount": max_count, "AllowCheckIn": True}],
        "Beneficiary": "customer-1",
        "ConsumptionConfiguration": {"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        "ClientToken": token,
    }
