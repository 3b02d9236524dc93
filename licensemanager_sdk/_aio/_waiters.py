"""`wait_for` for the async layer: the same polling (0.5 s .. 5 s, `resources._waiters.check_status`), awaiting
`poll()` and `sleep` (default `asyncio.sleep`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection
from typing import TypeVar

from licensemanager_sdk.resources._waiters import DEFAULT_TIMEOUT, check_status

__all__ = ["DEFAULT_TIMEOUT", "AsyncSleep", "wait_for"]

S = TypeVar("S")

AsyncSleep = Callable[[float], Awaitable[object]]
"""Waits the given seconds (default `asyncio.sleep`)."""


async def wait_for(
    poll: Callable[[], Awaitable[S]],
    status_of: Callable[[S], object],
    *,
    resource: str,
    wanted: Collection[str],
    hopeless: Collection[str],
    timeout: float,
    sleep: AsyncSleep = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> S:
    """Await `poll()` until its status is in `wanted` (see `resources._waiters.wait_for`)."""
    if timeout < 0:
        raise ValueError(f"timeout must be >= 0 seconds, got {timeout}")
    started = clock()
    polls = 0
    while True:
        snapshot = await poll()
        polls += 1
        wait = check_status(status_of(snapshot), polls, clock() - started, resource, wanted, hopeless, timeout)
        if wait is None:
            return snapshot
        await sleep(wait)
