"""The AWS CLI (with its own pinned botocore, from .venv-awscli) works against the local HTTP service."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from licensemanager_sdk.local import LocalLicenseManager

REPO = Path(__file__).resolve().parents[3]
AWS = REPO / ".venv-awscli" / "bin" / "aws"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with LocalLicenseManager() as local, local.serve() as server:
        yield server.url


@pytest.fixture(scope="module")
def aws() -> Path:
    if not AWS.exists():
        pytest.fail(f"{AWS} is missing: run `make awscli-venv` (make test does it first)", pytrace=False)
    return AWS


def _run(aws: Path, endpoint: str, *args: str, account: str = "111122223333") -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(REPO),  # nothing under ~/.aws is read: the config files below are /dev/null
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    command = [str(aws), *args, "--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def _ok(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_license_lifecycle_with_the_aws_cli(aws: Path, endpoint: str) -> None:
    created = _ok(
        _run(
            aws,
            endpoint,
            "license-manager",
            "create-license",
            "--license-name", "CLI license",
            "--product-name", "Widget",
            "--product-sku", "cli-sku",
            "--issuer", "Name=Widget Corp",
            "--home-region", "us-east-1",
            "--validity", "Begin=2020-01-01T00:00:00Z",
            "--entitlements", "Name=Users,Unit=Count,MaxCount=10,AllowCheckIn=true",
            "--beneficiary", "customer-1",
            "--consumption-configuration", '{"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}}',
            "--client-token", "cli-create",
        )
    )  # fmt: skip
    arn = created["LicenseArn"]
    assert arn.startswith("arn:aws:license-manager::111122223333:license:l-")
    assert created["Version"] == "1"

    got = _ok(_run(aws, endpoint, "license-manager", "get-license", "--license-arn", arn))
    assert got["License"]["LicenseName"] == "CLI license"
    assert got["License"]["Entitlements"][0]["MaxCount"] == 10

    listed = _ok(_run(aws, endpoint, "license-manager", "list-licenses"))
    assert [lic["LicenseArn"] for lic in listed["Licenses"]] == [arn]

    grant = _ok(
        _run(
            aws,
            endpoint,
            "license-manager",
            "create-grant",
            "--client-token", "cli-grant",
            "--grant-name", "to buyer",
            "--license-arn", arn,
            "--principals", "arn:aws:iam::222222222222:root",
            "--home-region", "us-east-1",
            "--allowed-operations", "CheckoutLicense", "CheckInLicense", "ListPurchasedLicenses",
        )
    )  # fmt: skip
    assert grant["GrantArn"].startswith("arn:aws:license-manager::111122223333:grant:g-")
    received = _ok(_run(aws, endpoint, "license-manager", "list-received-grants", account="222222222222"))
    assert [g["GrantArn"] for g in received["Grants"]] == [grant["GrantArn"]]


def test_service_errors_exit_non_zero_with_the_aws_error_text(aws: Path, endpoint: str) -> None:
    unknown = "arn:aws:license-manager::111122223333:license:l-00000000000000000000000000000000"
    result = _run(aws, endpoint, "license-manager", "get-license", "--license-arn", unknown)
    assert result.returncode == 255  # AWS CLI v1: 255 for a service error (v2 uses 254)
    assert "An error occurred (InvalidParameterValueException) when calling the GetLicense operation" in result.stderr


def test_sts_get_caller_identity_with_the_aws_cli(aws: Path, endpoint: str) -> None:
    identity = _ok(_run(aws, endpoint, "sts", "get-caller-identity", account="444455556666"))
    assert identity["Account"] == "444455556666"
    assert identity["Arn"] == "arn:aws:iam::444455556666:root"
