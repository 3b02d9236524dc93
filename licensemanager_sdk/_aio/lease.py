"""`AsyncLease` and `AsyncBorrowedLease`: `Lease` for asyncio, its keep-alive an asyncio task.

Everything but the awaiting is `entitlements._lease.LeaseCore`'s: the local checks, the deadline and its clock skew,
the keep-alive plan (renew at 2/3 of the remaining time, retry a failed extension 2 s, 4 s, ... apart until the
deadline) and how a lease is lost (`EntitlementLostError` with the same reasons).
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from licensemanager_sdk._exceptions import EntitlementLostError, ServiceError, TransportError
from licensemanager_sdk.entitlements._lease import _MAX_NAP, BorrowedParts, LeaseCore, Step, _log, next_step

if TYPE_CHECKING:
    from datetime import datetime
    from types import TracebackType

    from typing_extensions import Self

    from licensemanager_sdk._generated._async_api import AsyncApi

__all__ = ["AsyncBorrowedLease", "AsyncLease", "AsyncOnLost", "Sleep"]

AsyncOnLost = Callable[[EntitlementLostError], "Awaitable[object] | None"]
"""Called once when the lease is lost; a coroutine function is run as a task (the keep-alive ends after it)."""
Sleep = Callable[[float], Awaitable[object]]
"""How the keep-alive waits the given seconds (default: `asyncio.sleep`, at most a minute at a time)."""

_task_numbers = itertools.count(1)  # names keep-alive tasks: a task name must not carry the token


async def _nap(seconds: float) -> None:
    # wakes at least once a minute, so a wall-clock jump (suspend) is noticed, as the thread's wait does
    await asyncio.sleep(min(max(seconds, 0.0), _MAX_NAP))


async def _settle(result: Awaitable[object]) -> None:
    await result


class AsyncLease(LeaseCore):
    """Entitlements checked out with `await lm.entitlements.checkout(...)`; `async with lease:` releases it.

    While held, the task `keep_alive_task` extends a PROVISIONAL checkout at 2/3 of the remaining time, by itself.
    `has()`, `quantity()` and `check()` are local and synchronous. Leaving `async with` (or `await release()`)
    cancels the task and checks in; if the task that checked out is cancelled or fails, the keep-alive is cancelled
    too (the seats then come back when the checkout expires, unless you `release()`).
    """

    def __init__(
        self,
        *,
        api: AsyncApi,
        on_lost: AsyncOnLost | None = None,
        keep_alive: bool = True,
        sleep: Sleep | None = None,
        **fields: Any,
    ) -> None:
        """Made by `lm.entitlements.checkout()`/`borrow()` (fields: `LeaseCore`'s)."""
        super().__init__(on_lost=on_lost, **fields)
        self._api = api
        self._sleep: Sleep = sleep or _nap
        self._callbacks: set[asyncio.Task[None]] = set()
        self.keep_alive_task: asyncio.Task[None] | None = None
        if keep_alive and self._checkout_type == "PROVISIONAL":
            self.keep_alive_task = asyncio.get_running_loop().create_task(
                self._keep_alive(), name=f"lmsdk-lease-{next(_task_numbers)}"
            )
            owner = asyncio.current_task()
            if owner is not None:
                owner.add_done_callback(self._owner_done)

    async def extend(self) -> datetime:
        """ExtendLicenseConsumption now; returns the new expiration. A refusal also marks the lease lost."""
        self._before_extend()
        try:
            response = await self._api.extend_license_consumption(license_consumption_token=self._token)
        except (ServiceError, TransportError) as err:
            self._extend_failed(err)
            raise
        return self._extended(response.expiration)

    async def check_in(self) -> None:
        """CheckInLicense now and release the lease. A refusal raises and leaves the lease held."""
        fields = self._check_in_fields()
        if self._released:
            return
        await self._api.check_in_license(**fields)
        self._mark_released()
        await self._stop_keep_alive()
        _log().info("checked in %s", self._license_arn)

    async def release(self) -> None:
        """Cancel the keep-alive and check in where the license allows it; a refused check-in is logged.

        With `strict_check_in=True` (at checkout) a refused check-in raises instead. Idempotent.
        """
        await self._stop_keep_alive()
        fields = self._release_fields(has_api=True)
        if fields is None:
            return
        try:
            await self._api.check_in_license(**fields)
        except (ServiceError, TransportError) as err:
            self._check_in_refused(err)
            return
        _log().info("checked in %s", self._license_arn)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.release()

    # -- internals ----------------------------------------------------------------------------------

    async def _keep_alive(self) -> None:
        plan = self._keep_alive_plan()
        outcome: Exception | None = None
        while (step := next_step(plan, outcome)) is not Step.DONE:
            outcome = None
            if step is not Step.EXTEND:
                await self._sleep(step)
                continue
            try:
                await self.extend()
            except Exception as err:  # the plan decides: retried until the deadline, or the lease is lost
                outcome = err
        if self._callbacks:  # the task ends once on_lost has run
            await asyncio.gather(*self._callbacks, return_exceptions=True)

    async def _stop_keep_alive(self) -> None:
        task, self.keep_alive_task = self.keep_alive_task, None
        if task is None or task is asyncio.current_task() or task.done():
            return
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    def _owner_done(self, owner: asyncio.Task[Any]) -> None:
        task = self.keep_alive_task
        if task is not None and (owner.cancelled() or owner.exception() is not None):
            task.cancel()

    def _tell(self, result: object) -> None:
        if inspect.isawaitable(result):
            task = asyncio.get_running_loop().create_task(_settle(result), name=f"lmsdk-on-lost-{next(_task_numbers)}")
            self._callbacks.add(task)
            task.add_done_callback(self._callback_done)

    def _callback_done(self, task: asyncio.Task[None]) -> None:
        self._callbacks.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            self._on_lost_failed(error)


class AsyncBorrowedLease(BorrowedParts, AsyncLease):
    """Entitlements borrowed with `await lm.entitlements.borrow(...)` for offline use (CheckoutBorrowLicense).

    Not extendable. `save(path)` writes its signed token; `BorrowedLease.load(path, public_key=...)` (offline, no
    client needed) verifies it again later.
    """
