"""`Lease` and `BorrowedLease`: checked-out entitlements that keep themselves alive and answer checks locally."""

from __future__ import annotations

import enum
import itertools
import json
import logging
import math
import os
import threading
import time
import traceback
from collections.abc import Callable, Generator, Mapping
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from licensemanager_sdk._core.backoff import Backoff
from licensemanager_sdk._core.redact import redact
from licensemanager_sdk._core.retry import is_retryable
from licensemanager_sdk._exceptions import (
    EntitlementLostError,
    EntitlementNotHeldError,
    LicenseManagerError,
    LostReason,
    ServiceError,
    TransportError,
)
from licensemanager_sdk.entitlements._verify import KmsClient, PublicKeySource, quantity_of, verify

if TYPE_CHECKING:
    from typing_extensions import Self

    from licensemanager_sdk._generated._api import Api
    from licensemanager_sdk.types import EntitlementData

__all__ = [
    "BorrowedLease",
    "BorrowedParts",
    "Clock",
    "Lease",
    "LeaseCore",
    "OnLost",
    "Plan",
    "Step",
    "Wait",
    "next_step",
]


def _log() -> logging.Logger:
    return logging.getLogger("licensemanager_sdk.entitlements")


def _retryable(err: BaseException) -> bool:
    return is_retryable(err, replay_safe=True)


Clock = Callable[[], float]
"""Current time as epoch seconds (default `time.time`)."""
Wait = Callable[[float], bool]
"""Wait up to the given seconds; return True to stop the keep-alive. Default: an Event wait that `release()` ends."""
OnLost = Callable[[EntitlementLostError], None]
"""Called once, from the keep-alive thread or from the check that noticed, when a lease is lost."""

_ZERO = Decimal(0)
_MAX_NAP = 60.0  # the default wait wakes at least this often, so a wall-clock jump (suspend) is noticed
_EXTEND_BACKOFF = Backoff(initial=2.0, cap=60.0, jitter=False)
"""After a failed extension: retry in 2 s, 4 s, 8 s, ..., at most a minute apart (never past the deadline)."""
_FILE_FORMAT = "licensemanager_sdk.borrowed-lease/1"
_lease_numbers = itertools.count(1)  # names keep-alive threads: a thread name must not carry the token


class Step(enum.Enum):
    """A keep-alive step that is not a wait: extend now, or stop (lost or released)."""

    EXTEND = "extend"
    DONE = "done"


Plan = Generator["float | Step", "Exception | None", None]
"""The keep-alive without its I/O (`LeaseCore._keep_alive_plan`): yields seconds to wait or `Step.EXTEND`."""


def next_step(plan: Plan, outcome: Exception | None) -> float | Step:
    """The keep-alive plan's next step, sent the last extension's error (None: it succeeded, or it was a wait)."""
    try:
        return plan.send(outcome)
    except StopIteration:
        return Step.DONE


