"""One cold start, run as a fresh process by `benchmarks/coldstart.py`: `python _coldstart_program.py sdk|floor|boto3`.

Each variant makes the same GetLicense, answered with the same canned bytes by a `before-send` handler:
- `boto3`: import boto3, build a client, call.
- `floor`: the same, plus importing pydantic and building one model from the answer (what any pydantic-based SDK pays).
- `sdk`: import licensemanager_sdk, build a `LicenseManager`, `lm.api.get_license(...)`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

ARN = "arn:aws:license-manager::111111111111:license:l-00000000000000000000000000000001"
BODY = json.dumps(
    {
        "License": {
            "LicenseArn": ARN,
            "LicenseName": "Enterprise license 1",
            "ProductName": "Example Product",
            "ProductSKU": "prod-7f3a9c",
            "Issuer": {
                "Name": "Example Seller",
                "KeyFingerprint": "aws:111111111111:Example Seller:issuer-fingerprint",
            },
            "HomeRegion": "us-east-1",
            "Status": "AVAILABLE",
            "Validity": {"Begin": "2024-01-01T00:00:00.000Z", "End": "2030-01-01T00:00:00.000Z"},
            "Beneficiary": "arn:aws:iam::222222222222:root",
            "Entitlements": [{"Name": "Users", "Unit": "Count", "MaxCount": 100, "AllowCheckIn": True}],
            "CreateTime": "1696945150",
            "Version": "3",
        }
    }
).encode()

KEPT: list[object] = []
"""Each program keeps its client to the end, as a program does: what it holds is what the interpreter's garbage
collections walk until it exits, the collection at exit included (with a dropped client, the SDK's session and its
loaded service model were freed before exit, while boto3's default session lives on)."""


def _canned(client: Any) -> None:
    from botocore.awsrequest import AWSResponse

    class _Raw:
        def stream(self, **_: Any) -> Any:
            yield BODY

    def answer(request: Any, **_: Any) -> AWSResponse:
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "cold"}
        return AWSResponse(request.url, 200, headers, _Raw())

    client.meta.events.register("before-send.license-manager", answer)


def boto3_call() -> str:
    import boto3

    client = boto3.client("license-manager", endpoint_url="http://localhost.invalid")
    KEPT.append(client)
    _canned(client)
    return str(client.get_license(LicenseArn=ARN)["License"]["Status"])


def floor_call() -> str:
    import boto3
    from pydantic import BaseModel, ConfigDict, Field

    class License(BaseModel):
        model_config = ConfigDict(extra="allow", frozen=True)

        license_arn: str | None = Field(default=None, alias="LicenseArn")
        status: str | None = Field(default=None, alias="Status")

    client = boto3.client("license-manager", endpoint_url="http://localhost.invalid")
    KEPT.append(client)
    _canned(client)
    return str(License.model_validate(client.get_license(LicenseArn=ARN)["License"]).status)


def sdk_call() -> str:
    from licensemanager_sdk import LicenseManager

    lm = LicenseManager(endpoint_url="http://localhost.invalid")
    KEPT.append(lm)
    _canned(lm.boto3_client)
    license_ = lm.api.get_license(license_arn=ARN).license
    return str(license_.status if license_ is not None else None)


if __name__ == "__main__":
    print({"boto3": boto3_call, "floor": floor_call, "sdk": sdk_call}[sys.argv[1]]())
