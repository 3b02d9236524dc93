"""The one backoff: how long to wait before attempt n+1, for every retry loop and poll in the SDK.

Attempt n (1, 2, 3, ...) waits up to `min(cap, initial * 2**(n-1))`: a random share of it with full jitter (the
client's retries and grant distribution), all of it without (the waiters' 0.5 s, 1 s, 2 s, ... and the lease's retry
of a failed extension: 2 s, 4 s, ...). A service's Retry-After replaces the computed wait, still capped, and `limit`
keeps any wait from running past a deadline.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from licensemanager_sdk._config import RetryConfig

__all__ = ["Backoff"]

_MAX_DOUBLINGS = 64
"""Past this many doublings any sane cap has long been reached; stops `2**n` from overflowing a float."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with a cap, with or without full jitter.

    Args:
        initial: seconds the first wait may reach; it doubles with each attempt.
        cap: no wait is longer (Retry-After included).
        jitter: True: a random wait in `[0, ceiling]` (full jitter); False: exactly the ceiling.
    """

    initial: float
    cap: float
    jitter: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.initial <= self.cap:
            raise ValueError(f"Backoff needs 0 <= initial <= cap, got initial={self.initial}, cap={self.cap}")

    @classmethod
    def from_config(cls, config: RetryConfig) -> Backoff:
        """The client's full-jitter backoff (`RetryConfig.initial_backoff`, `max_backoff`)."""
        return cls(config.initial_backoff, config.max_backoff)

    def ceiling(self, attempt: int) -> float:
        """The longest wait after attempt `attempt` (1-based): `min(cap, initial * 2**(attempt-1))`."""
        if attempt < 1:
            raise ValueError(f"attempt counts from 1, got {attempt}")
        return min(self.cap, self.initial * 2.0 ** min(attempt - 1, _MAX_DOUBLINGS))

    def delay(self, attempt: int, *, retry_after: float | None = None, limit: float = math.inf) -> float:
        """Seconds to wait after attempt `attempt` failed.

        Args:
            retry_after: seconds the service asked for; used instead of the computed wait (not below 0, capped).
            limit: never wait longer than this (e.g. what is left before a deadline).
        """
        if retry_after is not None:
            wait = min(max(retry_after, 0.0), self.cap)
        elif self.jitter:
            wait = random.uniform(0.0, self.ceiling(attempt))
        else:
            wait = self.ceiling(attempt)
        return max(0.0, min(wait, limit))
