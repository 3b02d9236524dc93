"""Filters and pagination of the List* operations (SERVICE.md §9)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .faults import fault
from .jwt import b64url_decode, b64url_encode

__all__ = ["matches", "paginate", "parse_filters"]

T = TypeVar("T")


def parse_filters(params: Mapping[str, Any], allowed: Sequence[str]) -> list[tuple[str, str]]:
    """(name, value) pairs of the request's Filters; ValidationException for unknown names or != 1 value."""
    pairs = []
    for item in params.get("Filters") or []:
        name = item.get("Name")
        values = item.get("Values") or []
        if name not in allowed:
            raise fault("ValidationException", f"Invalid filter name: {name}")
        if len(values) > 1:
            raise fault("ValidationException", "You cannot have more than 1 filter values.")
        if not values:
            raise fault("ValidationException", f"Filter {name} must have exactly 1 value.")
        pairs.append((name, values[0]))
    return pairs


def matches(filters: list[tuple[str, str]], fields: Callable[[str], Any]) -> bool:
    """AND of exact, case-sensitive equality of every filter against `fields(name)`."""
    return all(fields(name) == value for name, value in filters)


def paginate(
    items: Sequence[T], params: Mapping[str, Any], scope: str, default_size: int, *, error: str = "ValidationException"
) -> tuple[list[T], str | None]:
    """One page of `items` and the NextToken for the rest (None on the last page).

    The token is opaque (base64url JSON of the offset and a hash of `scope`, which names the query);
    a token of another query or garbage -> `error`."""
    size = params.get("MaxResults") or default_size
    digest = hashlib.sha256(scope.encode("utf-8")).hexdigest()[:16]
    offset = 0
    token = params.get("NextToken")
    if token is not None:
        try:
            decoded = json.loads(b64url_decode(token))
            offset = int(decoded["o"])
            valid = decoded["q"] == digest and offset >= 0
        except (ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise fault(error, "Invalid NextToken.")
    page = list(items[offset : offset + size])
    end = offset + size
    if end >= len(items):
        return page, None
    return page, b64url_encode(json.dumps({"o": end, "q": digest}, separators=(",", ":")).encode("utf-8"))
