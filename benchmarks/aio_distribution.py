"""Async grant distribution: `await lm.grants.distribute` (asyncio tasks) vs the threaded `lm.grants.distribute`.

Both clients talk HTTP to the same local License Manager (`local.serve()`; its server answers each request on its
own thread), with 20 ms injected per call (`local.set_latency(20)`): over HTTP the latency is spent on the server's
threads, so concurrent calls overlap for both sides alike (in process, the async attachment would sleep on the event
loop). Both run with the default settings of `distribute` (adaptive rate control, concurrency 16) on clients that
pool 16 connections. Two alternating rounds, the best time of each side; 1,000 new accounts per run.
"""

from __future__ import annotations

import asyncio
import time

import boto3
from aiobotocore.session import get_session

from benchmarks.distribution import OPS, SELLER, _accounts, _license
from licensemanager_sdk import AsyncLicenseManager, ClientConfig, DistributionReport, License, LicenseManager
from licensemanager_sdk.local import LocalLicenseManager

ACCOUNTS = 1_000
LATENCY_MS = 20
ROUNDS = 2
TARGET = 1.1
CONFIG = ClientConfig(max_pool_connections=16)
"""One connection per worker (concurrency 16), as `distribute` advises."""


def _threaded(url: str, arn: str, accounts: list[str]) -> DistributionReport:
    session = boto3.Session(aws_access_key_id=SELLER, aws_secret_access_key="local", region_name="us-east-1")
    lm = LicenseManager(session=session, endpoint_url=url, config=CONFIG)
    return lm.grants.distribute(License(lm, arn), accounts, OPS, grant_name="bench")


async def _async(url: str, arn: str, accounts: list[str]) -> DistributionReport:
    session = get_session()
    session.set_credentials(SELLER, "local")
    async with AsyncLicenseManager(session=session, region_name="us-east-1", endpoint_url=url, config=CONFIG) as lm:
        return await lm.grants.distribute(arn, accounts, OPS, grant_name="bench")


def run() -> list[str]:
    best: dict[str, float] = {"threaded": float("inf"), "async": float("inf")}
    failed = 0
    with LocalLicenseManager() as local:
        server = local.serve()
        seller = local.client(account=SELLER)
        start = 400_000_000_000
        for round_ in range(ROUNDS):
            for side in ("threaded", "async"):
                arn = _license(seller, f"{side}-{round_}").arn
                accounts = _accounts(ACCOUNTS, start)
                start += ACCOUNTS
                local.set_latency(LATENCY_MS)
                began = time.perf_counter()
                if side == "threaded":
                    report = _threaded(server.url, arn, accounts)
                else:
                    report = asyncio.run(_async(server.url, arn, accounts))
                best[side] = min(best[side], time.perf_counter() - began)
                local.clear_faults()
                failed += len(report.failed) + ACCOUNTS - len(report.created)
    ratio = best["async"] / best["threaded"]
    return [
        f"distribution {ACCOUNTS:,} accounts, {LATENCY_MS} ms latency, over HTTP: async {best['async']:.2f} s vs "
        f"threaded {best['threaded']:.2f} s = {ratio:.2f}x [target <= {TARGET:.2f}x] "
        f"{'OK' if ratio <= TARGET else 'MISSED'}, not created {failed}"
    ]


if __name__ == "__main__":
    print("\n".join(run()))
