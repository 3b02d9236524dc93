"""Grant distribution: `lm.grants.distribute` vs a plain sequential boto3 `create_grant` loop, same local service.

Both run against the embedded local License Manager with 20 ms injected per call (`local.set_latency(20)`; the
emulator sleeps outside its engine lock, so concurrent calls overlap). The sequential baseline is measured on
200 accounts and scaled linearly to 1,000 (it is one call after another, so its time is linear in the count).
The SDK runs with its DEFAULT settings (no `rate_limit` argument: the adaptive client-side rate control, uncapped
until the service shows congestion) and `concurrency=16` (the default). The throttled variant answers every 10th
CreateGrant attempt (retries included, so 10% spread over the whole run) with RateLimitExceededException: the
client retries each one with the same ClientToken, and the rate control takes every such retried call as a
congestion signal and caps, halves and recovers as it would on real AWS.

Scaling: 10,000 accounts against 1,000, same latency and default settings, each report streamed to disk
(`report_path=`); the emulator's quota of 2,000 grants per license (AWS's) is raised for it. Memory: the peak of
`tracemalloc` during the run, in a client process of its own (the service, whose state grows with every grant,
answers over HTTP from this one), split into the checked principal list (normalised and de-duplicated up front,
before any request: one entry per principal by contract) and everything else, which must stay flat.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from licensemanager_sdk import License, LicenseManager
from licensemanager_sdk.local import LocalLicenseManager, Settings

SELLER = "111111111111"
ACCOUNTS = 1_000
BASELINE_ACCOUNTS = 200
LATENCY_MS = 20
TARGET = 1 / 7
MANY = 10_000
SCALING_TARGET = 11.0
MEMORY_TARGET = 1.5
OPS = ["CheckoutLicense", "ListPurchasedLicenses"]


def _license(lm: LicenseManager, sku: str) -> License:
    from licensemanager_sdk.types import (
        ConsumptionConfiguration,
        DatetimeRange,
        Entitlement,
        EntitlementUnit,
        ProvisionalConfiguration,
    )

    return lm.licenses.create(
        license_name=f"bench {sku}",
        product_name="Bench",
        product_sku=sku,
        issuer="Bench Corp",
        validity=DatetimeRange(begin=datetime(2024, 1, 1, tzinfo=timezone.utc)),
        entitlements=[Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=10)],
        beneficiary="bench",
        consumption_configuration=ConsumptionConfiguration(
            provisional_configuration=ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    )


def _accounts(count: int, start: int) -> list[str]:
    return [str(start + index) for index in range(count)]


def _sequential_boto3(local: LocalLicenseManager, license: License, accounts: list[str]) -> float:
    client: Any = local.boto3_client(account=SELLER)
    started = time.perf_counter()
    for account in accounts:
        client.create_grant(
            ClientToken=str(uuid.uuid4()),
            GrantName="bench",
            LicenseArn=license.arn,
            Principals=[f"arn:aws:iam::{account}:root"],
            HomeRegion="us-east-1",
            AllowedOperations=OPS,
        )
    return time.perf_counter() - started


def _throttle_every_tenth(local: LocalLicenseManager, lm: LicenseManager) -> list[int]:
    """Answer every 10th CreateGrant attempt (retries included) with RateLimitExceededException.

    Returns [attempts seen, throttles injected], filled in as the run goes.
    """
    lock = threading.Lock()
    tally = [0, 0]

    def count(**_: Any) -> None:
        with lock:
            tally[0] += 1
            due = tally[0] % 10 == 0
            tally[1] += due
        if due:
            local.inject_fault("CreateGrant", "RateLimitExceededException", times=1)

    lm.boto3_client.meta.events.register("before-call.license-manager.CreateGrant", count)
    return tally


class _RateChanges(logging.Handler):
    """Counts the rate control's cuts and lifts (its DEBUG lines on the `licensemanager_sdk` logger)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.cuts: list[float] = []
        self.lifts = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("grants.distribute: congestion"):
            self.cuts.append(float(record.getMessage().split()[-2]))  # "... -> 135.2 calls/s"
        elif record.getMessage().startswith("grants.distribute: no congestion"):
            self.lifts += 1

    def __str__(self) -> str:
        lowest = f", lowest cap {min(self.cuts):.0f}/s" if self.cuts else ""
        return f"rate control: {len(self.cuts)} cuts{lowest}, {self.lifts} lifts"


def _duplicates(lm: LicenseManager, license: License) -> int:
    per_principal = Counter(g.data.grantee_principal_arn for g in lm.grants.list_distributed(license_arn=license))
    return sum(count - 1 for count in per_principal.values())


