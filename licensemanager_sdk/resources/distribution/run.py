"""The run of a grant distribution: one license to many principals, safely re-runnable (`lm.grants.distribute`).

How a run goes:

1. Principals are checked and normalised (`"123456789012"` -> `arn:aws:iam::123456789012:root`) and de-duplicated,
   before any request. Allowed operations are checked against `AllowedOperation`.
2. One lazy `ListDistributedGrants` listing (filter `LicenseArn`) finds principals that already hold a live grant on
   the license (any status but REJECTED, DELETED, FAILED_WORKFLOW): they are reported `already_present`.
3. The others get `CreateGrant` from a pool of `concurrency` threads, paced by `RateControl` (rate.py). By default
   (`rate_limit=None`) it is adaptive: no cap while every call is answered at the first attempt; congestion (a call
   still throttled after the client's retries, or one that needed retries: `response_metadata.attempts > 1`) caps
   the rate at the measured send rate times `1 - share / 2` (`share`: the congested part of the calls since the last
   decision; half when all were), cuts a cap the same way at most every 0.25 s (never below 1/s), grows it 20% a
   second on clean answers, and lifts it once it is twice the demand and nothing was congested for a second. A
   number is a fixed ceiling in calls per second with the same cuts and recovery below it. Each grant's ClientToken
   is deterministic (license ARN + principal ARN + grant name), so a retry, a lost response or a re-run within the
   service's idempotency window cannot create a second grant; after that window step 2 catches re-runs.
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

__all__ = ["DEFAULT_CONCURRENCY", "DEFAULT_RATE_LIMIT", "distribute"]

_log = logging.getLogger("licensemanager_sdk")

DEFAULT_CONCURRENCY: Final = 16
"""CreateGrant calls in flight at once."""

DEFAULT_RATE_LIMIT: Final[float | None] = None
"""The default `rate_limit`: None, adaptive. No cap while the service answers CreateGrant without throttling or
retries; at the first sign of congestion, a cap at half the measured send rate, halved again on further congestion
(not below 1/s) and won back on success (see the module docstring). A number is a fixed ceiling in calls per second
(that still backs off on congestion)."""

_DEAD = frozenset({"REJECTED", "DELETED", "FAILED_WORKFLOW"})
"""Grant statuses that do not count as holding the license: such principals get a new grant."""


def _client_token(license_arn: str, principal: str, grant_name: str) -> str:
    """The ClientToken of one distributed grant: the same for the same license, principal and grant name."""
    digest = hashlib.sha256(f"{license_arn}\n{principal}\n{grant_name}".encode()).hexdigest()
    return f"lmsdk-grant-{digest[:48]}"


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
    wanted = set(targets)
    for grant in lm.grants.list_distributed(license_arn=license.arn):
        data = grant.data
        holder = data.grantee_principal_arn
        status = None if data.grant_status is None else str(data.grant_status)
        if holder in wanted and holder not in existing and status not in _DEAD:
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
            record(PrincipalOutcome(principal, "would_create"))
    elif todo:
        _create_all(
            lm,
            license.arn,
            todo,
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
    todo: list[str],
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

    def one(principal: str) -> PrincipalOutcome:
        return _create_one(lm, license_arn, principal, operations, grant_name, region, attempts, control)

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lmsdk-distribute")
    try:
        futures = [pool.submit(one, principal) for principal in todo]
        for future in as_completed(futures):
            record(future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _create_one(
    lm: LicenseManager,
    license_arn: str,
    principal: str,
    operations: list[AllowedOperation],
    grant_name: str,
    region: str,
    attempts: int,
    control: RateControl,
) -> PrincipalOutcome:
    token = _client_token(license_arn, principal, grant_name)
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
        return PrincipalOutcome(principal, "created", response.grant_arn, status, attempts=attempt)
