"""`await lm.grants.distribute(...)`: `resources/distribution/run.py`'s run on asyncio tasks instead of threads.

Everything but the waiting is shared with the threaded run: the checks and the plan (`plan.py`), each principal's
attempts (`attempt.py`), the `RateControl` and the report, kept in memory or streamed to `report_path` (`report.py`).
A cancelled run leaves the grants it created (and, streamed, a file valid line by line); running it again completes
it without duplicates.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from licensemanager_sdk.resources.distribution.attempt import GrantOrder
from licensemanager_sdk.resources.distribution.plan import (
    DEFAULT_CONCURRENCY,
    DEFAULT_RATE_LIMIT,
    Plan,
    checked_operations,
)
from licensemanager_sdk.resources.distribution.rate import RateControl
from licensemanager_sdk.resources.distribution.report import DistributionReport, PrincipalOutcome, Recorder
from licensemanager_sdk.resources.licenses import default_grant_name
from licensemanager_sdk.types import AllowedOperation

if TYPE_CHECKING:
    from licensemanager_sdk._aio.licenses import AsyncLicense
    from licensemanager_sdk._async_client import AsyncLicenseManager

__all__ = ["distribute"]


async def distribute(
    lm: AsyncLicenseManager,
    license: AsyncLicense,
    principals: Iterable[str],
    allowed_operations: Sequence[AllowedOperation | str],
    *,
    grant_name: str | None = None,
    home_region: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate_limit: float | None = DEFAULT_RATE_LIMIT,
    attempts_per_principal: int = 3,
    dry_run: bool = False,
    progress: Callable[[int, int, PrincipalOutcome], None] | None = None,
    report_path: str | os.PathLike[str] | None = None,
) -> DistributionReport:
    """Grant `license` to every principal; arguments and report as for `LicenseManager.grants.distribute`."""
    operations = checked_operations(allowed_operations, concurrency, rate_limit, attempts_per_principal)
    plan = Plan(principals)
    started = time.monotonic()
    name = grant_name or default_grant_name(license)
    async for grant in lm.grants.list_distributed(license_arn=license.arn):
        plan.add_listed(grant.data)

    with Recorder(plan.total, report_path, progress) as recorder:
        left = plan.settle(recorder.add, dry_run=dry_run)
        if left:
            workers = min(concurrency, left)
            region = home_region or lm.region_name
            control = RateControl(rate_limit, burst=float(workers))
            order = GrantOrder(license.arn, name, region, operations, attempts_per_principal, lm.config.retry, control)
            todo = plan.todo()
            # cancelling the run cancels every worker
            await asyncio.gather(*(_work(lm, order, todo, recorder.add) for _ in range(workers)))
        return recorder.report(
            license.arn, name, dry_run=dry_run, elapsed=time.monotonic() - started, order=plan.order()
        )


async def _work(
    lm: AsyncLicenseManager,
    order: GrantOrder,
    todo: Iterator[tuple[str, Mapping[str, str]]],
    record: Callable[[PrincipalOutcome], None],
) -> None:
    """One worker: CreateGrant for the next principal of `todo` (shared by the workers) until there is none."""
    for principal, replacing in todo:
        record(await _create_one(lm, order, principal, replacing))


async def _create_one(
    lm: AsyncLicenseManager, order: GrantOrder, principal: str, replacing: Mapping[str, str]
) -> PrincipalOutcome:
    """`run._create_one`, awaiting the rate control, the call and the backoff."""
    attempts = order.start(principal, replacing)
    while True:
        while (wait := order.control.reserve()) > 0.0:
            await asyncio.sleep(wait)
        try:
            response = await lm.api.create_grant(attempts.sending())
        except Exception as err:  # attempts.failed decides; one principal never stops the others
            verdict = attempts.failed(err)
            if isinstance(verdict, PrincipalOutcome):
                return verdict
            await asyncio.sleep(verdict)
            continue
        return attempts.answered(response)
