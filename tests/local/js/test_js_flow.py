"""The AWS SDK for JavaScript v3 (pinned in package-lock.json, installed by `make js-deps`) runs AWS's NodeJS
sample flow over HTTP against a `LocalServer`: flow.mjs prints what it saw as one JSON object."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from licensemanager_sdk.local import LocalLicenseManager, Settings
from tests._constants import BUYER

HERE = Path(__file__).resolve().parent
SESSION_ARN = f"arn:aws:sts::{BUYER}:assumed-role/LicenseConsumptionRole/js-sample"


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "@aws-sdk" / "client-sts").is_dir():
        pytest.fail(f"node and {HERE}/node_modules are needed: run `make js-deps` (make test does it first)")
    home = tmp_path_factory.mktemp("home")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),  # no ~/.aws: a call that needed credentials it was not given would fail
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    with LocalLicenseManager(settings=Settings(reuse_rsa_keys=True)) as local, local.serve() as server:
        result = subprocess.run(
            [node, "flow.mjs"],
            cwd=HERE,
            env={**env, "ENDPOINT": server.url},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    yield json.loads(result.stdout.strip().splitlines()[-1])


def test_the_sample_flow_runs_with_temporary_credentials(seen: dict[str, Any]) -> None:
    assert seen["roleArn"] == f"arn:aws:iam::{BUYER}:role/LicenseConsumptionRole"
    assert seen["policyArn"] == f"arn:aws:iam::{BUYER}:policy/LicenseConsumptionPolicy"
    assert seen["accessKeyPrefix"] == "ASIA"
    assert seen["expirationIsDate"] is True  # the XML timestamp parsed as a Date
    assert seen["assumedRoleArn"] == seen["callerArn"] == SESSION_ARN
    assert seen["checkedOut"] == ["Users"]
    assert seen["checkedIn"] is True


def test_get_access_token_went_unsigned(seen: dict[str, Any]) -> None:
    assert "authorization" not in seen["unsignedHeaders"]
    assert "x-amz-target" in seen["unsignedHeaders"]


def test_what_the_service_refuses(seen: dict[str, Any]) -> None:
    assert seen["tamperedToken"] == {
        "code": "InvalidIdentityTokenException",  # the SDK's name for InvalidIdentityToken
        "status": 400,
        "message": "The web identity token could not be validated by AWS.",
    }
    assert seen["missingRole"]["code"] == "AccessDenied"
    assert seen["missingRole"]["status"] == 403
    assert seen["missingRole"]["message"].startswith("Not authorized to perform sts:AssumeRoleWithWebIdentity")
    assert seen["forgedSessionToken"] == {
        "code": "UnrecognizedClientException",
        "status": 400,
        "message": "The security token included in the request is invalid",
    }
    assert seen["tamperedRefreshToken"]["code"] == "ValidationException"
