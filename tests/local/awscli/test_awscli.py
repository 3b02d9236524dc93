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


def _run(
    aws: Path, endpoint: str, *args: str, account: str = "111122223333", session: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(REPO),  # nothing under ~/.aws is read: the config files below are /dev/null
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    if session is not None:  # temporary credentials from AssumeRoleWithWebIdentity
        env["AWS_ACCESS_KEY_ID"] = session["AccessKeyId"]
        env["AWS_SECRET_ACCESS_KEY"] = session["SecretAccessKey"]
        env["AWS_SESSION_TOKEN"] = session["SessionToken"]
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


def test_refresh_token_hand_over_with_the_aws_cli(aws: Path, endpoint: str) -> None:
    account = "555566667777"
    lm = "openid-license-manager.amazonaws.com"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": lm},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "ForAnyValue:StringLike": {f"{lm}:amr": f"aws:license-manager:token-issuer-account-id:{account}"}
                },
            }
        ],
    }
    permissions = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "license-manager:CheckoutLicense", "Resource": "*"}],
    }
    policy = _ok(
        _run(aws, endpoint, "iam", "create-policy", "--policy-name", "Consume",
             "--policy-document", json.dumps(permissions), account=account)
    )["Policy"]  # fmt: skip
    assert policy["Arn"] == f"arn:aws:iam::{account}:policy/Consume"
    role = _ok(
        _run(aws, endpoint, "iam", "create-role", "--role-name", "Consumer",
             "--assume-role-policy-document", json.dumps(trust), account=account)
    )["Role"]  # fmt: skip
    assert role["Arn"] == f"arn:aws:iam::{account}:role/Consumer"
    _ok(_run(aws, endpoint, "iam", "attach-role-policy", "--role-name", "Consumer", "--policy-arn", policy["Arn"],
             account=account))  # fmt: skip
    attached = _ok(
        _run(aws, endpoint, "iam", "list-attached-role-policies", "--role-name", "Consumer", account=account)
    )
    assert attached["AttachedPolicies"] == [{"PolicyName": "Consume", "PolicyArn": policy["Arn"]}]

    arn = _ok(
        _run(aws, endpoint, "license-manager", "create-license",
             "--license-name", "CLI token license", "--product-name", "Widget", "--product-sku", "cli-token-sku",
             "--issuer", "Name=Widget Corp", "--home-region", "us-east-1", "--validity", "Begin=2020-01-01T00:00:00Z",
             "--entitlements", "Name=Users,Unit=Count,MaxCount=10,AllowCheckIn=true", "--beneficiary", "customer-1",
             "--consumption-configuration", '{"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}}',
             "--client-token", "cli-token-license", account=account)
    )["LicenseArn"]  # fmt: skip
    refresh = _ok(
        _run(aws, endpoint, "license-manager", "create-token", "--license-arn", arn, "--client-token", "cli-token",
             account=account)
    )["Token"]  # fmt: skip
    access = _ok(_run(aws, endpoint, "license-manager", "get-access-token", "--token", refresh, "--no-sign-request"))
    assumed = _ok(
        _run(aws, endpoint, "sts", "assume-role-with-web-identity", "--role-arn", role["Arn"],
             "--role-session-name", "cli", "--web-identity-token", access["AccessToken"], "--no-sign-request")
    )  # fmt: skip
    assert assumed["Credentials"]["AccessKeyId"].startswith("ASIA")
    identity = _ok(_run(aws, endpoint, "sts", "get-caller-identity", session=assumed["Credentials"]))
    assert identity["Arn"] == f"arn:aws:sts::{account}:assumed-role/Consumer/cli"

    token = assumed["Credentials"]["SessionToken"]
    forged = {**assumed["Credentials"], "SessionToken": ("y" if token[0] == "x" else "x") + token[1:]}  # one char off
    result = _run(aws, endpoint, "sts", "get-caller-identity", session=forged)
    assert result.returncode == 255
    assert "(InvalidClientTokenId)" in result.stderr
    assert "The security token included in the request is invalid" in result.stderr
    missing = _run(aws, endpoint, "sts", "assume-role-with-web-identity", "--role-arn",
                   f"arn:aws:iam::{account}:role/Missing", "--role-session-name", "cli",
                   "--web-identity-token", access["AccessToken"], "--no-sign-request")  # fmt: skip
    assert "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation" in missing.stderr
