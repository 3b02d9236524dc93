"""Async GetLicense: `await lm.api.get_license` vs plain aiobotocore, on the same canned wire response, same run.

As `benchmarks/client.py` does for the sync ratio: both clients get their answer from a `before-send` handler
returning the same JSON bytes (as an aiobotocore response with an awaitable body), so credentials, signing and
serialisation are real and only the network is left out; CPU time per call, best of alternating rounds, both
awaited one after another on one event loop.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiobotocore.awsrequest import AioAWSResponse
from aiobotocore.session import get_session

from benchmarks.client import _ENV, GET_BODY, _license
from licensemanager_sdk import AsyncLicenseManager, ClientConfig, RetryConfig
from licensemanager_sdk.local.server.attach_async import AsyncBodyRaw

ENDPOINT = "http://localhost.invalid"
TARGET = 1.05


def _canned(client: Any, body: bytes) -> None:
    def answer(request: Any, **_: Any) -> AioAWSResponse:
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "bench"}
        return AioAWSResponse(request.url, 200, headers, AsyncBodyRaw(body))

    client.meta.events.register("before-send.license-manager", answer)


async def _compare(
    sdk: Callable[[], Awaitable[object]], plain: Callable[[], Awaitable[object]], *, rounds: int = 15, calls: int = 400
) -> tuple[float, float]:
    """Best (lowest) CPU time per call of each side over alternating rounds (see `benchmarks.client._compare`)."""
    await sdk()
    await plain()
    times: dict[Callable[[], Awaitable[object]], list[float]] = {sdk: [], plain: []}
    for _ in range(rounds):
        for call in (sdk, plain):
            start = time.process_time()
            for _ in range(calls):
                await call()
            times[call].append((time.process_time() - start) / calls)
    return min(times[sdk]), min(times[plain])


async def _get_license() -> tuple[float, float]:
    session = get_session()
    config = ClientConfig(retry=RetryConfig(max_attempts=1))
    arn = _license(1)["LicenseArn"]
    async with (
        session.create_client("license-manager", endpoint_url=ENDPOINT) as plain,
        AsyncLicenseManager(session=session, endpoint_url=ENDPOINT, config=config) as lm,
    ):
        _canned(plain, GET_BODY)
        _canned(lm.aiobotocore_client, GET_BODY)
        return await _compare(lambda: lm.api.get_license(license_arn=arn), lambda: plain.get_license(LicenseArn=arn))


def run() -> list[str]:
    os.environ.update(_ENV)
    sdk, plain = asyncio.run(_get_license())
    ratio = sdk / plain
    return [
        f"async GetLicense: SDK {sdk * 1e6:.0f} us vs aiobotocore {plain * 1e6:.0f} us = {ratio:.2f}x "
        f"[target <= {TARGET:.2f}x] {'OK' if ratio <= TARGET else 'MISSED'}"
    ]


if __name__ == "__main__":
    print("\n".join(run()))
