"""Injected faults and latency: the test controls behind `/_local/faults` and `LocalLicenseManager.inject_fault`."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

from ..services import REGISTRY

__all__ = ["ANY_OPERATION", "FaultBoard", "FaultRule", "Phase"]

Phase = Literal["before", "after"]
ANY_OPERATION = "*"
_SERVICES = tuple(r.name for r in REGISTRY)


def _check_service(service: str) -> None:
    if service not in _SERVICES:
        raise ValueError(f"service must be one of {', '.join(_SERVICES)}, not {service!r}")


@dataclass(slots=True)
class FaultRule:
    """The next `remaining` calls of `operation` (or of every operation, `"*"`) of `service` answer `error`.

    `phase="before"`: the call fails before the engine sees it (nothing is stored).
    `phase="after"`: the engine does the work and stores it, then the error is answered (a lost response);
    such a rule is only spent by calls that succeeded.
    """

    service: str
    operation: str
    error: str
    remaining: int
    phase: Phase
    message: str | None = None

    def matches(self, service: str, operation: str) -> bool:
        return self.service == service and (self.operation == ANY_OPERATION or self.operation == operation)

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "operation": self.operation,
            "error": self.error,
            "times": self.remaining,
            "phase": self.phase,
        }


class FaultBoard:
    """Thread-safe list of pending fault rules plus per-operation latency.

    Rules are spent first-in first-out. Latency for an operation is its own setting if any, else the `"*"` one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._latency_ms: dict[tuple[str, str], float] = {}
        # Read without the lock on the hot path: a plain bool swap is atomic.
        self._active = False

    @property
    def active(self) -> bool:
        """False when there is nothing to inject (the common case: the request path skips the board)."""
        return self._active

    def add_fault(self, rule: FaultRule) -> None:
        _check_service(rule.service)
        if rule.remaining < 1:
            raise ValueError("times must be >= 1")
        if rule.phase not in ("before", "after"):
            raise ValueError("phase must be 'before' or 'after'")
        with self._lock:
            self._rules.append(rule)
            self._active = True

    def set_latency(self, service: str, operation: str, milliseconds: float) -> None:
        _check_service(service)
        if milliseconds < 0:
            raise ValueError("latency_ms must be >= 0")
        with self._lock:
            if milliseconds == 0:
                self._latency_ms.pop((service, operation), None)
            else:
                self._latency_ms[(service, operation)] = milliseconds
            self._refresh()

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._latency_ms.clear()
            self._active = False

    def take(self, service: str, operation: str, phase: Phase) -> FaultRule | None:
        """Spend one use of the first matching rule of `phase`; None when no rule matches."""
        with self._lock:
            for index, rule in enumerate(self._rules):
                if rule.phase == phase and rule.matches(service, operation):
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        del self._rules[index]
                        self._refresh()
                    return FaultRule(rule.service, rule.operation, rule.error, 1, rule.phase, rule.message)
        return None

    def latency_seconds(self, service: str, operation: str) -> float:
        with self._lock:
            milliseconds = self._latency_ms.get((service, operation))
            if milliseconds is None:
                milliseconds = self._latency_ms.get((service, ANY_OPERATION), 0.0)
        return milliseconds / 1000.0

    def snapshot(self) -> dict[str, Any]:
        """Pending rules and latency settings, for `/_local/health` and `/_local/faults` answers."""
        with self._lock:
            return {
                "faults": [rule.as_dict() for rule in self._rules],
                "latency_ms": [
                    {"service": service, "operation": operation, "latency_ms": milliseconds}
                    for (service, operation), milliseconds in self._latency_ms.items()
                ],
            }

    def _refresh(self) -> None:
        self._active = bool(self._rules or self._latency_ms)
