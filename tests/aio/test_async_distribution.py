"""The async distribution streams its report the same way: a cancelled run leaves whole lines, a re-run with the
same path rewrites the file with every principal once."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from licensemanager_sdk import AsyncLicenseManager, LicenseManager
from licensemanager_sdk.resources.distribution import read_outcomes
from tests.resources.conftest import make_license

pytestmark = pytest.mark.asyncio

ACCOUNTS = [f"{i:012d}" for i in range(600000000000, 600000000040)]


async def test_a_cancelled_streamed_run_then_a_rerun_to_the_same_path(
    seller: LicenseManager, alm: AsyncLicenseManager, tmp_path: Path
) -> None:
    lic = await alm.licenses.get(make_license(seller).arn)
    path = tmp_path / "run.jsonl"
    fifteen = asyncio.Event()

    def progress(count: int, total: int, outcome: object) -> None:
        if count == 15:
            fifteen.set()

    run = asyncio.create_task(
        alm.grants.distribute(
            lic, ACCOUNTS, ["CheckoutLicense"], concurrency=4, rate_limit=200.0, progress=progress, report_path=path
        )
    )
    await fifteen.wait()
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    text = path.read_text()
    assert text.endswith("\n")
    partial = [json.loads(line) for line in text.splitlines()]
    made = {g.data.grantee_principal_arn async for g in alm.grants.list_distributed(license_arn=lic.arn)}
    assert 15 <= len(partial) <= len(made) < len(ACCOUNTS)
    assert {row["principal"] for row in partial} <= made

    report = await alm.grants.distribute(lic, ACCOUNTS, ["CheckoutLicense"], concurrency=4, report_path=path)
    assert report.ok and report.outcomes == () and report.path == path
    rows = list(read_outcomes(path))
    assert sorted(row.principal for row in rows) == sorted(f"arn:aws:iam::{a}:root" for a in ACCOUNTS)
    assert {row.principal for row in rows if row.outcome == "already_present"} == made
    assert report.summary()["created"] == len(ACCOUNTS) - len(made) == len(report.created)
