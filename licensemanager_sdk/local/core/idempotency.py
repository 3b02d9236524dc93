"""Idempotent calls (§4.3): the same ClientToken, account and operation within the window replays the first
answer. Records expire after the window; `prune` deletes expired ones a few at a time, oldest first."""

from __future__ import annotations

import hashlib
import heapq
import json
from dataclasses import dataclass
from typing import Any

from .caller import Caller
from .clock import Clock
from .faults import fault
from .responses import Handler
from .store import Kind, Store

__all__ = ["IDEMPOTENCY", "Idempotency", "IdempotencyRecord"]


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The first answer to a ClientToken: when, a digest of its parameters, the wire response."""

    at: float
    digest: str
    response: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "digest": self.digest, "response": self.response}

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> IdempotencyRecord:
        return cls(row["at"], row["digest"], row["response"])


IDEMPOTENCY: Kind[IdempotencyRecord] = Kind("idem", IdempotencyRecord.from_json, IdempotencyRecord.to_json)


def _copied(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, scalars): the record must not share objects with live state."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def _digest(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


class Idempotency:
    """Replays within `window_s` of the emulator clock. Callers hold the engine lock and a store transaction."""

    def __init__(self, store: Store, clock: Clock, window_s: float) -> None:
        self._store = store
        self._clock = clock
        self._window = window_s
        self._deadlines: list[tuple[float, str]] | None = None  # (expiry, key) min-heap, built on first prune
        self._synced_rollbacks = store.rollbacks

    def call(self, operation: str, handler: Handler, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        """The recorded answer to this ClientToken, or `handler`'s (then recorded)."""
        key = f"{caller.account}|{operation}|{params['ClientToken']}"
        digest = _digest(params)
        now = self._clock.timestamp()
        seen = self._store.get(IDEMPOTENCY, key)
        if seen is not None and now - seen.at < self._window:
            if seen.digest != digest:
                raise fault(
                    "ValidationException",
                    f"ClientToken {params['ClientToken']} was already used with different parameters.",
                )
            replay: dict[str, Any] = _copied(seen.response)
            return replay
        response = handler(caller, params)
        self._store.put(IDEMPOTENCY, key, IdempotencyRecord(now, digest, _copied(response)))
        if self._deadlines is not None:
            heapq.heappush(self._deadlines, (now + self._window, key))
        return response

    def prune(self, limit: int) -> int:
        """Delete up to `limit` records whose window has passed; returns how many were deleted."""
        if self._deadlines is None or self._synced_rollbacks != self._store.rollbacks:
            self._deadlines = [(r.at + self._window, key) for key, r in self._store.items(IDEMPOTENCY)]
            heapq.heapify(self._deadlines)
            self._synced_rollbacks = self._store.rollbacks
        now = self._clock.timestamp()
        deleted = 0
        heap = self._deadlines
        while heap and heap[0][0] <= now and deleted < limit:
            _, key = heapq.heappop(heap)
            record = self._store.get(IDEMPOTENCY, key)
            if record is not None and record.at + self._window <= now:
                self._store.delete(IDEMPOTENCY, key)
                deleted += 1
        return deleted

    def reset(self) -> None:
        """Forget the in-memory deadlines (after the store was cleared)."""
        self._deadlines = None
