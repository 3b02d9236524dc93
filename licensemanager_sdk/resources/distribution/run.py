"""The run of a grant distribution: one license to many principals, safely re-runnable (`lm.grants.distribute`).

How a run goes:

1. Principals are checked and normalised (`"123456789012"` -> `arn:aws:iam::123456789012:root`) and de-duplicated,
   before any request (plan.py). Allowed operations are checked against `AllowedOperation`.
2. One lazy `ListDistributedGrants` listing (filter `LicenseArn`) finds principals that already hold a live grant on
   the license (any status but those in `DEAD_STATUSES`): they are reported `already_present`. It also collects the
   dead grants of the others, which their new grant replaces.
3. The others get `CreateGrant` from a pool of `concurrency` threads, paced by `RateControl` (rate.py). By default
   (`rate_limit=None`) it is adaptive: no cap while every call is answered at the first attempt; congestion (a call
   still throttled after the client's retries, or one that needed retries: `response_metadata.attempts > 1`) caps
   the rate at the measured send rate times `1 - share / 2` (`share`: the congested part of the calls since the last
   decision; half when all were), cuts a cap the same way at most every 0.25 s (never below 1/s), grows it 20% a
   second on clean answers, and lifts it once it is twice the demand and nothing was congested for a second. A
   number is a fixed ceiling in calls per second with the same cuts and recovery below it. Each grant's ClientToken
   is deterministic (license ARN + principal ARN + grant name + the ARNs of the principal's dead grants on the
   license), so a retry, a lost response or a concurrent run that listed the same grants cannot create a second
   grant, while a principal whose grant died since the last run gets a new idempotency key, not the dead grant's
   replayed answer; a re-run finds what was created in step 2.
4. A principal whose call still fails with throttling, a 5xx or a transport error is tried again (same ClientToken),
   up to `attempts_per_principal` times, waiting with the client's `RetryConfig` backoff. Any other error is recorded
   as `failed` with its code and message; it never stops the other principals.

Every principal appears exactly once in the `DistributionReport` (report.py): kept in memory in the order given, or,
with `report_path`, written to the file as each completes (memory stays flat; a killed run's file is valid line by
line). The per-principal decisions (retry, congestion, outcome) are attempt.py's, shared with the async run.

Cost: one pass over the principals, one listing of the license's grants, one CreateGrant (plus retries) per
principal, O(1) work and memory per call; `concurrency` worker threads take the next principal from one iterator,
so nothing is queued ahead of them.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from licensemanager_sdk.resources.distribution.attempt import GrantOrder
from licensemanager_sdk.resources.distribution.plan import (
    DEAD_STATUSES,
    DEFAULT_CONCURRENCY,
    DEFAULT_RATE_LIMIT,
    Plan,
    checked_operations,
)
from licensemanager_sdk.resources.distribution.rate import RateControl
from licensemanager_sdk.resources.distribution.report import DistributionReport, PrincipalOutcome, Recorder
from licensemanager_sdk.resources.licenses import License, default_grant_name
from licensemanager_sdk.types import AllowedOperation

if TYPE_CHECKING:
    from licensemanager_sdk._client import LicenseManager

__all__ = ["DEAD_STATUSES", "DEFAULT_CONCURRENCY", "DEFAULT_RATE_LIMIT", "distribute"]

_log = logging.getLogger("licensemanager_sdk")


def _warn_if_pool_small(lm: LicenseManager, concurrency: int) -> None:
    """Log once per run when threads would outnumber the client's HTTP connections (the local service has none)."""
    pool = getattr(lm.boto3_client.meta.config, "max_pool_connections", None) or 10
    host = urlsplit(str(lm.boto3_client.meta.endpoint_url or "")).hostname or ""
    if pool < concurrency and not host.endswith(".invalid"):
        _log.warning(
            "grants.distribute: concurrency=%d but the client keeps only %d HTTP connections; build the client "
            "with ClientConfig(max_pool_connections=%d) so connections are reused",
            concurrency,
            pool,
            concurrency,
        )


def distribute(
    lm: LicenseManager,
    license: License,
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
    """The implementation of `lm.grants.distribute` (see there and the module docstring)."""
    operations = checked_operations(allowed_operations, concurrency, rate_limit, attempts_per_principal)
    plan = Plan(principals)
    started = time.monotonic()
    if grant_name is None:
        grant_name = default_grant_name(license)
    for grant in lm.grants.list_distributed(license_arn=license.arn):
        plan.add_listed(grant.data)

    with Recorder(plan.total, report_path, progress) as recorder:
        left = plan.settle(recorder.add, dry_run=dry_run)
        if left:
            workers = min(concurrency, left)
            _warn_if_pool_small(lm, workers)
            order = GrantOrder(
                license.arn,
                grant_name,
                home_region or lm.region_name,
                operations,
                attempts_per_principal,
                lm.config.retry,
                RateControl(rate_limit, burst=float(workers)),
            )
            _create_all(lm, order, plan.todo(), workers, recorder.add)
        return recorder.report(
            license.arn, grant_name, dry_run=dry_run, elapsed=time.monotonic() - started, order=plan.order()
        )


def _create_all(
    lm: LicenseManager,
    order: GrantOrder,
    todo: Iterator[tuple[str, Mapping[str, str]]],
    workers: int,
    record: Callable[[PrincipalOutcome], None],
) -> None:
    """CreateGrant for every principal of `todo` from `workers` threads; `record` each outcome in this thread.

    Each thread takes the next principal when it is free, so only `workers` principals are ever in flight. If
    `record` raises (a progress callback), no further principal is started and the error propagates once the calls
    in flight have ended.
    """
    take = threading.Lock()
    stop = threading.Event()
    done: queue.SimpleQueue[PrincipalOutcome | None] = queue.SimpleQueue()  # None: a thread has finished

    def work() -> None:
        try:
            while not stop.is_set():
                with take:
                    item = next(todo, None)
                if item is None:
                    return
                done.put(_create_one(lm, order, *item))
        finally:
            done.put(None)

    threads = [threading.Thread(target=work, name=f"lmsdk-distribute-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    try:
        running = workers
        while running:
            outcome = done.get()
            if outcome is None:
                running -= 1
            else:
                record(outcome)
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def _create_one(
    lm: LicenseManager, order: GrantOrder, principal: str, replacing: Mapping[str, str]
) -> PrincipalOutcome:
    """CreateGrant for one principal, `replacing` its dead grants ({ARN: status}) on the license, if any."""
    attempts = order.start(principal, replacing)
    while True:
        order.control.acquire()
        try:
            response = lm.api.create_grant(attempts.sending())
        except Exception as err:  # attempts.failed decides; one principal never stops the others
            verdict = attempts.failed(err)
            if isinstance(verdict, PrincipalOutcome):
                return verdict
            order.retry.sleep(verdict)
            continue
        return attempts.answered(response)
