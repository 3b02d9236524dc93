"""Waiters: poll a resource until it reaches a status, with a timeout and exponential backoff."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import TypeVar

from licensemanager_sdk._core.backoff import Backoff
from licensemanager_sdk._exceptions import LicenseManagerError

__all__ = ["DEFAULT_TIMEOUT", "WaitTimeoutError", "WaiterError", "wait_for"]

S = TypeVar("S")

DEFAULT_TIMEOUT = 60.0
"""Seconds a waiter waits by default."""
_POLL_BACKOFF = Backoff(initial=0.5, cap=5.0, jitter=False)
"""Between polls: 0.5 s, 1 s, 2 s, 4 s, then every 5 s."""


class WaiterError(LicenseManagerError):
    """A waiter gave up: the resource is in a status from which the wanted one cannot be reached.

    Attributes:
        resource: the ARN or id waited on.
        wanted: the statuses waited for.
        last_status: the status last seen (None if the service sent none).
        elapsed: seconds spent waiting.
    """

    def __init__(
        self, message: str, *, resource: str, wanted: tuple[str, ...], last_status: str | None, elapsed: float
    ) -> None:
        self.resource = resource
        self.wanted = wanted
        self.last_status = last_status
        self.elapsed = elapsed
        super().__init__(message)


class WaitTimeoutError(WaiterError):
    """The timeout passed before the resource reached the wanted status; `last_status` says where it was."""


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
    wanted_t = tuple(wanted)
    while True:
        snapshot = poll()
        polls += 1
        status = _name(status_of(snapshot))
        if status in wanted_t:
            return snapshot
        elapsed = clock() - started
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
        sleep(_POLL_BACKOFF.delay(polls, limit=remaining))