class LeaseCore:
    """What a lease knows and answers from memory, shared by `Lease` (keep-alive thread) and `AsyncLease` (task).

    Holds the checkout's data, the deadline (corrected by the clock skew learnt from IssuedAt), why it was lost,
    the local checks, and the decisions of the keep-alive (when to renew, how to take a failed extension). It makes
    no call: the subclasses make them, blocking or awaited.
    """

    _kind = "lease"

    def __init__(
        self,
        *,
        license_arn: str,
        token: str,
        entitlements: tuple[EntitlementData, ...],
        issued_at: datetime,
        expiration: datetime,
        checkout_type: str,
        signed_token: str | None,
        node_id: str | None = None,
        beneficiary: str | None = None,
        on_lost: Callable[[EntitlementLostError], object] | None = None,
        clock: Clock | None = None,
        strict_check_in: bool = False,
        trust_issued_at: bool = True,
    ) -> None:
        self._license_arn = license_arn
        self._token = token
        self._entitlements = entitlements
        self._quantities: dict[str, Decimal] = {e.name: quantity_of(e) for e in entitlements if e.name is not None}
        self._issued_at = issued_at
        self._expiration = expiration
        self._checkout_type = checkout_type
        self._signed_token = signed_token
        self._node_id = node_id
        self._beneficiary = beneficiary
        self._on_lost = on_lost
        self._clock: Clock = clock or time.time
        self._strict_check_in = strict_check_in
        # Server time minus local time, learnt from IssuedAt (1 s margin: IssuedAt is truncated to seconds).
        self._skew = (issued_at.timestamp() - self._clock() - 1.0) if trust_issued_at else 0.0
        self._deadline = expiration.timestamp() - self._skew
        self._ok_until = self._deadline
        self._lost: tuple[LostReason, str, BaseException | None] | None = None
        self._released = False
        self._lock = threading.RLock()

    # -- what the application asks, answered locally ----------------------------------------------

    def has(self, name: str) -> bool:
        """Whether the lease grants entitlement `name`. Local; raises `EntitlementLostError` once lost."""
        if self._clock() >= self._ok_until:
            self._raise_lost()
        return name in self._quantities

    def quantity(self, name: str) -> Decimal:
        """The checked-out quantity of `name`; `0` for an unlimited (Unit None) or absent one. Local."""
        if self._clock() >= self._ok_until:
            self._raise_lost()
        return self._quantities.get(name, _ZERO)

    def check(self, *names: str) -> None:
        """Raise `EntitlementLostError` if the lease is lost, `EntitlementNotHeldError` if a name is not held."""
        if self._clock() >= self._ok_until:
            self._raise_lost()
        missing = [n for n in names if n not in self._quantities]
        if missing:
            raise EntitlementNotHeldError(missing, list(self._quantities))

    @property
    def held(self) -> bool:
        """True while the lease grants its entitlements (never raises)."""
        return self._clock() < self._ok_until

    @property
    def lost(self) -> EntitlementLostError | None:
        """Why the lease no longer grants anything, or None while it does."""
        if self._clock() < self._ok_until:
            return None
        return self._lost_error(self._note_expiry())

    # -- data ---------------------------------------------------------------------------------------

    @property
    def license_arn(self) -> str:
        return self._license_arn

    @property
    def token(self) -> str:
        """The LicenseConsumptionToken (needed for CheckInLicense/ExtendLicenseConsumption; kept out of repr)."""
        return self._token

    @property
    def entitlements(self) -> tuple[EntitlementData, ...]:
        """The entitlements granted (EntitlementsAllowed)."""
        return self._entitlements

    @property
    def expiration(self) -> datetime:
        """When the checkout expires, as the service says (moves forward at each extension)."""
        return self._expiration

    @property
    def issued_at(self) -> datetime:
        return self._issued_at

    @property
    def checkout_type(self) -> str:
        """`PROVISIONAL`, `PERPETUAL` or `BORROW`."""
        return self._checkout_type

    @property
    def signed_token(self) -> str | None:
        """The SignedToken (PS384 JWS) when the license is signed; check it with `entitlements.verify()`."""
        return self._signed_token

    @property
    def node_id(self) -> str | None:
        return self._node_id

    def __repr__(self) -> str:
        state = "held" if self.held else "released" if self._released else "lost"
        names = [e.name for e in self._entitlements]
        return (
            f"{type(self).__name__}(license_arn={self._license_arn!r}, checkout_type={self._checkout_type!r}, "
            f"entitlements={names!r}, expiration={self._expiration.isoformat()!r}, state={state!r})"
        )

    # -- the calls' bookkeeping (the calls themselves are the subclasses') --------------------------

    def _before_extend(self) -> None:
        if self._checkout_type != "PROVISIONAL":
            raise ValueError(f"{self._checkout_type} checkouts cannot be extended; check out again instead")
        if self._released:
            self._raise_lost()

    def _extend_failed(self, err: ServiceError | TransportError) -> None:
        """A refused (not retryable) extension loses the lease."""
        if not _retryable(err):
            self._lose("extend_refused", f"ExtendLicenseConsumption was refused ({self._brief(err)})", err)

    def _extended(self, expiration: datetime | None) -> datetime:
        with self._lock:
            if expiration is not None:
                self._expiration = expiration
                self._deadline = expiration.timestamp() - self._skew
                if self._lost is None:
                    self._ok_until = self._deadline
            expiration = self._expiration
        _log().debug("extended the checkout of %s until %s", self._license_arn, expiration.isoformat())
        return expiration

    def _check_in_fields(self) -> dict[str, Any]:
        if self._checkout_type == "PERPETUAL":
            raise ValueError("PERPETUAL checkouts are drawn down for good and cannot be checked in")
        fields: dict[str, Any] = {"license_consumption_token": self._token}
        if self._beneficiary is not None:
            fields["beneficiary"] = self._beneficiary
        return fields

    def _release_fields(self, has_api: bool) -> dict[str, Any] | None:
        """Mark the lease released; the CheckInLicense fields when a check-in is due (None: nothing to send)."""
        with self._lock:
            if self._released:
                return None
            lost = self._lost is not None or self._clock() >= self._deadline
            self._mark_released()
            if not has_api or self._checkout_type == "PERPETUAL" or lost:
                return None
            return self._check_in_fields()

    def _check_in_refused(self, err: ServiceError | TransportError) -> None:
        """During release: raise with `strict_check_in`, else log that the seats come back at expiry."""
        if self._strict_check_in:
            raise err
        _log().warning(
            "check-in of %s refused (%s); its seats return when the checkout expires at %s",
            self._license_arn,
            self._brief(err),
            self._expiration.isoformat(),
        )

    # -- the keep-alive's decisions -----------------------------------------------------------------

    def _keep_alive_plan(self) -> Plan:
        """The keep-alive without its I/O: yields the seconds to wait, or `Step.EXTEND` and is then sent the
        extension's error (None: it succeeded). Renews at 2/3 of the remaining time; a failed extension is retried
        2 s, 4 s, ... apart until the deadline; ends when the lease is lost or released."""
        failures = 0
        renew_at = self._renew_time()
        last_error: BaseException | None = None
        while True:
            now = self._clock()
            if now >= self._deadline:
                self._expire(last_error)
                return
            if now < renew_at:
                yield min(renew_at, self._deadline) - now
                continue
            err = yield Step.EXTEND
            if err is None:
                failures, last_error = 0, None
                renew_at = self._renew_time()
                continue
            if isinstance(err, EntitlementLostError):
                return  # released meanwhile
            failures += 1
            last_error = err
            retry_at = self._retry_time(err, failures)
            if retry_at is None:
                return
            renew_at = retry_at

    def _renew_time(self) -> float:
        now = self._clock()
        return now + (self._deadline - now) * (2.0 / 3.0)

    def _expire(self, last_error: BaseException | None) -> None:
        """The deadline passed in the keep-alive without a successful extension."""
        detail = "the expiration passed without a successful extension"
        if last_error is not None:
            detail += f" (last error: {self._brief(last_error)})"
        self._lose("expired", detail, last_error)

    def _retry_time(self, err: Exception, failures: int) -> float | None:
        """When to try again after extension number `failures` failed with `err`; None: refused, the lease is lost."""
        if isinstance(err, (ServiceError, TransportError)) and not _retryable(err):
            return None  # extend() marked the lease lost and told on_lost
        delay = _EXTEND_BACKOFF.delay(failures, limit=self._deadline - self._clock())
        _log().warning(
            "extending %s failed (%s); retrying in %.0f s",
            self._license_arn,
            self._brief(err),
            delay,
            exc_info=not isinstance(err, (ServiceError, TransportError)) and self._token_free(err),
        )
        return self._clock() + delay

    # -- losing it ----------------------------------------------------------------------------------

    def _mark_released(self) -> None:
        self._released = True
        self._ok_until = -math.inf
        if self._lost is None:
            self._lost = ("released", "it was released or checked in by the application", None)

    def _lose(self, reason: LostReason, detail: str, cause: BaseException | None) -> None:
        with self._lock:
            if self._lost is not None:
                return
            self._lost = (reason, detail, cause)
            self._ok_until = -math.inf
        error = self._lost_error(self._lost)
        _log().warning("%s", error)
        if self._on_lost is not None:
            try:
                self._tell(self._on_lost(error))
            except Exception as err:
                self._on_lost_failed(err)

    def _tell(self, result: object) -> None:
        """What `on_lost` returned (an async lease awaits it)."""

    def _on_lost_failed(self, err: BaseException) -> None:
        _log().error(
            "the on_lost callback of the lease on %s raised (%s)",
            self._license_arn,
            self._brief(err),
            exc_info=self._token_free(err),
        )

    def _note_expiry(self) -> tuple[LostReason, str, BaseException | None]:
        if self._lost is None:
            self._lose("expired", f"it expired at {self._expiration.isoformat()} without a successful extension", None)
        assert self._lost is not None
        return self._lost

    def _brief(self, err: BaseException) -> str:
        """One line about `err` for logs and `EntitlementLostError`, without the consumption token."""
        text = f"{err.error_code}: {err.message}" if isinstance(err, ServiceError) else str(err)
        return redact(text, (self._token,))

    def _token_free(self, err: BaseException) -> bool:
        """Whether the traceback of `err` can be logged: it does not show the consumption token."""
        return self._token not in "".join(traceback.format_exception(err))

    def _lost_error(self, lost: tuple[LostReason, str, BaseException | None]) -> EntitlementLostError:
        error = EntitlementLostError(lost[0], self._license_arn, redact(lost[1], (self._token,)))
        cause = lost[2]
        error.__cause__ = cause if cause is None or self._token_free(cause) else None  # its text is in the message
        return error

    def _raise_lost(self) -> None:
        raise self._lost_error(self._note_expiry())


