"""The report of a grant distribution: `DistributionReport`, one `PrincipalOutcome` per principal, JSON/CSV writers."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO, Literal

__all__ = ["DistributionReport", "Outcome", "PrincipalOutcome"]

Outcome = Literal["created", "already_present", "failed", "would_create"]
"""What happened to one principal (`would_create` only in a dry run): `already_present` when it holds a live grant
on the license (of any name), `created` when it got a new one, a replacement if its grants had all died."""


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
    """For `failed`: the error message. For `created` (and `would_create`) when the principal's grants on the license
    had all died (rejected, deleted, ...): the grants the new one replaces, `replaces <ARN> (<status>), ...`."""
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
            self._owned = Path(self._target).open("w", encoding="utf-8", newline=self._newline)
            return self._owned
        return self._target

    def __exit__(self, *exc_info: object) -> None:
        if self._owned is not None:
            self._owned.close()
