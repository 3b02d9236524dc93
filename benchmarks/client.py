"""The foundation's three ratios against plain boto3, on the same canned wire responses in the same run.

Both sides get their answer from a `before-send` handler returning the same JSON bytes, so credentials, signing and
serialisation are real and only the network is left out.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from licensemanager_sdk import ClientConfig, LicenseManager, RetryConfig

_ENV = {
    "AWS_ACCESS_KEY_ID": "123456789012",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def _license(i: int) -> dict[str, Any]:
    return {
        "LicenseArn": f"arn:aws:license-manager::111111111111:license:l-{i:032x}",
        "LicenseName": f"Enterprise license {i}",
        "ProductName": "Example Product",
        "ProductSKU": "prod-7f3a9c",
        "Issuer": {
            "Name": "Example Seller",
            "SignKey": "arn:aws:kms:us-east-1:111111111111:key/0b6c2d1e-4f0a-4b8e-9c55-3f3c1a2b7e90",
            "KeyFingerprint": "aws:111111111111:Example Seller:issuer-fingerprint",
        },
        "HomeRegion": "us-east-1",
        "Status": "AVAILABLE",
        "Validity": {"Begin": "2024-01-01T00:00:00.000Z", "End": "2030-01-01T00:00:00.000Z"},
        "Beneficiary": "arn:aws:iam::222222222222:root",
        "Entitlements": [
            {"Name": "Users", "Unit": "Count", "MaxCount": 100, "Overage": False, "AllowCheckIn": True},
            {"Name": "PremiumTier", "Unit": "None", "Value": "Enabled"},
        ],
        "ConsumptionConfiguration": {"RenewType": "None", "ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        "LicenseMetadata": [{"Name": "region", "Value": "emea"}],
        "CreateTime": "1696945150",
        "Version": "3",
        "ReceivedMetadata": {
            "ReceivedStatus": "ACTIVE",
            "AllowedOperations": ["CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense"],
        },
    }


LIST_BODY = json.dumps({"Licenses": [_license(i) for i in range(100)], "NextToken": "next"}).encode()
GET_BODY = json.dumps({"License": {k: v for k, v in _license(1).items() if k != "ReceivedMetadata"}}).encode()


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def _canned(client: Any, body: bytes) -> None:
    def answer(request: Any, **_: Any) -> AWSResponse:
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "bench"}
        return AWSResponse(request.url, 200, headers, _Raw(body))

    client.meta.events.register("before-send.license-manager", answer)


def _compare(
    sdk: Callable[[], object], boto: Callable[[], object], *, rounds: int = 15, calls: int = 40
) -> tuple[float, float]:
    """Median CPU time per call of each side over alternating rounds.

    CPU time of this process, not wall time: both sides are single-threaded and do no I/O here, so time spent on
    other work of the (shared) machine is left out; the median of the rounds, both sides measured in turn.
    """
    sdk(), boto()
    times: dict[Callable[[], object], list[float]] = {sdk: [], boto: []}
    for index in range(rounds):
        for call in (sdk, boto) if index % 2 == 0 else (boto, sdk):
            start = time.process_time()
            for _ in range(calls):
                call()
            times[call].append((time.process_time() - start) / calls)
    return statistics.median(times[sdk]), statistics.median(times[boto])


def _tracked(call: Callable[[], object]) -> int:
    """GC-tracked objects that one call's result keeps alive (what every collection during the next call traverses)."""
    gc.collect()
    gc.disable()  # this benchmark process only: nothing may be collected between the call and the count
    try:
        _result = call()  # held while counting
        return len(gc.get_objects(generation=0))
    finally:
        gc.enable()


def _startup(sdk: str, boto: str, runs: int = 15) -> tuple[float, float]:
    """Median CPU time of each statement in a fresh interpreter, alternating the two."""
    env = {**os.environ, **_ENV}
    times: dict[str, list[float]] = {sdk: [], boto: []}
    for _ in range(runs):
        for code in (sdk, boto):
            timer = f"import time; t = time.process_time(); {code}; print(time.process_time() - t)"
            out = subprocess.run([sys.executable, "-c", timer], env=env, check=True, capture_output=True, text=True)
            times[code].append(float(out.stdout))
    return statistics.median(times[sdk]), statistics.median(times[boto])


def run() -> list[str]:
    os.environ.update(_ENV)
    session = boto3.Session()
    plain = session.client("license-manager", endpoint_url="http://localhost.invalid")
    lm = LicenseManager(
        session=session,
        endpoint_url="http://localhost.invalid",
        config=ClientConfig(retry=RetryConfig(max_attempts=1)),
    )
    lines = []

    _canned(plain, LIST_BODY)
    _canned(lm.boto3_client, LIST_BODY)
    # Rounds of 120 calls span several of the process's full collections, whichever side triggers them; with rounds of
    # 40 the ratio swung between 0.33x and 0.50x from one run to the next.
    sdk_list, boto_list = _compare(lm.api.list_received_licenses, plain.list_received_licenses, calls=120)
    lines.append(
        f"ListReceivedLicenses, 100-item page: SDK {sdk_list * 1e3:.2f} ms vs boto3 {boto_list * 1e3:.2f} ms "
        f"= {sdk_list / boto_list:.2f}x  [target <= 0.35x]"
    )
    gc.disable()  # this benchmark process only (never the library): the same page with no collections, as a floor
    try:
        sdk_floor, boto_floor = _compare(lm.api.list_received_licenses, plain.list_received_licenses, calls=120)
    finally:
        gc.enable()
    lines.append(
        f"  same, collector paused in the benchmark: SDK {sdk_floor * 1e3:.2f} ms vs boto3 {boto_floor * 1e3:.2f} ms "
        f"= {sdk_floor / boto_floor:.2f}x"
    )
    lines.append(
        f"  GC-tracked objects the page's result holds: SDK {_tracked(lm.api.list_received_licenses)} "
        f"vs boto3 {_tracked(plain.list_received_licenses)}"
    )

    plain_get = session.client("license-manager", endpoint_url="http://localhost.invalid")
    lm_get = LicenseManager(session=session, endpoint_url="http://localhost.invalid")
    _canned(plain_get, GET_BODY)
    _canned(lm_get.boto3_client, GET_BODY)
    arn = _license(1)["LicenseArn"]
    sdk_get, boto_get = _compare(
        lambda: lm_get.api.get_license(license_arn=arn), lambda: plain_get.get_license(LicenseArn=arn), calls=400
    )
    lines.append(
        f"GetLicense: SDK {sdk_get * 1e6:.0f} us vs boto3 {boto_get * 1e6:.0f} us "
        f"= {sdk_get / boto_get:.2f}x  [target <= 0.90x]"
    )

    sdk_start, boto_start = _startup(
        "import licensemanager_sdk; licensemanager_sdk.LicenseManager()",
        "import boto3; boto3.client('license-manager')",
    )
    lines.append(
        f"import + build a client: SDK {sdk_start * 1e3:.0f} ms vs boto3 {boto_start * 1e3:.0f} ms "
        f"= {sdk_start / boto_start:.2f}x  [target <= 1.15x]"
    )
    return lines
