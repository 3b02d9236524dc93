"""Scripted grant distribution: one license to many principals, safely re-runnable (`lm.grants.distribute`).

How a run goes:

1. Principals are checked and normalised (`"123456789012"` -> `arn:aws:iam::123456789012:root`) and de-duplicated,
   before any request. Allowed operations are checked against `AllowedOperation`.
2. One lazy `ListDistributedGrants` listing (filter `LicenseArn`) finds principals that already hold a live grant on
   the license (any status but REJECTED, DELETED, FAILED_WORKFLOW): they are reported `already_present`.
3. The others get `CreateGrant` from a pool of `concurrency` threads, paced by `_RateControl`. By default
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

Every principal appears exactly once in the `DistributionReport`, in the order given.
"""

from __future__ import annotations

import math
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import IO, TYPE_CHECKING, Final, Literal

from licensemanager_sdk.resources._principals import principal_arn

if TYPE_CHECKING:
    import logging

    from licensemanager_sdk._client import LicenseManager
    from licensemanager_sdk.resources.licenses import License
    from licensemanager_sdk.types import AllowedOperation

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_RATE_LIMIT",
    "DistributionReport",
    "Outcome",
    "PrincipalOutcome",
    "distribute",
]

DEFAULT_CONCURRENCY: Final = 16
"""CreateGrant calls in flight at once."""

DEFAULT_RATE_LIMIT: Final[float | None] = None
"""The default `rate_limit`: None, adaptive. No cap while the service answers CreateGrant without throttling or
retries; at the first sign of congestion, a cap at half the measured send rate, halved again on further congestion
(not below 1/s) and won back on success (see the module docstring). A number is a fixed ceiling in calls per second
(that still backs off on congestion)."""

Outcome = Literal["created", "already_present", "failed", "would_create"]
"""What happened to one principal (`would_create` only in a dry run)."""

_DEAD = frozenset({"REJECTED", "DELETED", "FAILED_WORKFLOW"})
"""Grant statuses that do not count as holding the license: such principals get a new grant."""


@dataclass(frozen=True, slots=True)
class PrincipalOutcome:
    """One principal's line in a `DistributionReport`."""

    principal: str
    """The principal ARN (account ids are reported as `arn:aws:iam::<id>:root`)."""
    outcome: Outcome
    grant_arn: str | None = None
    """The created or existing grant."""
    grant_status: str | None = None
    """Its status as the service answered (CreateGrant) or listed it (already present)."""
    error_code: str | None = None
    """For `failed`: the AWS error code (`ValidationException`, ...) or the exception type."""
    message: str | None = None
    """For `failed`: the error message."""
    attempts: int = 0
    """CreateGrant calls made for this principal by the distribution (each one itself retried by the client)."""

    @property
    def reason(self) -> str | None:
        """For `failed`: `"<error code>: <message>"`."""
        return None if self.error_code is None else f"{self.error_code}: {self.message or ''}"


