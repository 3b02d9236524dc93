"""Filters and pagination of the List* operations (SERVICE.md §9)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from .faults import fault
from .jwt import b64url_decode, b64url_encode
from .store import Store, document_kind

__all__ = ["matches", "page_tokens", "paginate", "parse_filters"]

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


_SECRET = document_kind("page-token-secret")
_store: ContextVar[Store | None] = ContextVar("licensemanager_local_page_store", default=None)
_PROCESS_SECRET = secrets.token_bytes(32)  # for paginate called outside an engine call (no store)
_MAX_TOKEN_CHARS = 1024
_MAX_POSITION = 2**63 - 1
#: 2 carries the last position seen ("k"); version 1 carried an offset ("o") and is refused like any stale token.
_TOKEN_VERSION = 2


@contextmanager
def page_tokens(store: Store) -> Iterator[None]:
    """Sign and check NextTokens within the block with `store`'s secret (kept in the state: tokens survive restarts)."""
    reset = _store.set(store)
    try:
        yield
    finally:
        _store.reset(reset)


def _secret() -> bytes:
    store = _store.get()
    if store is None:
        return _PROCESS_SECRET
    doc = store.get(_SECRET, "key")
    if doc is None:
        doc = {"key": secrets.token_hex(32)}
        store.put(_SECRET, "key", doc)
    return bytes.fromhex(doc["key"])


def _mac(payload: str) -> str:
    return b64url_encode(hmac.new(_secret(), payload.encode("ascii"), hashlib.sha256).digest()[:16])


def _encode_token(position: dict[str, Any]) -> str:
    payload = b64url_encode(json.dumps(position, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_mac(payload)}"


def _decode_token(token: Any, digest: str) -> int | None:
    """The last position a token of this query carries, or None for anything else (checked before any decoding)."""
    if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS or not token.isascii():
        return None
    payload, sep, mac = token.partition(".")
    if not sep or not hmac.compare_digest(mac, _mac(payload)):
        return None
    try:
        fields = json.loads(b64url_decode(payload))
    except ValueError:
        return None
    if not isinstance(fields, dict) or set(fields) != {"v", "q", "k"}:
        return None
    last = fields["k"]
    if fields["v"] != _TOKEN_VERSION or fields["q"] != digest:
        return None
    if type(last) is not int or not 0 < last <= _MAX_POSITION:
        return None
    return last


def paginate(
    walk: Callable[[int], Iterable[tuple[int, T]]],
    params: Mapping[str, Any],
    scope: str,
    default_size: int,
    *,
    error: str = "ValidationException",
) -> tuple[list[T], str | None]:
    """One page of a List* result and the NextToken for the rest (None on the last page).

    Keyset pagination: `walk(after)` yields the (position, item) pairs of the result with position > `after`
    (positions are positive and increasing: store positions, version numbers), already filtered; a page reads
    MaxResults + 1 of them, whatever its depth, and its token carries the last position it returned. Items
    deleted between pages do not shift the next page; items created meanwhile are listed when they come later.

    The token is opaque and tamper-evident: base64url JSON `{"v": 2, "q": <hash of scope>, "k": <position>}`
    plus an HMAC-SHA256 tag under the state's secret. `scope` names the query (operation, caller, filters), so
    a token of another query, of an older version, an altered or forged token -> `error`."""
    size = params.get("MaxResults") or default_size
    digest = hashlib.sha256(scope.encode("utf-8")).hexdigest()[:16]
    after = 0
    token = params.get("NextToken")
    if token is not None:
        decoded = _decode_token(token, digest)
        if decoded is None:
            raise fault(error, "Invalid NextToken: pass the NextToken of the previous page of this same request.")
        after = decoded
    read = list(itertools.islice(walk(after), size + 1))
    page = [item for _, item in read[:size]]
    if len(read) <= size:
        return page, None
    return page, _encode_token({"v": _TOKEN_VERSION, "q": digest, "k": read[size - 1][0]})
