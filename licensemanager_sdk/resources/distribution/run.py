"""The run of a grant distribution: one license to many principals, safely re-runnable (`lm.grants.distribute`).

How a run goes:

1. Principals are checked and normalised (`"123456789012"` -> `arn:aws:iam::123456789012:root`) and de-duplicated,
   before any request. Allowed operations are checked against `AllowedOperation`.
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

Every principal appears exactly once in the `DistributionReport` (report.py), in the order given.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from licensemanager_sdk._core.backoff import Backoff
from licensemanager_sdk._core.retry import THROTTLING_CODES, is_retryable
from licensemanager_sdk._exceptions import LicenseManagerError, ServiceError
from licensemanager_sdk.resources._principals import principal_arn
from licensemanager_sdk.resources.distribution.rate import RateControl
from licensemanager_sdk.resources.distribution.report import DistributionReport, PrincipalOutcome
from licensemanager_sdk.resources.licenses import License, default_grant_name
from licensemanager_sdk.types import AllowedOperation

if TYPE_CHECKING:
    from licensemanager_sdk._client import LicenseManager

__all__ = ["DEAD_STATUSES", "DEFAULT_CONCURRENCY", "DEFAULT_RATE_LIMIT", "distribute"]

_log = logging.getLogger("licensemanager_sdk")

DEFAULT_CONCURRENCY: Final = 16
"""CreateGrant calls in flight at once."""

DEFAULT_RATE_LIMIT: Final[float | None] = None
"""The default `rate_limit`: None, adaptive. No cap while the service answers CreateGrant without throttling or
retries; at the first sign of congestion, a cap at half the measured send rate, halved again on further congestion
(not below 1/s) and won back on success (see the module docstring). A number is a fixed ceiling in calls per second
(that still backs off on congestion)."""

DEAD_STATUSES: Final = frozenset({"REJECTED", "DELETED", "PENDING_DELETE", "FAILED_WORKFLOW"})
"""Grant statuses that no longer give the principal the license, and never will again: a principal whose grants on
the license all have one of these gets a new grant. Every other status is live (PENDING_WORKFLOW, PENDING_ACCEPT,
DISABLED: accepted but not activated, ACTIVE, WORKFLOW_COMPLETED, and any status this SDK does not know)."""


def _client_token(license_arn: str, principal: str, grant_name: str, replacing: Iterable[str] = ()) -> str:
    """The ClientToken of one distributed grant: the same for the same license, principal, grant name and dead grants
    it replaces (their ARNs, in any order), a new one whenever another of the principal's grants has died."""
    key = "\n".join([license_arn, principal, grant_name, *sorted(replacing)])
    return f"lmsdk-grant-{hashlib.sha256(key.encode()).hexdigest()[:48]}"


def _replaces(dead: dict[str, str]) -> str | None:
    """The report's note on a new grant that replaces dead ones: `replaces <ARN> (<status>), ...`."""
    if not dead:
        return None
    return "replaces " + ", ".join(f"{arn} ({status})" for arn, status in sorted(dead.items()))