@dataclass(frozen=True, slots=True)
class DistributionReport:
    """The result of `lm.grants.distribute(...)`: every principal exactly once, in the order given."""

    license_arn: str
    grant_name: str
    dry_run: bool
    outcomes: tuple[PrincipalOutcome, ...]
    elapsed: float
    """Seconds the run took."""

    def _with(self, outcome: Outcome) -> tuple[PrincipalOutcome, ...]:
        return tuple(item for item in self.outcomes if item.outcome == outcome)

    @property
    def created(self) -> tuple[PrincipalOutcome, ...]:
        return self._with("created")

    @property
    def already_present(self) -> tuple[PrincipalOutcome, ...]:
        return self._with("already_present")

    @property
    def failed(self) -> tuple[PrincipalOutcome, ...]:
        return self._with("failed")

    @property
    def would_create(self) -> tuple[PrincipalOutcome, ...]:
        """Dry run only: the principals a real run would create grants for."""
        return self._with("would_create")

    @property
    def ok(self) -> bool:
        """True when no principal failed."""
        return not self.failed

    def summary(self) -> dict[str, int]:
        """Counts: `{"total": ..., "created": ..., "already_present": ..., "failed": ..., "would_create": ...}`."""
        counts = {"total": len(self.outcomes), "created": 0, "already_present": 0, "failed": 0, "would_create": 0}
        for item in self.outcomes:
            counts[item.outcome] += 1
        return counts

    def to_json(self, target: str | os.PathLike[str] | IO[str]) -> None:
        """Write the report as one JSON object: license, grant name, dry run, elapsed, summary and `principals`."""
        import json

        document = {
            "license_arn": self.license_arn,
            "grant_name": self.grant_name,
            "dry_run": self.dry_run,
            "elapsed_seconds": round(self.elapsed, 3),
            "summary": self.summary(),
            "principals": [asdict(item) for item in self.outcomes],
        }
        with _opened(target, newline=None) as out:
            json.dump(document, out, indent=2)
            out.write("\n")

    def to_csv(self, target: str | os.PathLike[str] | IO[str]) -> None:
        """Write a header and one CSV row per principal (the `PrincipalOutcome` fields, empty for None)."""
        import csv

        columns = [field.name for field in fields(PrincipalOutcome)]
        with _opened(target, newline="") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            for item in self.outcomes:
                writer.writerow(["" if getattr(item, name) is None else getattr(item, name) for name in columns])

    def __str__(self) -> str:
        counts = self.summary()
        if self.dry_run:
            done = f"{counts['would_create']} to create, {counts['already_present']} already present (dry run)"
        else:
            done = (
                f"{counts['created']} created, {counts['already_present']} already present, {counts['failed']} failed"
            )
        return f"{self.grant_name!r} on {self.license_arn}: {counts['total']} principals, {done}, {self.elapsed:.1f} s"


class _opened:
    """Context manager: a path is opened for writing (and closed), a file object is used as it is (not closed)."""

    def __init__(self, target: str | os.PathLike[str] | IO[str], *, newline: str | None) -> None:
        self._target = target
        self._newline = newline
        self._owned: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        if isinstance(self._target, (str, os.PathLike)):
            from pathlib import Path

            self._owned = Path(self._target).open("w", encoding="utf-8", newline=self._newline)
            return self._owned
        return self._target

    def __exit__(self, *exc_info: object) -> None:
        if self._owned is not None:
            self._owned.close()


