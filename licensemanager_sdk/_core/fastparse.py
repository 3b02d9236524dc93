"""The fast path: successful responses parsed from JSON bytes straight into the response models by pydantic-core.

It plugs into botocore's own extension point, the session's `response_parser_factory` component. The parser it makes
only takes the fast path for calls the SDK's call path marks (`fast_calls()`, a thread-local flag around the boto3 call
of an SDK-built client), so any other client of the same session parses exactly as before; errors always go through
botocore's parser.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from botocore.parsers import JSONParser, ResponseParser, ResponseParserFactory

__all__ = ["FAST_RESULT", "FastParserFactory", "fast_calls", "install"]

FAST_RESULT = "__licensemanager_sdk_model__"
"""Key of the parsed response model in the dict the fast parser hands back to botocore."""

_state = threading.local()


@contextmanager
def fast_calls() -> Iterator[None]:
    """Mark the boto3 calls made inside the block (on this thread) as taking the fast path."""
    previous = getattr(_state, "active", False)
    _state.active = True
    try:
        yield
    finally:
        _state.active = previous


class _FastJSONParser(JSONParser):
    def parse(self, response: Mapping[str, Any], shape: Any) -> dict[str, Any]:
        if response["status_code"] < 300 and shape is not None and getattr(_state, "active", False):
            from licensemanager_sdk._generated._operations import OUTPUT_MODELS  # lazy: loads the models

            model = OUTPUT_MODELS.get(shape.name)
            if model is not None:
                headers = response["headers"]
                return {
                    FAST_RESULT: model.model_validate_json(response["body"] or b"{}"),
                    "ResponseMetadata": {
                        "RequestId": headers.get("x-amzn-requestid", ""),
                        "HTTPStatusCode": response["status_code"],
                        "HTTPHeaders": headers,
                    },
                }
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
