"""`FakeAws`: canned License Manager (JSON) and STS (XML) answers at the wire level, for refresh-token credentials.

A `before-send` handler on the credential fetcher's session and on the clients under test: botocore still serialises,
signs (or not) and parses; each request is recorded with its headers.
"""

from __future__ import annotations

import base64
import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse

from licensemanager_sdk.credentials import _refresh_token
from tests._wire import Sent, _Raw

ROLE_ARN = "arn:aws:iam::111122223333:role/LicenseConsumer"
OTHER_ROLE_ARN = "arn:aws:iam::111122223333:role/Other"


def fake_jwt(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


REFRESH_TOKEN = fake_jwt({"sub": "tok-1", "exp": 4102444800, "roles": [], "token_use": "refresh"})


@dataclass
class FakeAws:
    """Per-operation FIFOs of (status, body, headers); `sent` records every request in order."""

    answers: dict[str, deque[tuple[int, bytes, dict[str, str]]]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    issued: int = 0

    def ops(self) -> list[str]:
        return [s.operation for s in self.sent]

    def _queue(self, operation: str, status: int, body: bytes, headers: dict[str, str]) -> FakeAws:
        self.answers.setdefault(operation, deque()).append((status, body, headers))
        return self

    def json_ok(self, operation: str, body: dict[str, Any]) -> FakeAws:
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "req"}
        return self._queue(operation, 200, json.dumps(body).encode(), headers)

    def json_error(self, operation: str, code: str, status: int, message: str = "canned") -> FakeAws:
        body = json.dumps({"__type": f"com.amazonaws.licensemanager#{code}", "Message": message}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "req"}
        return self._queue(operation, status, body, headers)

    def access_token(self) -> FakeAws:
        self.issued += 1
        return self.json_ok("GetAccessToken", {"AccessToken": f"access-token-{self.issued}"})

    def role_credentials(
        self, *, expires_in: timedelta = timedelta(hours=1), served_at: datetime | None = None
    ) -> FakeAws:
        """A GetAccessToken answer and an AssumeRoleWithWebIdentity answer (credentials number `issued`)."""
        self.access_token()
        served = served_at or datetime.now(timezone.utc)
        expiration = (served + expires_in).strftime("%Y-%m-%dT%H:%M:%SZ")
        n = self.issued
        body = (
            '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            "<AssumeRoleWithWebIdentityResult>"
            f"<Credentials><AccessKeyId>ASIAFAKE{n:012d}</AccessKeyId><SecretAccessKey>secret-{n}</SecretAccessKey>"
            f"<SessionToken>session-token-{n}</SessionToken><Expiration>{expiration}</Expiration></Credentials>"
            "<SubjectFromWebIdentityToken>tok-1</SubjectFromWebIdentityToken>"
            f"<AssumedRoleUser><AssumedRoleId>AROAFAKE:s</AssumedRoleId><Arn>{ROLE_ARN}</Arn></AssumedRoleUser>"
            "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
            "</AssumeRoleWithWebIdentityResponse>"
        ).encode()
        headers = {"Content-Type": "text/xml", "x-amzn-RequestId": "req"}
        if served_at is not None:
            headers["Date"] = format_datetime(served_at, usegmt=True)
        return self._queue("AssumeRoleWithWebIdentity", 200, body, headers)

    def sts_error(self, code: str, status: int, message: str = "canned") -> FakeAws:
        body = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
        ).encode()
        return self._queue("AssumeRoleWithWebIdentity", status, body, {"Content-Type": "text/xml"})

    def answer(self, request: Any, **_: Any) -> AWSResponse:
        headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        if "X-Amz-Target" in headers:
            operation = headers["X-Amz-Target"].split(".")[-1]
            params = json.loads(body or b"{}")
        else:
            params = dict(parse_qsl(body.decode()))
            operation = params.pop("Action")
        self.sent.append(Sent(operation, params, headers))
        self.urls.append(request.url)
        queue = self.answers.get(operation)
        if not queue:
            raise AssertionError(f"no canned answer left for {operation}")
        status, raw, answer_headers = queue.popleft()
        return AWSResponse(request.url, status, answer_headers, _Raw(raw))

    def attach(self, client: Any) -> Any:
        client.meta.events.register("before-send", self.answer)
        return client


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAws]:
    fake = FakeAws()
    real = _refresh_token._fetcher_session

    def fetcher_session() -> botocore.session.Session:
        session = real()
        session.register("before-send", fake.answer)
        return session

    monkeypatch.setattr(_refresh_token, "_fetcher_session", fetcher_session)
    yield fake