class _RateControl:
    """Client-side CreateGrant rate control: adaptive (`ceiling=None`) or under a fixed ceiling. Thread-safe.

    Every call first `acquire()`s; then reports `succeeded()` (answered at the first attempt) or `congested()` (it was
    throttled, or the client had to retry it). Decisions are taken on a congestion signal, at most once per `epoch`
    seconds (the first one `epoch` seconds into the run, so the measurements mean something), with `share` = the
    congested part of the calls completed since the previous decision:

    - uncapped (adaptive mode only): cap at `measured * (1 - share / 2)`, `measured` being the send rate over the
      last `window` seconds: half the measured rate when every call was congested;
    - capped: `rate *= 1 - share / 2`: the rate halves when every call was congested (as TCP halves its window),
      and is trimmed by 5% when one call in ten was; never below `floor`. Any saved burst is dropped.

    Between decisions a capped rate grows by `growth` (20%) per second, compounding, on each call answered at the first
    attempt: not above the ceiling in fixed mode; in adaptive mode, once the cap is twice the measured rate or more
    and no call was congested for `window` seconds, it is lifted (uncapped again). The clock and sleep are injectable.
    """

    def __init__(
        self,
        ceiling: float | None,
        *,
        burst: float,
        floor: float = 1.0,
        window: float = 1.0,
        epoch: float = 0.25,
        growth: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._ceiling = ceiling
        self._floor = floor if ceiling is None else min(floor, ceiling)
        self._window = window
        self._epoch = epoch
        self._growth = growth
        self._burst = max(1.0, burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()  # send times within the last window
        now = clock()
        self._started = now
        self._decided_at = now  # the last decision (the run's start before the first one)
        self._signal_at = -math.inf  # the last congestion signal
        self._grown_at = now  # the last growth step
        self._calls = 0  # calls completed since the last decision
        self._congested = 0  # ... of which congested
        self.rate: float | None = ceiling
        """The current cap in calls per second; None while uncapped (adaptive mode only)."""
        self._tokens = self._capacity()
        self._last = now

    def _capacity(self) -> float:
        return 1.0 if self.rate is None else max(1.0, min(self.rate, self._burst))

    def measured(self) -> float:
        """Calls sent per second over the last `window` seconds (over the run so far, if it is younger)."""
        with self._lock:
            return self._measured(self._clock())

    def _measured(self, now: float) -> float:
        while self._sent and self._sent[0] <= now - self._window:
            self._sent.popleft()
        span = min(self._window, now - self._started)
        return len(self._sent) / span if span > 0 else 0.0

    def acquire(self) -> None:
        """Wait (outside the lock) until a call may be sent; record the send."""
        while True:
            with self._lock:
                now = self._clock()
                wait = 0.0
                if self.rate is not None:
                    self._tokens = min(self._capacity(), self._tokens + (now - self._last) * self.rate)
                    self._last = now
                    if self._tokens >= 1.0 - 1e-9:  # float dust must not leave us sleeping 0 s forever
                        self._tokens -= 1.0
                    else:
                        wait = (1.0 - self._tokens) / self.rate
                if wait == 0.0:
                    self._sent.append(now)
                    self._measured(now)  # trims the window
                    return
            self._sleep(wait)

    def congested(self) -> None:
        """A call was throttled or retried: maybe cut the rate (at most once per epoch), dropping any saved burst."""
        with self._lock:
            now = self._clock()
            self._signal_at = now
            self._calls += 1
            self._congested += 1
            if now - self._decided_at < self._epoch:
                return
            share = self._congested / self._calls
            self._decided_at, self._calls, self._congested = now, 0, 0
            before = self.rate
            base = self._measured(now) if before is None else before
            after = max(self._floor, base * (1.0 - share / 2.0))
            self.rate = after
            self._tokens = min(self._tokens, 0.0)
            self._last = self._grown_at = now
        _log().debug(
            "grants.distribute: congestion (%.0f%% of calls), CreateGrant rate %s -> %.1f calls/s",
            100.0 * share,
            "uncapped" if before is None else f"{before:.1f}",
            after,
        )

    def succeeded(self) -> None:
        """A call went through at the first attempt: grow a capped rate; maybe lift an adaptive cap."""
        with self._lock:
            self._calls += 1
            if self.rate is None:
                return
            now = self._clock()
            rate = self.rate * (1.0 + self._growth * max(0.0, now - self._grown_at))
            self._grown_at = now
            if self._ceiling is not None:
                self.rate = min(self._ceiling, rate)
                return
            if now - self._signal_at < self._window or rate < 2.0 * self._measured(now):
                self.rate = rate
                return
            self.rate = None  # well above what the run asks for, and quiet for a window: uncapped again
        _log().debug(
            "grants.distribute: no congestion for %.1f s, CreateGrant rate %.1f -> uncapped", self._window, rate
        )


def _log() -> logging.Logger:
    import logging

    return logging.getLogger("licensemanager_sdk")


def _client_token(license_arn: str, principal: str, grant_name: str) -> str:
    """The ClientToken of one distributed grant: the same for the same license, principal and grant name."""
    import hashlib

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
    from urllib.parse import urlsplit

    pool = getattr(lm.boto3_client.meta.config, "max_pool_connections", None) or 10
    host = urlsplit(str(lm.boto3_client.meta.endpoint_url or "")).hostname or ""
    if pool < concurrency and not host.endswith(".invalid"):
        _log().warning(
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
    from licensemanager_sdk.types import AllowedOperation

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
        from licensemanager_sdk.resources.grants import _default_grant_name

        grant_name = _default_grant_name(license)
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
    from concurrent.futures import ThreadPoolExecutor, as_completed

    workers = min(concurrency, len(todo))
    _warn_if_pool_small(lm, workers)
    control = _RateControl(rate_limit, burst=float(workers))

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
    control: _RateControl,
) -> PrincipalOutcome:
    from licensemanager_sdk._core.retry import THROTTLING_CODES, is_retryable
    from licensemanager_sdk._exceptions import LicenseManagerError, ServiceError

    token = _client_token(license_arn, principal, grant_name)
    retry = lm.config.retry
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
                ceiling = min(retry.max_backoff, retry.initial_backoff * 2 ** (attempt - 1))
                retry.sleep(random.uniform(0.0, ceiling))
                continue
            message = err.message if isinstance(err, ServiceError) else str(err)
            return PrincipalOutcome(principal, "failed", error_code=code, message=message, attempts=attempt)
        except Exception as err:  # never let one principal stop the others; the report names what happened
            _log().exception("grants.distribute: unexpected error for %s", principal)
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
