"""In-process attachment: a botocore `before-send` handler that answers from the emulator instead of the network.

botocore has already serialized, signed and prepared the request when `before-send` fires; the handler
passes its method, URL path, headers and body bytes to `Dispatcher.handle_http` and returns a real
`AWSResponse`, which botocore parses exactly as it would an HTTP answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from ..services import SERVICE_NAMES
from .wire import Answer

__all__ = [
    "SUPPORTED_SERVICES",
    "Attachment",
    "BeforeSend",
    "BodyRaw",
    "attach",
    "attach_session",
    "detach",
    "unique_id",
]

SUPPORTED_SERVICES = SERVICE_NAMES

HandleHttp = Callable[[str, str, Mapping[str, str], bytes], Answer]


class _BotoClient(Protocol):
    @property
    def meta(self) -> Any: ...


class BodyRaw:
    """The `raw` of an `AWSResponse`: botocore reads the body with `.stream()` (and `.read()` for streaming)."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._consumed = False

    def stream(self, amt: int | None = None, decode_content: bool = True) -> Iterator[bytes]:
        del amt, decode_content
        if not self._consumed:
            self._consumed = True
            yield self._body

    def read(self, amt: int | None = None) -> bytes:
        del amt
        if self._consumed:
            return b""
        self._consumed = True
        return self._body

    def close(self) -> None:
        self._consumed = True


def _body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    read = getattr(body, "read", None)
    if callable(read):
        data = read()
        return data.encode() if isinstance(data, str) else bytes(data)
    raise TypeError(f"unsupported request body type {type(body).__name__}")


class BeforeSend:
    """The registered handler. One instance per (emulator, client): its id is the event's unique id."""

    def __init__(self, handle_http: HandleHttp) -> None:
        self._handle_http = handle_http

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        parts = urlsplit(request.url)
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        headers = {key: value.decode() if isinstance(value, bytes) else value for key, value in request.headers.items()}
        answer = self._handle_http(request.method, path, headers, _body_bytes(request.body))
        # AWSResponse wraps the headers in a HeadersDict; a plain dict is what botocore's own tests pass.
        headers_in: Any = answer.headers
        return AWSResponse(request.url, answer.status, headers_in, BodyRaw(answer.body))


def _service_id(client: _BotoClient) -> str:
    service_id: str = client.meta.service_model.service_id.hyphenize()
    if service_id not in SUPPORTED_SERVICES:
        raise ValueError(
            f"licensemanager_sdk.local emulates {', '.join(sorted(SUPPORTED_SERVICES))}; "
            f"cannot attach to a {service_id!r} client"
        )
    return service_id


def unique_id(owner: object, service: str) -> str:
    """The botocore handler id of `owner`'s attachment for `service` (so it can be unregistered)."""
    return f"licensemanager_sdk.local:{id(owner):x}:{service}"


def attach(client: _BotoClient, handle_http: HandleHttp, owner: object) -> None:
    """Register the handler on `client` (idempotent per owner)."""
    service = _service_id(client)
    client.meta.events.register(f"before-send.{service}", BeforeSend(handle_http), unique_id=unique_id(owner, service))


def attach_session(botocore_session: Any, handle_http: HandleHttp, owner: object) -> None:
    """Register the handler on a botocore session: every client it makes afterwards, of any supported service."""
    for service in sorted(SUPPORTED_SERVICES):
        handler = BeforeSend(handle_http)
        botocore_session.register(f"before-send.{service}", handler, unique_id=unique_id(owner, service))


def detach(client: _BotoClient, owner: object) -> None:
    """Unregister the owner's handler; a client that was never attached is left as it is."""
    service = _service_id(client)
    client.meta.events.unregister(f"before-send.{service}", unique_id=unique_id(owner, service))


class Attachment:
    """Returned by `LocalLicenseManager.attach`: already attached; as a context manager it detaches on exit."""

    def __init__(self, client: Any, owner: object) -> None:
        self.client = client
        self._owner = owner

    def __enter__(self) -> Any:
        return self.client

    def __exit__(self, *exc_info: object) -> None:
        detach(self.client, self._owner)
