"""Scripted grant distribution: one license to many accounts, re-runnable, with a plan, progress and a report."""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from examples._client import client
from licensemanager_sdk import DistributionReport, License, LicenseManager
from licensemanager_sdk.resources import PrincipalOutcome
from licensemanager_sdk.types import (
    AllowedOperation,
    ConsumptionConfiguration,
    DatetimeRange,
    Entitlement,
    EntitlementUnit,
    ProvisionalConfiguration,
)

ACCOUNTS = [str(100000000000 + n) for n in range(25)]  # your accounts; ARNs of organizations or OUs work too
OPERATIONS = [AllowedOperation.CHECKOUT_LICENSE, AllowedOperation.CHECK_IN_LICENSE]


def show(done: int, total: int, outcome: PrincipalOutcome) -> None:
    if done % 10 == 0 or done == total or outcome.outcome == "failed":
        print(f"  {done}/{total} {outcome.principal}: {outcome.outcome} {outcome.reason or ''}")


def main(lm: LicenseManager, license: License, out_dir: Path) -> DistributionReport:
    plan = lm.grants.distribute(license, ACCOUNTS, OPERATIONS, grant_name="fleet-2025", dry_run=True)
    print(f"plan: {plan}")

    report = lm.grants.distribute(
        license,
        ACCOUNTS,
        OPERATIONS,
        grant_name="fleet-2025",  # with the license and principal, it makes each grant's ClientToken
        concurrency=16,  # keep ClientConfig(max_pool_connections=...) at least this high on real AWS
        rate_limit=None,  # the default: adaptive, uncapped until throttled; a number is a fixed ceiling in calls/s
        progress=show,
    )
    print(f"run: {report}")
    report.to_json(out_dir / "distribution.json")
    report.to_csv(out_dir / "distribution.csv")
    for failed in report.failed:
        print(f"  failed {failed.principal}: {failed.reason}", file=sys.stderr)

    again = lm.grants.distribute(license, ACCOUNTS, OPERATIONS, grant_name="fleet-2025")
    print(f"re-run: {again}")  # nothing is created twice
    return report


def example_license(lm: LicenseManager) -> License:
    return lm.licenses.create(
        license_name="Fleet",
        product_name="Example",
        product_sku="example-fleet",
        issuer="Example Corp",
        validity=DatetimeRange(begin=datetime.now(timezone.utc)),
        entitlements=[Entitlement(name="Seats", unit=EntitlementUnit.COUNT, max_count=1000)],
        beneficiary="fleet",
        consumption_configuration=ConsumptionConfiguration(
            provisional_configuration=ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    )


if __name__ == "__main__":
    seller = client()
    main(seller, example_license(seller), Path(tempfile.mkdtemp(prefix="grant-distribution-")))
