"""lm.grants.distribute(report_path=...): each outcome streamed to disk as it completes, equal to the in-memory
report, valid line by line when the run is killed, rewritten whole by a re-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path

import pytest

from licensemanager_sdk import DistributionReport, License, LicenseManager
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.resources import PrincipalOutcome
from licensemanager_sdk.resources.distribution import read_outcomes

from .conftest import SELLER

OPS = ["CheckoutLicense"]
ACCOUNTS = [str(400000000000 + n) for n in range(30)]
MANY = [str(410000000000 + n) for n in range(60)]


class Stop(Exception):
    pass


def without_arns(outcomes: object) -> list[tuple[object, ...]]:
    """Outcomes comparable across two licenses: everything but the grant ARN, sorted by principal."""
    return sorted(
        (item.principal, item.outcome, item.grant_status, item.error_code, item.message, item.attempts)
        for item in outcomes
    )  # type: ignore[attr-defined]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_the_streamed_report_equals_the_in_memory_one(
    local: LocalLicenseManager,
    seller: LicenseManager,
    new_license: Callable[..., License],
    tmp_path: Path,
    suffix: str,
) -> None:
    kept_license, streamed_license = new_license(), new_license(sku="other")
    for lic in (kept_license, streamed_license):
        seller.grants.distribute(lic, ACCOUNTS[:5], OPS, grant_name="g")  # already present in both
    path = tmp_path / f"report{suffix}"
    reports: list[DistributionReport] = []
    for lic, report_path in ((kept_license, None), (streamed_license, path)):
        local.inject_fault("CreateGrant", "AccessDeniedException", times=1, message="no, thanks, really")
        reports.append(
            seller.grants.distribute(
                lic, [*ACCOUNTS, SELLER], OPS, grant_name="g", concurrency=1, report_path=report_path
            )
        )
    kept, streamed = reports
    assert kept.path is None and len(kept.outcomes) == 31
    assert streamed.path == path and streamed.outcomes == ()  # nothing kept in memory
    assert (
        streamed.summary()
        == kept.summary()
        == {"total": 31, "created": 24, "already_present": 5, "failed": 2, "would_create": 0}
    )
    assert not streamed.ok and not kept.ok
    assert str(streamed).split(": ")[1].rsplit(",", 1)[0] == str(kept).split(": ")[1].rsplit(",", 1)[0]
    lines = list(read_outcomes(path))
    assert without_arns(lines) == without_arns(kept.outcomes)
    listed = {grant.arn for grant in seller.grants.list_distributed(license_arn=streamed_license)}
    assert {item.grant_arn for item in lines if item.grant_arn} == listed
    assert [item.outcome for item in lines[:5]] == ["already_present"] * 5  # then in the order they completed
    assert without_arns(streamed.failed) == without_arns(kept.failed)
    assert [item.error_code for item in streamed.failed] == ["AccessDeniedException", "ValidationException"]

    # The writers give the same document for both (a streamed report is written from its file).
    mine = tmp_path / "streamed.json"
    streamed.to_json(mine)
    document = json.loads(mine.read_text())
    assert document["summary"] == kept.summary()
    assert sorted(document["principals"], key=lambda row: row["principal"])[0].keys() == {
        "principal",
        "outcome",
        "grant_arn",
        "grant_status",
        "error_code",
        "message",
        "attempts",
    }
    copy = DistributionReport(streamed.license_arn, "g", False, tuple(lines), streamed.elapsed)
    copy.to_json(tmp_path / "copy.json")
    assert mine.read_text() == (tmp_path / "copy.json").read_text()
    streamed.to_csv(tmp_path / "streamed.csv")
    copy.to_csv(tmp_path / "copy.csv")
    assert (tmp_path / "streamed.csv").read_text() == (tmp_path / "copy.csv").read_text()


def test_to_json_keeps_the_json_dump_format(tmp_path: Path) -> None:
    outcomes = (
        PrincipalOutcome("arn:aws:iam::111122223333:root", "created", "arn:g1", "PENDING_ACCEPT", attempts=1),
        PrincipalOutcome("arn:aws:iam::111122224444:root", "failed", error_code="X", message='a "quoted"\nline'),
    )
    for rows in (outcomes, ()):
        report = DistributionReport("arn:l", "g", False, rows, 1.23456)
        report.to_json(tmp_path / "r.json")
        expected = {
            "license_arn": "arn:l",
            "grant_name": "g",
            "dry_run": False,
            "elapsed_seconds": 1.235,
            "summary": report.summary(),
            "principals": [
                dict(
                    zip(
                        ["principal", "outcome", "grant_arn", "grant_status", "error_code", "message", "attempts"],
                        astuple(item),
                        strict=True,
                    )
                )
                for item in rows
            ],
        }
        assert (tmp_path / "r.json").read_text() == json.dumps(expected, indent=2) + "\n"


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_lines_read_back_exactly_and_a_line_cut_short_is_skipped(tmp_path: Path, suffix: str) -> None:
    from licensemanager_sdk.resources.distribution.report import Recorder

    items = [
        PrincipalOutcome("arn:aws:iam::111122223333:root", "created", "arn:g1", "PENDING_ACCEPT", attempts=2),
        PrincipalOutcome("arn:aws:iam::111122224444:root", "failed", error_code="X", message='a, "b"\nc', attempts=3),
        PrincipalOutcome("arn:aws:iam::111122225555:root", "would_create", message="replaces arn:g0 (REJECTED)"),
    ]
    path = tmp_path / f"r{suffix}"
    seen: list[tuple[int, int]] = []
    with Recorder(3, path, lambda done, total, _: seen.append((done, total)), flush_every=0.0) as recorder:
        for item in items:
            recorder.add(item)
            assert list(read_outcomes(path)) == items[: seen[-1][0]]  # written at once: readable while running
    assert seen == [(1, 3), (2, 3), (3, 3)] and recorder.counts["total"] == 3
    with Recorder(3, tmp_path / f"late{suffix}", flush_every=3600.0) as late:
        for item in items:
            late.add(item)
        assert list(read_outcomes(tmp_path / f"late{suffix}")) == []  # within the interval: not written yet
    assert list(read_outcomes(tmp_path / f"late{suffix}")) == items  # closing writes the rest
    with path.open("a", encoding="utf-8", newline="") as file:
        file.write('{"principal": "arn:aws:iam::1111' if suffix == ".jsonl" else "arn:aws:iam::111122226666:root,cre")
    assert list(read_outcomes(path)) == items


def test_a_run_stopped_part_way_leaves_valid_lines_and_a_rerun_rewrites_the_file_whole(
    local: LocalLicenseManager, seller: LicenseManager, new_license: Callable[..., License], tmp_path: Path
) -> None:
    license, path = new_license(), tmp_path / "run.jsonl"
    local.set_latency(20)

    def stop_after_ten(done: int, total: int, outcome: PrincipalOutcome) -> None:
        if done == 10:
            raise Stop

    with pytest.raises(Stop):
        seller.grants.distribute(
            license, MANY, OPS, grant_name="g", concurrency=4, progress=stop_after_ten, report_path=path
        )
    partial = [json.loads(line) for line in path.read_text().splitlines()]
    made = {grant.data.grantee_principal_arn for grant in seller.grants.list_distributed(license_arn=license)}
    assert len(partial) == 10 and {row["outcome"] for row in partial} == {"created"}
    assert {row["principal"] for row in partial} <= made and len(made) < len(MANY) // 2  # the rest never started

    again = seller.grants.distribute(license, MANY, OPS, grant_name="g", report_path=path)
    rows = list(read_outcomes(path))
    assert sorted(row.principal for row in rows) == sorted(f"arn:aws:iam::{a}:root" for a in MANY)
    assert again.summary()["already_present"] == len(made) and again.summary()["created"] == len(MANY) - len(made)
    assert {row.principal for row in rows if row.outcome == "already_present"} == made


CHILD = textwrap.dedent(
    """
    import sys
    from licensemanager_sdk.local import LocalLicenseManager
    from tests.resources.conftest import make_license

    with LocalLicenseManager() as local:
        lm = local.client(account="111111111111")
        license = make_license(lm)
        local.set_latency(20)
        accounts = [str(500000000000 + n) for n in range(2000)]
        lm.grants.distribute(license, accounts, ["CheckoutLicense"], grant_name="g", concurrency=4,
                             report_path=sys.argv[1])
    """
)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_killed_run_leaves_a_report_valid_line_by_line(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"killed{suffix}"
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], cwd=root, env={**os.environ, "PYTHONPATH": str(root)}
    )
    try:
        deadline = time.monotonic() + 60
        while not (path.exists() and path.read_text().count("\n") >= 40):
            assert child.poll() is None and time.monotonic() < deadline, "the child ended before writing 40 lines"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    text = path.read_text()
    assert text.endswith("\n")  # every line is written and flushed whole
    rows = list(read_outcomes(path))
    assert 39 <= len(rows) < 2000 and {row.outcome for row in rows} == {"created"}
    assert all(row.grant_arn and row.attempts == 1 for row in rows)
    assert len({row.principal for row in rows}) == len(rows)
