"""`CannedWire`: answers a boto3 client's HTTP requests from a queue of canned responses, at the wire level.

Registered as a `before-send` handler, so botocore still serialises, signs and parses, and the SDK's fast parser runs.
Each request body is recorded, and each answer is an `AWSResponse` with real bytes and headers.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any, **__: Any) -> bytes:
        return self._body


@dataclass
class Sent:
    operation: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class CannedWire:
    """A FIFO of answers: `ok(body)`, `error(code, status)`, `timeout()`; `sent` records every request."""

    answers: deque[Any] = field(default_factory=deque)
    sent: list[Sent] = field(default_factory=list)

    def attach(self, client: Any) -> CannedWire:
        client.meta.events.register("before-send.license-manager", self._answer)
        return self

    def ok(self, body: dict[str, Any] | bytes, *, request_id: str = "req-ok") -> CannedWire:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.answers.append((200, raw, {"x-amzn-RequestId": request_id}))
        return self

    def error(
        self,
        code: str,
        status: int = 400,
        message: str = "canned",
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> CannedWire:
        body = json.dumps({"__type": f"com.amazonaws.licensemanager#{code}", "Message": message, **extra}).encode()
        self.answers.append((status, body, {"x-amzn-RequestId": f"req-{code}", **(headers or {})}))
        return self

    def timeout(self) -> CannedWire:
        self.answers.append(ReadTimeoutError(endpoint_url="http://localhost.invalid"))
        return self

    def _answer(self, request: Any, **_: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).split(".")[-1]
        body = request.body or b"{}"
        self.sent.append(Sent(operation, json.loads(body), dict(request.headers)))
        if not self.answers:
            raise AssertionError(f"no canned answer left for {operation}")
        answer = self.answers.popleft()
        if isinstance(answer, Exception):
            raise answer
        status, raw, headers = answer
        return AWSResponse(request.url, status, {"Content-Type": "application/x-amz-json-1.1", **headers}, _Raw(raw))


def sorted_user_agent(value: str | bytes) -> list[str]:
    """A User-Agent header's components, with the feature ids (`m/...`, an unordered set) sorted."""
    parts = []
    for part in (value.decode() if isinstance(value, bytes) else value).split(" "):
        if part.startswith("m/"):
            part = "m/" + ",".join(sorted(part[2:].split(",")))
        parts.append(part)
    return parts
