"""A local service per test, in process and over HTTP, and the fixtures of `licensemanager_sdk.testing`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import boto3

from licensemanager_sdk.local import LocalServer
from licensemanager_sdk.testing import (  # noqa: F401 (fixtures, found by name)
    license_manager_client,
    lm_buyer,
    local_license_manager,
    marketplace_license,
)
from tests.local.transport.conftest import emulator, server  # noqa: F401 (fixtures, found by name)

BUYER = "222222222222"
FINGERPRINT = "aws:294406891311:AWS/Marketplace:issuer-fingerprint"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    running: LocalServer, method: str, path: str, payload: Any = None, *, content_type: str | None = "application/json"
) -> Reply:
    """One plain HTTP request (urllib, as any other language's client would send it)."""
    data = None if payload is None else (payload if isinstance(payload, bytes) else json.dumps(payload).encode())
    headers = {"Content-Type": content_type} if content_type else {}
    req = urllib.request.Request(running.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:
            return Reply(answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, dict(err.headers), err.read())


def boto3_client(running: LocalServer, service: str, account: str) -> Any:
    """A plain boto3 client over HTTP acting as `account`."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=running.url,
        region_name="us-east-1",
        aws_access_key_id=account,
        aws_secret_access_key="local",
    )
