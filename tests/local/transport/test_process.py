"""`python -m licensemanager_sdk.local` as a process: readiness, SIGTERM, durability across kill -9,
and unmodified boto3 programs pointed at it with AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import boto3
import pytest

from licensemanager_sdk.local import LocalServer
from tests.local._process import local_service_process

from .support import http_client, license_params, raw_request


def test_sigterm_stops_cleanly(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    with local_service_process("--state", str(state), capture=True) as (process, url):
        client = http_client(url)
        arn = client.create_license(**license_params("sigterm"))["LicenseArn"]
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
        assert process.returncode == 0, err
        assert "listening on " + url in out
        assert "stopped" in out
        assert "Traceback" not in err
    # The file is a consistent, closed SQLite database that holds the license.
    with closing(sqlite3.connect(state)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not Path(f"{state}-wal").exists() or Path(f"{state}-wal").stat().st_size == 0
    with local_service_process("--state", str(state)) as (_, url):
        assert http_client(url).get_license(LicenseArn=arn)["License"]["LicenseArn"] == arn


def test_ctrl_c_stops_cleanly() -> None:
    with local_service_process(capture=True) as (process, _):
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=15)
        assert process.returncode == 0, err


def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    with local_service_process("--state", str(state), "--region", "eu-west-1") as (process, url):
        client = http_client(url, region="eu-west-1")
        arns = [
            client.create_license(**license_params(f"k9-{n}", home_region="eu-west-1"))["LicenseArn"] for n in range(3)
        ]
        health = json.loads(raw_request(url, "GET", "/_local/health")[2])
        assert health["state_path"] == str(state) and health["region"] == "eu-west-1"
        process.kill()  # SIGKILL: no chance to flush anything
        process.wait(timeout=10)
    with local_service_process("--state", str(state)) as (_, url):
        client = http_client(url, region="eu-west-1")
        listed = sorted(lic["LicenseArn"] for lic in client.list_licenses()["Licenses"])
        assert listed == sorted(arns)
        replay = client.create_license(**license_params("k9-0", home_region="eu-west-1"))
        assert replay["LicenseArn"] == arns[0]  # the ClientToken record survived too


def test_unmodified_boto3_programs_use_aws_endpoint_url(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "555566667777")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    session = boto3.Session()
    assert session.client("sts").get_caller_identity()["Account"] == "555566667777"
    kms = session.client("kms")
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert key["Arn"].startswith("arn:aws:kms:us-west-2:555566667777:key/")
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyId"] == key["KeyId"]
    assert kms.get_public_key(KeyId=key["KeyId"])["PublicKey"]
    signature = kms.sign(
        KeyId=key["KeyId"], Message=b"hello", MessageType="RAW", SigningAlgorithm="RSASSA_PSS_SHA_256"
    )["Signature"]
    verified = kms.verify(
        KeyId=key["KeyId"],
        Message=b"hello",
        MessageType="RAW",
        Signature=signature,
        SigningAlgorithm="RSASSA_PSS_SHA_256",
    )
    assert verified["SignatureValid"] is True
    lm = session.client("license-manager")
    arn = lm.create_license(**license_params("env", home_region="us-west-2"))["LicenseArn"]
    assert ":555566667777:" in arn


def test_a_busy_port_is_a_clear_error(server: LocalServer) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "licensemanager_sdk.local", "--port", str(server.port)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{server.port}" in result.stderr
    assert "Traceback" not in result.stderr
