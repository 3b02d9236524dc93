"""What a grant distribution will do, decided before any write: its checked arguments, its principals, and which of
them already hold a live grant (from one listing), shared by the threaded and the async run."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Final

from licensemanager_sdk.resources._principals import principal_arn
from licensemanager_sdk.resources.distribution.report import PrincipalOutcome
from licensemanager_sdk.types import AllowedOperation, GrantData

__all__ = [
    "DEAD_STATUSES",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_RATE_LIMIT",
    "Plan",
    "checked_operations",
    "client_token",
    "replaces",
]

DEFAULT_CONCURRENCY: Final = 16
"""CreateGrant calls in flight at once."""

DEFAULT_RATE_LIMIT: Final[float | None] = None
"""The default `rate_limit`: None, adaptive. No cap while the service answers CreateGrant without throttling or
retries; at the first sign of congestion, a cap at half the measured send rate, halved again on further congestion
(not below 1/s) and won back on success (see run.py). A number is a fixed ceiling in calls per second (that still
backs off on congestion)."""

DEAD_STATUSES: Final = frozenset({"REJECTED", "DELETED", "PENDING_DELETE", "FAILED_WORKFLOW"})
"""Grant statuses that no longer give the principal the license, and never will again: a principal whose grants on
the license all have one of these gets a new grant. Every other status is live (PENDING_WORKFLOW, PENDING_ACCEPT,
DISABLED: accepted but not activated, ACTIVE, WORKFLOW_COMPLETED, and any status this SDK does not know)."""


def checked_operations(
    allowed_operations: Sequence[AllowedOperation | str],
    concurrency: int,
    rate_limit: float | None,
    attempts_per_principal: int,
) -> list[AllowedOperation]:
    """Check a run's arguments before any request; the allowed operations as `AllowedOperation`s."""
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
    return [AllowedOperation(op) for op in allowed_operations]


def client_token(license_arn: str, principal: str, grant_name: str, replacing: Iterable[str] = ()) -> str:
    """The ClientToken of one distributed grant: the same for the same license, principal, grant name and dead grants
    it replaces (their ARNs, in any order), a new one whenever another of the principal's grants has died."""
    key = "\n".join([license_arn, principal, grant_name, *sorted(replacing)])
    return f"lmsdk-grant-{hashlib.sha256(key.encode()).hexdigest()[:48]}"


def replaces(dead: Mapping[str, str]) -> str | None:
    """The report's note on a new grant that replaces dead ones: `replaces <ARN> (<status>), ...`."""
    if not dead:
        return None
    return "replaces " + ", ".join(f"{arn} ({status})" for arn, status in sorted(dead.items()))


_NONE: Final[Mapping[str, str]] = MappingProxyType({})


class Plan:
    """A run's principals (normalised, de-duplicated, in the order given) and what one listing of the license's
    grants says about each: a live grant (`already_present`), or the dead grants a new one replaces.

    Memory: one entry per principal, plus one per principal that holds a grant on the license. Every lookup is O(1).
    """

    def __init__(self, principals: Iterable[str]) -> None:
        if isinstance(principals, str):
            raise TypeError("principals must be a list of account ids or ARNs, not one string")
        self._targets: dict[str, None] = {}  # ordered, and O(1) membership
        for principal in principals:
            self._targets.setdefault(principal_arn(principal), None)
        self._live: dict[str, PrincipalOutcome] = {}
        self._dead: dict[str, dict[str, str]] = {}  # principal -> {ARN: status} of its dead grants

    @property
    def total(self) -> int:
        return len(self._targets)

    def add_listed(self, grant: GrantData) -> None:
        """Take one listed grant of the license into account (grants of other principals are ignored)."""
        holder, status = grant.grantee_principal_arn, None if grant.grant_status is None else str(grant.grant_status)
        if holder is None or holder not in self._targets or holder in self._live:
            return
        if status in DEAD_STATUSES:
            self._dead.setdefault(holder, {})[grant.grant_arn or ""] = status
        else:
            self._live[holder] = PrincipalOutcome(holder, "already_present", grant.grant_arn, status)
            self._dead.pop(holder, None)

    def settle(self, record: Callable[[PrincipalOutcome], None], *, dry_run: bool) -> int:
        """`record` what needs no CreateGrant: the principals already present (in the order given), and in a dry run
        every other one as `would_create`. Returns how many principals are left for CreateGrant (`todo()`)."""
        done = 0
        for outcome in self.present():
            record(outcome)
            done += 1
        if dry_run:
            for outcome in self.would_create():
                record(outcome)
            return 0
        return self.total - done

    def present(self) -> Iterator[PrincipalOutcome]:
        """The principals that already hold a live grant, in the order given."""
        return (self._live[principal] for principal in self._targets if principal in self._live)

    def todo(self) -> Iterator[tuple[str, Mapping[str, str]]]:
        """The other principals, in the order given, each with its dead grants ({ARN: status}) on the license."""
        return (
            (principal, self._dead.get(principal, _NONE)) for principal in self._targets if principal not in self._live
        )

    def would_create(self) -> Iterator[PrincipalOutcome]:
        """A dry run's outcome for every principal in `todo()`."""
        return (PrincipalOutcome(principal, "would_create", message=replaces(dead)) for principal, dead in self.todo())

    def order(self) -> Iterator[str]:
        """Every principal, in the order given."""
        return iter(self._targets)
