"""`await lm.grants.distribute(...)`: `resources/distribution/run.py`'s run on asyncio tasks instead of threads.

The same idempotency (one deterministic ClientToken per license, principal and grant name; principals already
holding a live grant are skipped), the same `RateControl` and the same `DistributionReport`. A cancelled run leaves
the grants it created; running it again completes it without duplicates.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from licensemanager_sdk._core.backoff import Backoff
from licensemanager_sdk._core.retry import THROTTLING_CODES, is_retryable
from licensemanager_sdk._exceptions import LicenseManagerError, ServiceError
from licensemanager_sdk.resources.distribution.rate import RateControl
from licensemanager_sdk.resources.distribution.report import DistributionReport, PrincipalOutcome
from licensemanager_sdk.resources.distribution.run import (
    DEAD_STATUSES,
    DEFAULT_CONCURRENCY,
    DEFAULT_RATE_LIMIT,
    _client_token,
    _principals,
    _replaces,
)
from licensemanager_sdk.resources.licenses import default_grant_name
from licensemanager_sdk.types import AllowedOperation

if TYPE_CHECKING:
    from licensemanager_sdk._aio.licenses import AsyncLicense
    from licensemanager_sdk._async_client import AsyncLicenseManager

__all__ = ["distribute"]

_log = logging.getLogger("licensemanager_sdk")


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
) -> DistributionReport:
    """Grant `license` to every principal; arguments and report as for `LicenseManager.grants.distribute`."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if rate_limit is not None and not 0 < rate_limit < float("inf"):
        raise ValueError(
            f"rate_limit must be a positive, finite number of calls per second (or None), got {rate_limit}"
        )
    if attempts_per_principal < 1:
        raise ValueError(f"attempts_per_principal must be at least 1, got {attempts_per_principal}")
    if isinstance(allowed_operations, str) or not allowed_operations:
        raise ValueError("allowed_operations must be a non-empty list, e.g. [AllowedOperation.CHECKOUT_LICENSE]")
    operations = [AllowedOperation(op) for op in allowed_operations]
    targets = _principals(principals)
    started = time.monotonic()
    name = grant_name or default_grant_name(license)  # type: ignore[arg-type]  # reads .data and .arn only
    region = home_region or lm.region_name

    results: dict[str, PrincipalOutcome] = {}

    def record(outcome: PrincipalOutcome) -> None:
        results[outcome.principal] = outcome
        if progress is not None:
            progress(len(results), len(targets), outcome)

    wanted = set(targets)
    dead: dict[str, dict[str, str]] = {}  # principal -> {ARN: status} of its dead grants
    async for grant in lm.grants.list_distributed(license_arn=license.arn):
        holder, status = grant.grantee_principal_arn, None if grant.grant_status is None else str(grant.grant_status)
        if holder not in wanted or holder in results:
            continue
        if status in DEAD_STATUSES:
            dead.setdefault(holder, {})[str(grant.grant_arn)] = status
        else:
            record(PrincipalOutcome(holder, "already_present", grant.grant_arn, status))
    todo = [principal for principal in targets if principal not in results]

    if dry_run:
        for principal in todo:
            record(PrincipalOutcome(principal, "would_create", message=_replaces(dead.get(principal, {}))))
    elif todo:
        workers = min(concurrency, len(todo))
        control = RateControl(rate_limit, burst=float(workers))
        queue, attempts = list(reversed(todo)), attempts_per_principal

        async def worker() -> None:
            while queue:
                principal = queue.pop()
                replacing = dead.get(principal, {})
                outcome = await _create_one(
                    lm, license.arn, principal, replacing, operations, name, region, attempts, control
                )
                record(outcome)

        await asyncio.gather(*(worker() for _ in range(workers)))  # cancelling the run cancels every worker

    return DistributionReport(
        license_arn=license.arn,
        grant_name=name,
        dry_run=dry_run,
        outcomes=tuple(results[principal] for principal in targets),
        elapsed=time.monotonic() - started,
    )


async def _create_one(
    lm: AsyncLicenseManager,
    license_arn: str,
    principal: str,
    replacing: dict[str, str],
    operations: list[AllowedOperation],
    grant_name: str,
    region: str,
    attempts: int,
    control: RateControl,
) -> PrincipalOutcome:
    """`run._create_one`, awaiting the rate control, the call and the backoff."""
    token = _client_token(license_arn, principal, grant_name, replacing)
    backoff = Backoff.from_config(lm.config.retry)
    attempt = 0
    while True:
        attempt += 1
        while (wait := control.reserve()) > 0.0:
            await asyncio.sleep(wait)
        try:
            response = await lm.api.create_grant(
                grant_name=grant_name,
                license_arn=license_arn,
                principals=[principal],
                home_region=region,
                allowed_operations=operations,
                client_token=token,
            )
        except LicenseManagerError as err:
            code = err.error_code if isinstance(err, ServiceError) else type(err).__name__
            if code in THROTTLING_CODES or getattr(err, "attempts", 1) > 1:
                control.congested()
            if attempt < attempts and is_retryable(err, replay_safe=True):
                await asyncio.sleep(backoff.delay(attempt))
                continue
            message = err.message if isinstance(err, ServiceError) else str(err)
            return PrincipalOutcome(principal, "failed", error_code=code, message=message, attempts=attempt)
        except Exception as err:  # never let one principal stop the others; the report names what happened
            _log.exception("grants.distribute: unexpected error for %s", principal)
            return PrincipalOutcome(
                principal, "failed", error_code=type(err).__name__, message=str(err), attempts=attempt
            )
        meta = response.response_metadata
        if meta is not None and meta.attempts > 1:
            control.congested()
        else:
            control.succeeded()
        status = None if response.status is None else str(response.status)
        return PrincipalOutcome(
            principal, "created", response.grant_arn, status, message=_replaces(replacing), attempts=attempt
        )
