"""`LocalFaults`: the `local_faults` fixture's helper, a thin, named front on the emulator's fault controls."""

from __future__ import annotations

from ..local import LocalLicenseManager

__all__ = ["LocalFaults"]


class LocalFaults:
    """Make the next calls to the local License Manager fail, lose their answer, or slow down.

    Error codes are AWS's (`ServerInternalException` answers 500, `RateLimitExceededException` 429, ...).
    """

    def __init__(self, emulator: LocalLicenseManager) -> None:
        self._emulator = emulator

    def fail_next(
        self,
        operation: str = "*",
        error: str = "ServerInternalException",
        *,
        times: int = 1,
        service: str = "license-manager",
    ) -> None:
        """The next `times` calls of `operation` (`"*"`: any) answer `error` without doing anything."""
        self._emulator.inject_fault(operation, error, times, "before", service=service)

    def lose_response(
        self,
        operation: str = "*",
        error: str = "ServerInternalException",
        *,
        times: int = 1,
        service: str = "license-manager",
    ) -> None:
        """The next `times` successful calls of `operation` are done and stored, then answer `error`."""
        self._emulator.inject_fault(operation, error, times, "after", service=service)

    def slow_down(self, ms: float, operation: str = "*", *, service: str = "license-manager") -> None:
        """Delay every call of `operation` by `ms` milliseconds (0 removes the delay)."""
        self._emulator.set_latency(ms, operation, service=service)

    def clear(self) -> None:
        """Drop every pending fault and delay."""
        self._emulator.clear_faults()
