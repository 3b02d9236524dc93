"""The report of a grant distribution: `DistributionReport`, one `PrincipalOutcome` per principal, its JSON/CSV
writers, and the streamed report: each outcome written to a file (JSON lines or CSV) as it completes.

A run either keeps its outcomes in memory (the default) or, given `report_path`, writes each one as one line,
keeping only the counts: memory stays flat however many principals there are. Lines reach the file in whole-line
writes at least every `FLUSH_EVERY` seconds (and when the run ends or fails), so a run that is killed leaves a file
that is valid line by line, missing at most its last fraction of a second (`read_outcomes` reads it back; a re-run
reports those principals again).
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from _csv import Writer as _Writer

__all__ = ["COLUMNS", "FLUSH_EVERY", "DistributionReport", "Outcome", "PrincipalOutcome", "Recorder", "read_outcomes"]

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


COLUMNS = tuple(column.name for column in fields(PrincipalOutcome))
"""The CSV header, and the keys of each JSON row: the `PrincipalOutcome` fields."""


@dataclass(frozen=True, slots=True)
class DistributionReport:
    """The result of `lm.grants.distribute(...)`: every principal exactly once.

    Kept in memory (the default), `outcomes` holds them in the order given. Streamed (`report_path=`), `outcomes` is
    empty and `path` names the file that holds them, in the order they completed; `iter_outcomes()`, the views
    (`created`, `failed`, ...) and the writers read that file, and `summary()`, `ok` and `str()` use the counts.
    """

    license_arn: str
    grant_name: str
    dry_run: bool
    outcomes: tuple[PrincipalOutcome, ...]
    elapsed: float
    """Seconds the run took."""
    path: Path | None = None
    """The file the run streamed its outcomes to (JSON lines, or CSV for a `.csv` name); None: kept in memory."""
    counts: Mapping[str, int] | None = field(default=None, compare=False)
    """What `summary()` answers, counted as the run went; None: counted from `outcomes`. Not compared or hashed
    (it follows from the rest)."""

    def iter_outcomes(self) -> Iterator[PrincipalOutcome]:
        """Every principal's outcome: from memory, or read line by line from the streamed file."""
        return iter(self.outcomes) if self.path is None else read_outcomes(self.path)

    def _with(self, outcome: Outcome) -> tuple[PrincipalOutcome, ...]:
        return tuple(item for item in self.iter_outcomes() if item.outcome == outcome)

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
        return self.summary()["failed"] == 0

    def summary(self) -> dict[str, int]:
        """Counts: `{"total": ..., "created": ..., "already_present": ..., "failed": ..., "would_create": ...}`."""
        if self.counts is not None:
            return dict(self.counts)
        counts = _zero()
        for item in self.outcomes:
            _count(counts, item)
        return counts

    def to_json(self, target: str | os.PathLike[str] | IO[str]) -> None:
        """Write the report as one JSON object: license, grant name, dry run, elapsed, summary and `principals`
        (written one by one: a streamed report is not loaded into memory)."""
        head = {
            "license_arn": self.license_arn,
            "grant_name": self.grant_name,
            "dry_run": self.dry_run,
            "elapsed_seconds": round(self.elapsed, 3),
            "summary": self.summary(),
        }
        with _opened(target, newline=None) as out:
            out.write(json.dumps(head, indent=2)[:-2] + ',\n  "principals": [')  # as json.dump(..., indent=2)
            empty = True
            for item in self.iter_outcomes():
                out.write(
                    ("\n" if empty else ",\n") + "    " + json.dumps(_row(item), indent=2).replace("\n", "\n    ")
                )
                empty = False
            out.write("]\n}\n" if empty else "\n  ]\n}\n")

    def to_csv(self, target: str | os.PathLike[str] | IO[str]) -> None:
        """Write a header and one CSV row per principal (the `PrincipalOutcome` fields, empty for None)."""
        with _opened(target, newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows(_cells(item) for item in self.iter_outcomes())

    def __str__(self) -> str:
        counts = self.summary()
        if self.dry_run:
            done = f"{counts['would_create']} to create, {counts['already_present']} already present (dry run)"
        else:
            done = (
                f"{counts['created']} created, {counts['already_present']} already present, {counts['failed']} failed"
            )
        return f"{self.grant_name!r} on {self.license_arn}: {counts['total']} principals, {done}, {self.elapsed:.1f} s"


def _zero() -> dict[str, int]:
    return {"total": 0, "created": 0, "already_present": 0, "failed": 0, "would_create": 0}


def _count(counts: dict[str, int], item: PrincipalOutcome) -> None:
    counts["total"] += 1
    counts[item.outcome] += 1


def _row(item: PrincipalOutcome) -> dict[str, object]:
    return {name: getattr(item, name) for name in COLUMNS}


def _cells(item: PrincipalOutcome) -> list[object]:
    return ["" if value is None else value for value in (getattr(item, name) for name in COLUMNS)]


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() == ".csv"


FLUSH_EVERY = 0.1
"""Seconds a streamed line may wait in memory before it is written (one write of whole lines, not one per line)."""


class Recorder:
    """Takes a run's outcomes as they complete, from one thread: counts them, calls `progress`, and keeps them in
    memory or (with `path`) writes them to the file as lines, in whole-line writes at least every `flush_every`
    seconds. Close it when the run ends (it writes what is left).

    The file is created or truncated when the recorder is made: a re-run with the same path rewrites it (a re-run
    reports every principal again, so the new file is complete on its own).
    """

    def __init__(
        self,
        total: int,
        path: str | os.PathLike[str] | None = None,
        progress: Callable[[int, int, PrincipalOutcome], None] | None = None,
        *,
        flush_every: float = FLUSH_EVERY,
    ) -> None:
        self._total = total
        self._progress = progress
        self.counts = _zero()
        self._kept: dict[str, PrincipalOutcome] = {}
        self.path = None if path is None else Path(path)
        self._file: IO[bytes] | None = None
        self._pending = io.StringIO()  # lines not yet written
        self._csv: _Writer | None = None
        self._flush_every = flush_every
        self._flushed = time.monotonic()
        if self.path is not None:
            self._file = self.path.open("wb", buffering=0)
            if _is_csv(self.path):
                self._csv = csv.writer(self._pending)
                self._csv.writerow(COLUMNS)
                self._write()

    def add(self, item: PrincipalOutcome) -> None:
        """Record one principal's outcome, then call `progress(done, total, outcome)`."""
        _count(self.counts, item)
        if self._file is None:
            self._kept[item.principal] = item
        else:
            if self._csv is not None:
                self._csv.writerow(_cells(item))
            else:
                self._pending.write(json.dumps(_row(item)) + "\n")
            if time.monotonic() - self._flushed >= self._flush_every:
                self._write()
        if self._progress is not None:
            self._progress(self.counts["total"], self._total, item)

    def _write(self) -> None:
        """Write the pending lines at once (whole lines only, so a killed process never leaves half a line)."""
        if self._file is None:
            return
        data = memoryview(self._pending.getvalue().encode("utf-8"))
        self._pending.seek(0)
        self._pending.truncate()
        while data:
            data = data[self._file.write(data) or 0 :]
        self._flushed = time.monotonic()

    def report(
        self, license_arn: str, grant_name: str, *, dry_run: bool, elapsed: float, order: Iterator[str]
    ) -> DistributionReport:
        """The run's report; `order`: every principal in the order given (used when the outcomes are kept)."""
        outcomes = () if self._file is not None else tuple(self._kept[principal] for principal in order)
        return DistributionReport(
            license_arn, grant_name, dry_run, outcomes, elapsed, path=self.path, counts=dict(self.counts)
        )

    def close(self) -> None:
        """Write what is pending and close the file (idempotent)."""
        if self._file is not None and not self._file.closed:
            try:
                self._write()
            finally:
                self._file.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_outcomes(path: str | os.PathLike[str]) -> Iterator[PrincipalOutcome]:
    """Read a streamed report back, one outcome at a time: JSON lines, or CSV for a `.csv` name (empty cells read as
    None). A killed run's file reads up to its last whole line; a last line cut short is skipped."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as file:
        lines = _whole_lines(file)
        if not _is_csv(path):
            for line in lines:
                yield PrincipalOutcome(**json.loads(line))
            return
        rows = csv.reader(lines)
        if next(rows, None) is None:
            return
        for row in rows:
            values = dict(zip(COLUMNS, row, strict=True))
            yield PrincipalOutcome(
                principal=values["principal"],
                outcome=values["outcome"],  # type: ignore[arg-type]  # written from an Outcome
                grant_arn=values["grant_arn"] or None,
                grant_status=values["grant_status"] or None,
                error_code=values["error_code"] or None,
                message=values["message"] or None,
                attempts=int(values["attempts"]),
            )


def _whole_lines(file: IO[str]) -> Iterator[str]:
    for line in file:
        if line.endswith("\n"):
            yield line


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
