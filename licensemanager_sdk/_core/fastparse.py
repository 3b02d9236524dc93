"""The fast path: successful responses parsed from JSON bytes straight into the response models by pydantic-core.

It plugs into botocore's own extension point, the session's `response_parser_factory` component. The parser it makes
only takes the fast path for calls the SDK's call path marks (`fast_calls(model)`, a context variable set around the
boto3 (or aiobotocore) call of an SDK-built client, holding the response model: per thread and per asyncio task), so
any other client of the same session parses exactly as before; errors always go through botocore's parser.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from botocore.parsers import JSONParser, ResponseParser, ResponseParserFactory

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["FAST_RESULT", "FastParserFactory", "fast_calls", "fast_result", "install"]

FAST_RESULT = "__licensemanager_sdk_model__"
"""Key of the parsed response model in the dict the fast parser hands back to botocore."""

_active: ContextVar[type[BaseModel] | None] = ContextVar("licensemanager_sdk_fast_calls", default=None)


@contextmanager
def fast_calls(model: type[BaseModel]) -> Iterator[None]:
    """Mark the calls made inside the block (on this thread, or in this asyncio task) as taking the fast path into
    `model`, the response model of the operation called."""
    token = _active.set(model)
    try:
        yield
    finally:
        _active.reset(token)


def fast_result(response: Mapping[str, Any], shape: Any) -> dict[str, Any] | None:
    """The response model under `FAST_RESULT` for a marked call's 2xx answer; None: leave it to botocore's parser."""
    model = _active.get()
    if model is None or response["status_code"] >= 300 or shape is None or shape.name != model.__name__:
        return None  # not marked, an error, or another client's call made inside the marked one
    headers = response["headers"]
    return {
        FAST_RESULT: model.model_validate_json(response["body"] or b"{}"),
        "ResponseMetadata": {
            "RequestId": headers.get("x-amzn-requestid", ""),
            "HTTPStatusCode": response["status_code"],
            "HTTPHeaders": headers,
        },
    }


class _FastJSONParser(JSONParser):
    def parse(self, response: Mapping[str, Any], shape: Any) -> dict[str, Any]:
        fast = fast_result(response, shape)
        if fast is not None:
            return fast
        parsed: dict[str, Any] = super().parse(response, shape)
        return parsed


class FastParserFactory(ResponseParserFactory):
    """botocore's factory, except that AWS JSON 1.1 responses get the fast parser."""

    def create_parser(self, protocol_name: str) -> ResponseParser:
        if protocol_name == "json":
            return _FastJSONParser(**self._defaults)  # type: ignore[attr-defined]  # botocore-stubs omit it
        parser: ResponseParser = super().create_parser(protocol_name)
        return parser


def install(botocore_session: Any) -> None:
    """Register the fast parser factory on a botocore session (idempotent; other clients keep botocore's parsing)."""
    if not isinstance(botocore_session.get_component("response_parser_factory"), FastParserFactory):
        botocore_session.register_component("response_parser_factory", FastParserFactory())
