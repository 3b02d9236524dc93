"""awsQuery XML documents (STS, IAM): a result or an error, in the service's namespace.

Pure string building; `server/wire.py` wraps these into HTTP answers. A result is a mapping rendered member by
member (lists as `<member>` items, None left out, booleans as `true`/`false`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["error_document", "namespace_of", "result_document", "xml_members"]


def namespace_of(service: str, api_version: str) -> str:
    """The XML namespace of a query service's answers: `https://<service>.amazonaws.com/doc/<version>/`."""
    return f"https://{service}.amazonaws.com/doc/{api_version}/"


def xml_members(value: Any) -> str:
    """The XML content of a wire value."""
    if isinstance(value, Mapping):
        return "".join(f"<{key}>{xml_members(item)}</{key}>" for key, item in value.items() if item is not None)
    if isinstance(value, list | tuple):
        return "".join(f"<member>{xml_members(item)}</member>" for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def result_document(namespace: str, operation: str, result: Mapping[str, Any], request_id: str) -> str:
    """`<OpResponse><OpResult>...</OpResult><ResponseMetadata>...</ResponseMetadata></OpResponse>`; an empty
    result has no `<OpResult>` (as IAM answers DeleteRole)."""
    inner = f"<{operation}Result>{xml_members(result)}</{operation}Result>" if result else ""
    metadata = f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
    return f'<{operation}Response xmlns="{namespace}">{inner}{metadata}</{operation}Response>'


def error_document(namespace: str, status: int, code: str, message: str, request_id: str) -> str:
    """The `ErrorResponse` document; `Type` is `Receiver` for 5xx, `Sender` otherwise."""
    kind = "Receiver" if status >= 500 else "Sender"
    return (
        f'<ErrorResponse xmlns="{namespace}">'
        f"<Error><Type>{kind}</Type><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
