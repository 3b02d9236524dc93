"""In-process attachment for aiobotocore: `attach.py`'s `before-send` handler, its answer wrapped in an
`AioAWSResponse` whose body aiobotocore awaits (`await raw.read()`), so aiobotocore parses it as an HTTP answer."""

from __future__ import annotations

import os
from typing import Any

from aiobotocore.awsrequest import AioAWSResponse
from aiobotocore.session import AioSession
from botocore.awsrequest import AWSPreparedRequest

from .attach import SUPPORTED_SERVICES, BeforeSend, HandleHttp, unique_id

__all__ = ["AsyncBodyRaw", "attach_aio_session", "hermetic_aio_session"]


class AsyncBodyRaw:
    """The `raw` of an `AioAWSResponse`: aiobotocore reads the body with `await raw.read()`."""

    def __init__(self, body: bytes) -> None:
        self._body: bytes | None = body

    async def read(self, amt: int | None = None) -> bytes:
        del amt
        body, self._body = self._body or b"", None
        return body

    def close(self) -> None:
        self._body = None


class _AioBeforeSend(BeforeSend):
    """The registered handler (sync: aiobotocore's emitter also takes plain return values)."""

    def __call__(self, request: AWSPreparedRequest, **kwargs: Any) -> AioAWSResponse:
        answer = super().__call__(request, **kwargs)
        return AioAWSResponse(answer.url, answer.status_code, answer.headers, AsyncBodyRaw(answer.raw.read()))


def attach_aio_session(session: AioSession, handle_http: HandleHttp, owner: object) -> None:
    """Register the handler on an aiobotocore session: every client it makes afterwards, of any supported service."""
    for service in sorted(SUPPORTED_SERVICES):
        session.register(f"before-send.{service}", _AioBeforeSend(handle_http), unique_id=unique_id(owner, service))


def hermetic_aio_session(handle_http: HandleHttp, owner: object, *, account: str, region: str) -> AioSession:
    """An aiobotocore session acting as `account` that ignores the user's AWS files, attached to the emulator."""
    session = AioSession(
        session_vars={
            "profile": (None, None, None, None),
            "config_file": (None, None, os.devnull, None),
            "credentials_file": (None, None, os.devnull, None),
        }
    )
    session.set_credentials(account, "local")
    session.set_config_variable("region", region)
    attach_aio_session(session, handle_http, owner)
    return session
