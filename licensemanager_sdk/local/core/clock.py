"""The emulator's clock: real UTC time plus an adjustable offset."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

__all__ = ["Clock"]


class Clock:
    """Thread-safe emulator time; `advance` moves it forward without sleeping."""

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = float(offset)
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        """Seconds added to real time."""
        return self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock by `seconds` (may be negative)."""
        with self._lock:
            self._offset += float(seconds)

    def set_offset(self, seconds: float) -> None:
        """Set the offset from real time (0 = real time)."""
        with self._lock:
            self._offset = float(seconds)

    def timestamp(self) -> float:
        """Emulator time as epoch seconds."""
        return time.time() + self._offset

    def now(self) -> datetime:
        """Emulator time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp(), tz=timezone.utc)