def _principals(principals: Iterable[str]) -> list[str]:
    if isinstance(principals, str):
        raise TypeError("principals must be a list of account ids or ARNs, not one string")
    seen: dict[str, None] = {}
    for principal in principals:
        seen.setdefault(principal_arn(principal), None)
    return list(seen)


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
) -> DistributionReport:
    """The implementation of `lm.grants.distribute` (see there and the module docstring)."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if rate_limit is not None and not 0 < rate_limit < math.inf:
        raise ValueError(
            f"rate_limit must be a positive, finite number of calls per second (or None: adaptive), got {rate_limit}"
        )
    if attempts_per_principal < 1:
        raise ValueError(f"attempts_per_principal must be at least 1, got {attempts_per_principal}")
    if isinstance(allowed_operations, str) or not allowed_operations:
        raise ValueError("allowed_operations must be a non-empty list, e.g. [AllowedOperation.CHECKOUT_LICENSE]")
    operations = [AllowedOperation(op) for op in allowed_operations]
    targets = _principals(principals)
    started = time.monotonic()
    if grant_name is None:
        grant_name = default_grant_name(license)
    region = home_region or lm.region_name

    existing: dict[str, PrincipalOutcome] = {}
    dead: dict[str, dict[str, str]] = {}  # principal -> {ARN: status} of its dead grants
    wanted = set(targets)
    for grant in lm.grants.list_distributed(license_arn=license.arn):
        data = grant.data
        holder = data.grantee_principal_arn
        if holder not in wanted or holder in existing:
            continue
        status = None if data.grant_status is None else str(data.grant_status)
        if status in DEAD_STATUSES:
            dead.setdefault(holder, {})[grant.arn] = status
        else:
            existing[holder] = PrincipalOutcome(holder, "already_present", grant.arn, status)

    results: dict[str, PrincipalOutcome] = {}
    total = len(targets)

    def record(outcome: PrincipalOutcome) -> None:
        results[outcome.principal] = outcome
        if progress is not None:
            progress(len(results), total, outcome)

    for principal in targets:
        if principal in existing:
            record(existing[principal])
    todo = [principal for principal in targets if principal not in existing]

    if dry_run:
        for principal in todo:
            record(PrincipalOutcome(principal, "would_create", message=_replaces(dead.get(principal, {}))))
    elif todo:
        _create_all(
            lm,
            license.arn,
            [(principal, dead.get(principal, {})) for principal in todo],
            operations,
            grant_name,
            region,
            concurrency,
            rate_limit,
            attempts_per_principal,
            record,
        )

    return DistributionReport(
        license_arn=license.arn,
        grant_name=grant_name,
        dry_run=dry_run,
        outcomes=tuple(results[principal] for principal in targets),
        elapsed=time.monotonic() - started,
    )


def _create_all(
    lm: LicenseManager,
    license_arn: str,
    todo: list[tuple[str, dict[str, str]]],
    operations: list[AllowedOperation],
    grant_name: str,
    region: str,
    concurrency: int,
    rate_limit: float | None,
    attempts: int,
    record: Callable[[PrincipalOutcome], None],
) -> None:
    workers = min(concurrency, len(todo))
    _warn_if_pool_small(lm, workers)
    control = RateControl(rate_limit, burst=float(workers))

    def one(principal: str, replacing: dict[str, str]) -> PrincipalOutcome:
        return _create_one(lm, license_arn, principal, replacing, operations, grant_name, region, attempts, control)

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lmsdk-distribute")
    try:
        futures = [pool.submit(one, principal, replacing) for principal, replacing in todo]
        for future in as_completed(futures):
            record(future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _create_one(
    lm: LicenseManager,
    license_arn: str,
    principal: str,
    replacing: dict[str, str],
    operations: list[AllowedOperation],
    grant_name: str,
    region: str,
    attempts: int,
    control: RateControl,
) -> PrincipalOutcome:
    """CreateGrant for one principal, `replacing` its dead grants ({ARN: status}) on the license, if any."""
    token = _client_token(license_arn, principal, grant_name, replacing)
    retry = lm.config.retry
    backoff = Backoff.from_config(retry)
    attempt = 0
    while True:
        attempt += 1
        control.acquire()
        try:
            response = lm.api.create_grant(
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
                control.congested()  # still throttled, or the client had to retry it: the service is congested
            if attempt < attempts and is_retryable(err, replay_safe=True):
                retry.sleep(backoff.delay(attempt))
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
            control.congested()  # went through, but the client had to retry it (throttling, 5xx, transport error)
        else:
            control.succeeded()
        status = None if response.status is None else str(response.status)
        return PrincipalOutcome(
            principal, "created", response.grant_arn, status, message=_replaces(replacing), attempts=attempt
        )