def run() -> list[str]:
    lines = []
    with LocalLicenseManager() as local:
        lm = local.client(account=SELLER)
        baseline_license = _license(lm, "baseline")
        local.set_latency(LATENCY_MS)
        per_account = _sequential_boto3(local, baseline_license, _accounts(BASELINE_ACCOUNTS, 100_000_000_000))
        per_account /= BASELINE_ACCOUNTS
        baseline = per_account * ACCOUNTS

        for variant, throttled in (("", False), (", 10% throttled", True)):
            local.clear_faults()
            plain = _license(lm, f"sdk{int(throttled)}")
            client = local.client(account=SELLER)
            tally = _throttle_every_tenth(local, client) if throttled else None
            local.set_latency(LATENCY_MS)
            changes = _RateChanges()
            logger = logging.getLogger("licensemanager_sdk")
            level, logger.level = logger.level, logging.DEBUG
            logger.addHandler(changes)
            try:
                report = client.grants.distribute(
                    plain, _accounts(ACCOUNTS, 300_000_000_000), OPS, grant_name="bench"
                )  # default settings: adaptive rate control, concurrency=16
            finally:
                logger.removeHandler(changes)
                logger.setLevel(level)
            local.clear_faults()
            ratio = report.elapsed / baseline
            duplicates = _duplicates(lm, plain)
            if tally is not None:
                variant = f", {tally[1]} of {tally[0]} attempts throttled"
            lines.append(
                f"distribution {ACCOUNTS:,} accounts, {LATENCY_MS} ms latency{variant}: SDK {report.elapsed:.1f} s vs "
                f"sequential boto3 {baseline:.1f} s (measured on {BASELINE_ACCOUNTS} accounts, "
                f"x{ACCOUNTS // BASELINE_ACCOUNTS}) "
                f"= {ratio:.3f}x [target <= {TARGET:.3f}x] {'OK' if ratio <= TARGET else 'MISSED'}, "
                f"created {len(report.created):,}, failed {len(report.failed)}, duplicates {duplicates}; {changes}"
            )
    return lines + run_scaling()


def _scaling(local: LocalLicenseManager, lm: LicenseManager, out: str) -> tuple[float, float]:
    """Seconds for 1,000 and for 10,000 accounts, default settings, reports streamed to `out`."""
    elapsed = []
    for count in (ACCOUNTS, MANY):
        license = _license(lm, f"scale{count}")
        local.set_latency(LATENCY_MS)
        report = lm.grants.distribute(
            license, _accounts(count, 400_000_000_000), OPS, grant_name="bench", report_path=f"{out}/{count}.jsonl"
        )
        local.clear_faults()
        assert report.summary()["created"] == count, report
        elapsed.append(report.elapsed)
    return elapsed[0], elapsed[1]


_CLIENT = textwrap.dedent(
    """
    import sys, tracemalloc
    from licensemanager_sdk import ClientConfig, LicenseManager
    from licensemanager_sdk.resources.distribution.plan import Plan

    url, license_arn, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    lm = LicenseManager(endpoint_url=url, region_name="us-east-1", config=ClientConfig(max_pool_connections=16))
    accounts = [str(600_000_000_000 + n) for n in range(count)]  # the caller's list: not the run's memory
    lm.grants.distribute(license_arn, ["599999999999"], ["CheckoutLicense"], grant_name="bench")  # warm the client
    tracemalloc.start()
    plan = Plan(accounts)
    principals = tracemalloc.get_traced_memory()[0]
    del plan
    tracemalloc.reset_peak()
    report = lm.grants.distribute(license_arn, accounts, ["CheckoutLicense"], grant_name="bench", report_path=out)
    assert report.summary()["created"] == count, report
    print(tracemalloc.get_traced_memory()[1], principals)
    """
)


def _memory(local: LocalLicenseManager, lm: LicenseManager, out: str) -> dict[int, tuple[int, int]]:
    """{accounts: (peak bytes during the run, bytes of the checked principal list)}, each in a fresh client process."""
    server = local.serve()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": SELLER, "AWS_SECRET_ACCESS_KEY": "local"}
    found = {}
    try:
        for count in (ACCOUNTS, MANY):
            license = _license(lm, f"memory{count}")
            local.set_latency(LATENCY_MS)
            args = [sys.executable, "-c", _CLIENT, server.url, license.arn, str(count), f"{out}/memory{count}.jsonl"]
            done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
            local.clear_faults()
            if done.returncode:
                raise RuntimeError(f"the client process failed: {done.stderr[-2000:]}")
            peak, principals = (int(number) for number in done.stdout.split())
            found[count] = (peak, principals)
    finally:
        server.stop()
    return found


def run_scaling() -> list[str]:
    with (
        LocalLicenseManager(settings=Settings(max_grants_per_license=4 * MANY)) as local,
        tempfile.TemporaryDirectory(prefix="bench-distribution-") as out,
    ):
        lm = local.client(account=SELLER)
        few, many = _scaling(local, lm, out)
        memory = _memory(local, lm, out)
    ratio = many / few
    (peak_few, list_few), (peak_many, list_many) = memory[ACCOUNTS], memory[MANY]
    beyond = (peak_many - list_many) / (peak_few - list_few)
    mib = 1024 * 1024
    return [
        f"distribution {MANY:,} accounts vs {ACCOUNTS:,}, {LATENCY_MS} ms latency, report streamed: {many:.1f} s vs "
        f"{few:.1f} s = {ratio:.2f}x [target <= {SCALING_TARGET:.0f}x] {'OK' if ratio <= SCALING_TARGET else 'MISSED'}",
        f"distribution peak memory {MANY:,} accounts vs {ACCOUNTS:,}, report streamed: {peak_many / mib:.2f} MiB vs "
        f"{peak_few / mib:.2f} MiB ({peak_many / peak_few:.2f}x), of which the checked principal list "
        f"{list_many / mib:.2f} vs {list_few / mib:.2f} MiB; the rest {(peak_many - list_many) / mib:.2f} vs "
        f"{(peak_few - list_few) / mib:.2f} MiB = {beyond:.2f}x [target <= {MEMORY_TARGET}x: flat] "
        f"{'OK' if beyond <= MEMORY_TARGET else 'MISSED'}",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