class Lease(LeaseCore):
    """Entitlements checked out with `lm.entitlements.checkout(...)`; a context manager.

    While held, a daemon thread extends the checkout (ExtendLicenseConsumption) when 2/3 of the remaining time
    has passed; on exit it checks in (CheckInLicense) unless the checkout is PERPETUAL. `has()`, `quantity()`
    and `check()` answer from memory (no network) and raise `EntitlementLostError` once the lease is lost.
    """

    def __init__(
        self,
        *,
        api: Api | None,
        on_lost: OnLost | None = None,
        keep_alive: bool = True,
        wait: Wait | None = None,
        **fields: Any,
    ) -> None:
        """Made by `lm.entitlements.checkout()`/`borrow()`; not meant to be built by hand (fields: `LeaseCore`'s)."""
        super().__init__(on_lost=on_lost, **fields)
        self._api = api
        self._stop = threading.Event()
        self._wait: Wait = wait or self._default_wait
        self._thread: threading.Thread | None = None
        if keep_alive and api is not None and self._checkout_type == "PROVISIONAL":
            self._thread = threading.Thread(
                target=self._keep_alive, name=f"lmsdk-lease-{next(_lease_numbers)}", daemon=True
            )
            self._thread.start()

    # -- calls --------------------------------------------------------------------------------------

    def extend(self) -> datetime:
        """ExtendLicenseConsumption now; returns the new expiration. A refusal also marks the lease lost."""
        api = self._require_api("extend")
        self._before_extend()
        try:
            response = api.extend_license_consumption(license_consumption_token=self._token)
        except (ServiceError, TransportError) as err:
            self._extend_failed(err)
            raise
        return self._extended(response.expiration)

    def check_in(self) -> None:
        """CheckInLicense now and release the lease. A refusal raises and leaves the lease held."""
        api = self._require_api("check in")
        fields = self._check_in_fields()
        with self._lock:
            if self._released:
                return
            api.check_in_license(**fields)
            self._mark_released()
        self._stop_keep_alive()
        _log().info("checked in %s", self._license_arn)

    def release(self) -> None:
        """Stop the keep-alive and check in where the license allows it; a refused check-in is logged.

        With `strict_check_in=True` (at checkout) a refused check-in raises instead. Idempotent.
        """
        self._stop_keep_alive()
        fields = self._release_fields(self._api is not None)
        if fields is None or self._api is None:
            return
        try:
            self._api.check_in_license(**fields)
        except (ServiceError, TransportError) as err:
            self._check_in_refused(err)
            return
        _log().info("checked in %s", self._license_arn)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    # -- internals ----------------------------------------------------------------------------------

    def _require_api(self, what: str) -> Api:
        if self._api is None:
            raise ValueError(f"this {self._kind} was loaded offline; pass lm= to BorrowedLease.load() to {what}")
        return self._api

    def _default_wait(self, seconds: float) -> bool:
        return self._stop.wait(min(max(seconds, 0.0), _MAX_NAP))

    def _keep_alive(self) -> None:
        plan = self._keep_alive_plan()
        outcome: Exception | None = None
        while not self._stop.is_set():
            step = next_step(plan, outcome)
            if step is Step.DONE:
                return
            outcome = None
            if step is not Step.EXTEND:
                if self._wait(step) or self._stop.is_set():
                    return
                continue
            try:
                self.extend()
            except Exception as err:  # the thread must never die quietly: the plan decides (retry until expiry)
                outcome = err

    def _stop_keep_alive(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()


class BorrowedParts(LeaseCore):
    """What a borrowed lease adds, for `BorrowedLease` and `AsyncBorrowedLease`: its metadata and `save()`."""

    _kind = "borrowed lease"

    def __init__(self, *, checkout_metadata: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._checkout_metadata = dict(checkout_metadata or {})

    @property
    def checkout_metadata(self) -> Mapping[str, str]:
        return dict(self._checkout_metadata)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the signed token to `path` (JSON, mode 0600) for `BorrowedLease.load()`; returns the path.

        The file is written beside `path` and renamed over it: an existing file is replaced with a 0600 one, and a
        symlink at `path` is replaced itself, not followed.
        """
        if self._signed_token is None:
            raise ValueError("this borrowed lease has no SignedToken to save")
        target = Path(path)
        document = {
            "format": _FILE_FORMAT,
            "signedToken": self._signed_token,
            "licenseArn": self._license_arn,
            "expiration": self._expiration.isoformat(),
        }
        # A new 0600 file beside the target, then one rename: an existing file (whatever its mode) or a symlink at
        # `path` is replaced, never written through, and a reader never sees half a file.
        temp = target.with_name(f".{target.name}.{os.getpid()}.{next(_lease_numbers)}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=2)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            temp.replace(target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return target


class BorrowedLease(BorrowedParts, Lease):
    """Entitlements borrowed with `lm.entitlements.borrow(...)` for offline use (CheckoutBorrowLicense).

    Not extendable. `save(path)` writes its signed token; `BorrowedLease.load(path, public_key=...)` verifies it
    again with no network call and answers `has()`/`quantity()` until it expires.
    """

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        public_key: PublicKeySource | None = None,
        kms_key_id: str | None = None,
        kms_client: KmsClient | None = None,
        node_id: str | None = None,
        license_arn: str | None = None,
        lm: Any = None,
        clock: Clock | None = None,
    ) -> BorrowedLease:
        """Read a lease written by `save()` and verify its signed token offline (see `verify()`).

        Everything is taken from the verified claims; the rest of the file is ignored. Pass `lm` (a
        `LicenseManager`) only to check in early later.

        Raises:
            TokenVerificationError: the token is altered, expired, for another node or signed by another key.
        """
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
            token = document["signedToken"]
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise LicenseManagerError(f"{path} is not a borrowed lease written by BorrowedLease.save(): {err}") from err
        now_clock = clock or time.time
        verified = verify(
            token,
            public_key=public_key,
            kms_key_id=kms_key_id,
            kms_client=kms_client,
            node_id=node_id,
            license_arn=license_arn,
            now=datetime.fromtimestamp(now_clock(), tz=timezone.utc),
        )
        return cls(
            api=None if lm is None else lm.api,
            license_arn=verified.license_arn,
            token=verified.consumption_token,
            entitlements=verified.entitlements,
            issued_at=verified.issued_at,
            expiration=verified.expiration,
            checkout_type="BORROW",
            signed_token=verified.signed_token,
            node_id=verified.node_id,
            keep_alive=False,
            clock=now_clock,
            trust_issued_at=False,
            checkout_metadata=verified.checkout_metadata,
        )
