"""A real boto3 `iam` client answered by `local.iam.responses` through a `before-send` handler."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from licensemanager_sdk.local.iam.backend import IamBackend
from licensemanager_sdk.local.iam.responses import respond
from tests._wire import _Raw

ACCOUNT = "111122223333"


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def attach(client: Any, backend: IamBackend) -> Any:
    def answer(request: Any, **_: Any) -> AWSResponse:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        params = dict(parse_qsl(body, keep_blank_values=True))
        action = params.pop("Action")
        params.pop("Version", None)
        status, xml = respond(backend, action, params, "req-1")
        return AWSResponse(request.url, status, {"Content-Type": "text/xml"}, _Raw(xml.encode()))

    client.meta.events.register("before-send.iam", answer)
    return client


@pytest.fixture
def backend() -> IamBackend:
    return IamBackend(ACCOUNT, FakeClock())


@pytest.fixture
def iam(backend: IamBackend) -> Any:
    return attach(boto3.Session().client("iam", endpoint_url="http://127.0.0.1:1"), backend)
