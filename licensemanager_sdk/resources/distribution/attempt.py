"""One principal's CreateGrant in a grant distribution: the request, and what each answer or error means (try
again after a wait, a congestion signal, the principal's outcome). No waiting and no I/O here: the threaded run
(run.py) and the async one (`_aio/distribution.py`) differ only in how they wait and call."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from licensemanager_sdk._config import RetryConfig
from licensemanager_sdk._core.backoff import Backoff
from licensemanager_sdk._core.retry import THROTTLING_CODES, is_retryable
from licensemanager_sdk._exceptions import LicenseManagerError, ServiceError
from licensemanager_sdk.resources.distribution.plan import client_token, replaces
from licensemanager_sdk.resources.distribution.rate import RateControl
from licensemanager_sdk.resources.distribution.report import PrincipalOutcome
from licensemanager_sdk.types import AllowedOperation, CreateGrantRequest, CreateGrantResponse

__all__ = ["Attempts", "GrantOrder"]

_log = logging.getLogger("licensemanager_sdk")


@dataclass(frozen=True, slots=True)
class GrantOrder:
    """What every principal's CreateGrant shares in one run."""

    license_arn: str
    grant_name: str
    region: str
    operations: list[AllowedOperation]
    attempts: int
    """CreateGrant calls per principal at most (`attempts_per_principal`)."""
    retry: RetryConfig
    control: RateControl

    def start(self, principal: str, replacing: Mapping[str, str]) -> Attempts:
        """The attempts for `principal`, whose dead grants ({ARN: status}) on the license are `replacing`."""
        return Attempts(self, principal, replacing)


class Attempts:
    """One principal's CreateGrant calls: send `request`, then report the answer to `answered` or the error to
    `failed`, which says how long to wait before sending it again, or gives the principal's outcome."""

    __slots__ = ("_backoff", "_order", "_replacing", "count", "principal", "request")

    def __init__(self, order: GrantOrder, principal: str, replacing: Mapping[str, str]) -> None:
        self._order = order
        self._replacing = replacing
        self._backoff = Backoff.from_config(order.retry)
        self.principal = principal
        self.count = 0
        """CreateGrant calls made so far (each one itself retried by the client)."""
        self.request = CreateGrantRequest(
            grant_name=order.grant_name,
            license_arn=order.license_arn,
            principals=[principal],
            home_region=order.region,
            allowed_operations=order.operations,
            client_token=client_token(order.license_arn, principal, order.grant_name, replacing),
        )
        """The same request every time: one deterministic ClientToken, so no answer lost can become two grants."""

    def sending(self) -> CreateGrantRequest:
        """Count one more call (after the rate control let it go); the request to send."""
        self.count += 1
        return self.request

    def answered(self, response: CreateGrantResponse) -> PrincipalOutcome:
        """The call went through: a congestion signal if the client had to retry it; the principal is `created`."""
        meta = response.response_metadata
        if meta is not None and meta.attempts > 1:
            self._order.control.congested()  # through, but retried (throttling, 5xx, transport error)
        else:
            self._order.control.succeeded()
        status = None if response.status is None else str(response.status)
        return PrincipalOutcome(
            self.principal,
            "created",
            response.grant_arn,
            status,
            message=replaces(self._replacing),
            attempts=self.count,
        )

    def failed(self, err: Exception) -> float | PrincipalOutcome:
        """The call raised `err`: the seconds to wait before sending it again, or the principal's `failed` outcome.

        Throttling, a 5xx or a transport error is tried again up to `attempts` calls; any other error is final.
        """
        if not isinstance(err, LicenseManagerError):  # never let one principal stop the others
            _log.error("grants.distribute: unexpected error for %s", self.principal, exc_info=err)
            return self._failed(type(err).__name__, str(err))
        code = err.error_code if isinstance(err, ServiceError) else type(err).__name__
        if code in THROTTLING_CODES or getattr(err, "attempts", 1) > 1:
            self._order.control.congested()  # still throttled, or the client had to retry it
        if self.count < self._order.attempts and is_retryable(err, replay_safe=True):
            return self._backoff.delay(self.count)
        return self._failed(code, err.message if isinstance(err, ServiceError) else str(err))

    def _failed(self, code: str, message: str) -> PrincipalOutcome:
        return PrincipalOutcome(self.principal, "failed", error_code=code, message=message, attempts=self.count)
