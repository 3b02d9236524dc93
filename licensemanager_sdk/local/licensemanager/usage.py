"""In-memory index of outstanding PROVISIONAL/BORROW checkouts: running totals per license with lazy expiry.

Derived from the durable checkouts (rebuilt at start, after a rolled-back call, and when the clock
moves backwards), so a checkout costs O(log n) instead of a scan of every outstanding checkout."""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from .models import Checkout

__all__ = ["ActiveUsage"]


class ActiveUsage:
    """Outstanding quantities per license and entitlement."""

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self._live: dict[str, tuple[float, dict[str, int], str]] = {}  # token -> (expiry, quantities, license)
        self._heaps: dict[str, list[tuple[float, str]]] = {}
        self._totals: dict[str, dict[str, int]] = {}
        self._counts: dict[str, int] = {}

    def rebuild(self, checkouts: Iterable[Checkout], now: float) -> None:
        """Recompute from the stored checkouts."""
        self._clear()
        for record in checkouts:
            if record.type != "PERPETUAL" and not record.checked_in and record.exp > now:
                self.add(record.token, record.license, record.exp, record.quantities)

    def add(self, token: str, license_arn: str, expiry: float, quantities: dict[str, int]) -> None:
        """Track a new outstanding checkout."""
        self._live[token] = (expiry, quantities, license_arn)
        heapq.heappush(self._heaps.setdefault(license_arn, []), (expiry, token))
        totals = self._totals.setdefault(license_arn, {})
        for name, qty in quantities.items():
            totals[name] = totals.get(name, 0) + qty
        self._counts[license_arn] = self._counts.get(license_arn, 0) + 1

    def remove(self, token: str) -> None:
        """Stop tracking a checkout (checked in)."""
        entry = self._live.pop(token, None)
        if entry is not None:
            self._release(entry)

    def extend(self, token: str, expiry: float) -> None:
        """Move a checkout's expiry."""
        entry = self._live.get(token)
        if entry is not None:
            self._live[token] = (expiry, entry[1], entry[2])
            heapq.heappush(self._heaps.setdefault(entry[2], []), (expiry, token))

    def totals(self, license_arn: str, now: float) -> dict[str, int]:
        """Quantities outstanding at `now`."""
        self._expire(license_arn, now)
        return dict(self._totals.get(license_arn, {}))

    def count(self, license_arn: str, now: float) -> int:
        """Number of checkouts outstanding at `now`."""
        self._expire(license_arn, now)
        return self._counts.get(license_arn, 0)

    def _expire(self, license_arn: str, now: float) -> None:
        heap = self._heaps.get(license_arn)
        while heap and heap[0][0] <= now:
            expiry, token = heapq.heappop(heap)
            entry = self._live.get(token)
            if entry is not None and entry[0] == expiry:
                del self._live[token]
                self._release(entry)

    def _release(self, entry: tuple[float, dict[str, int], str]) -> None:
        _, quantities, license_arn = entry
        totals = self._totals[license_arn]
        for name, qty in quantities.items():
            totals[name] -= qty
        self._counts[license_arn] -= 1
