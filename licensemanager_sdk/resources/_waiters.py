"""Waiters: poll a resource until it reaches a status, with a timeout and exponential backoff."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import TypeVar

from licensemanager_sdk._core.backoff import Backoff
from licensemanager_sdk._exceptions import WaiterError, WaitTimeoutError

__all__ = ["DEFAULT_TIMEOUT", "check_status", "wait_for"]

S = TypeVar("S")

DEFAULT_TIMEOUT = 60.0
"""Seconds a waiter waits by default."""
_POLL_BACKOFF = Backoff(initial=0.5, cap=5.0, jitter=False)
"""Between polls: 0.5 s, 1 s, 2 s, 4 s, then every 5 s."""


def _name(status: object) -> str | None:
    if status is None:
        return None
    value = getattr(status, "value", status)
    return str(value)


def wait_for(
    poll: Callable[[], S],
    status_of: Callable[[S], object],
    *,
    resource: str,
    wanted: Collection[str],
    hopeless: Collection[str],
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> S:
    """Call `poll()` until its status is in `wanted`; waits 0.5 s, 1 s, 2 s, ... (at most 5 s) between polls.

    Raises:
        WaiterError: the status is in `hopeless` (it can never become a wanted one).
        WaitTimeoutError: `timeout` seconds passed first.
        ValueError: a negative timeout.
    """
    if timeout < 0:
        raise ValueError(f"timeout must be >= 0 seconds, got {timeout}")
    started = clock()
    polls = 0
    while True:
        snapshot = poll()
        polls += 1
        wait = check_status(status_of(snapshot), polls, clock() - started, resource, wanted, hopeless, timeout)
        if wait is None:
            return snapshot
        sleep(wait)


def check_status(
    seen: object,
    polls: int,
    elapsed: float,
    resource: str,
    wanted: Collection[str],
    hopeless: Collection[str],
    timeout: float,
) -> float | None:
    """After poll number `polls`: None when the status `seen` is wanted, else the seconds to wait before the next
    poll (shared with the async waiters).

    Raises:
        WaiterError: the status is in `hopeless`.
        WaitTimeoutError: `timeout` seconds passed.
    """
    wanted_t = tuple(wanted)
    status = _name(seen)
    if status in wanted_t:
        return None
    if status in hopeless:
        raise WaiterError(
            f"{resource} is {status}, from which it can never become {' or '.join(wanted_t)}; stopped waiting",
            resource=resource,
            wanted=wanted_t,
            last_status=status,
            elapsed=elapsed,
        )
    remaining = timeout - elapsed
    if remaining <= 0:
        raise WaitTimeoutError(
            f"{resource} did not become {' or '.join(wanted_t)} within {timeout:g} s (last status seen: {status}); "
            "wait longer with timeout=, or check why it is stuck",
            resource=resource,
            wanted=wanted_t,
            last_status=status,
            elapsed=elapsed,
        )
    return _POLL_BACKOFF.delay(polls, limit=remaining)
