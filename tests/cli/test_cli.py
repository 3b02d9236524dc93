"""Every `lmsdk` command against the local service: JSON lines on stdout, exit codes 0/1/2."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from licensemanager_sdk.local import LocalLicenseManager
from tests.cli.conftest import BUYER, FINGERPRINT, SELLER, Shell


def test_licenses_create_get_list_and_usage(shell: Shell, license_arn: str, tmp_path: Path) -> None:
    [got] = shell.ok("licenses", "get", license_arn)
    assert got["LicenseArn"] == license_arn and got["ProductSKU"] == "CLI-SKU"
    assert got["Issuer"]["KeyFingerprint"] == FINGERPRINT
    assert "ValidationException" not in json.dumps(got)

    json_file = tmp_path / "second.json"
    json_file.write_text(
        json.dumps(
            {
                "LicenseName": "Second",
                "ProductName": "P",
                "ProductSKU": "OTHER",
                "Issuer": {"Name": "My Company"},
                "Validity": {"Begin": "2020-01-01T00:00:00Z"},
                "Beneficiary": "b",
                "Entitlements": [{"Name": "Users", "Unit": "Count", "MaxCount": 1}],
                "ConsumptionConfiguration": {"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
            }
        )
    )
    shell.ok("licenses", "create", "--file", str(json_file))

    listed = shell.ok("licenses", "list")
    assert sorted(item["ProductSKU"] for item in listed) == ["CLI-SKU", "OTHER"]  # one object per line
    assert [i["ProductSKU"] for i in shell.ok("licenses", "list", "--sku", "OTHER")] == ["OTHER"]

    usage = shell.ok("licenses", "usage", license_arn)
    assert {u["Name"]: u["ConsumedValue"] for u in usage} == {"Users": "0", "Premium": "0"}

    table = shell.run("--output", "table", "licenses", "list")
    assert table.exit_code == 0
    header, *rows = table.stdout.splitlines()
    assert header.split() == ["LicenseArn", "LicenseName", "ProductSKU", "Status", "Version"]
    assert len(rows) == 2


def test_grants_distribute_accept_activate_reject_and_list(shell: Shell, license_arn: str, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.txt"
    accounts.write_text("# buyers\n222222222222\n333333333333  # second\n\n")
    dry = shell.ok("grants", "distribute", "--license", license_arn, "--accounts", str(accounts), "--dry-run")
    assert [line["outcome"] for line in dry] == ["would_create", "would_create"]
    assert shell.ok("grants", "list", "--distributed") == []

    report = tmp_path / "report.csv"
    result = shell.run(
        "grants", "distribute", "--license", license_arn, "--accounts", str(accounts), "--report", str(report)
    )
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["outcome"] for line in lines] == ["created", "created"]
    assert "Granting" in result.stderr and "2 created" in result.stderr  # progress bar and summary on stderr
    with report.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["principal"] for row in rows] == ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]

    again = shell.ok("grants", "distribute", "--license", license_arn, "--accounts", str(accounts))
    assert [line["outcome"] for line in again] == ["already_present", "already_present"]

    [received] = shell.ok("grants", "list", account=BUYER)
    grant = received["GrantArn"]
    [accepted] = shell.ok("grants", "accept", grant, account=BUYER)
    assert accepted == {"GrantArn": grant, "Status": "DISABLED", "Version": accepted["Version"]}
    [active] = shell.ok("grants", "activate", grant, account=BUYER)
    assert active["Status"] == "ACTIVE"
    assert [g["GrantStatus"] for g in shell.ok("grants", "list", "--status", "ACTIVE", account=BUYER)] == ["ACTIVE"]

    [other] = shell.ok("grants", "list", account="333333333333")
    [rejected] = shell.ok("grants", "reject", other["GrantArn"], account="333333333333")
    assert rejected["Status"] == "REJECTED"

    json_report = tmp_path / "report.json"
    shell.ok("grants", "distribute", "--license", license_arn, "444444444444", "--report", str(json_report))
    assert json.loads(json_report.read_text())["summary"]["created"] == 1


def test_distribute_failures_exit_1_and_bad_input_exits_2(shell: Shell, license_arn: str) -> None:
    bogus = shell.run("grants", "distribute", "--license", license_arn, "222222222222", "--operation", "Bogus")
    assert bogus.exit_code == 2 and "Bogus" in bogus.stderr
    not_account = shell.run("grants", "distribute", "--license", license_arn, "not-an-account")
    assert not_account.exit_code == 2 and "not-an-account" in not_account.stderr
    assert shell.run("grants", "distribute", "--license", license_arn).exit_code == 2
    assert shell.run("grants", "distribute", "--license", license_arn, "1" * 12, "--report", "r.txt").exit_code == 2

    shell.local.inject_fault("CreateGrant", "ValidationException", times=1)
    result = shell.run("grants", "distribute", "--license", license_arn, "222222222222", "333333333333")
    assert result.exit_code == 1
    outcomes = sorted(json.loads(line)["outcome"] for line in result.stdout.splitlines())
    assert outcomes == ["created", "failed"] and "1 failed" in result.stderr


def test_checkout_try_and_verify_offline(shell: Shell, license_arn: str, granted: str, tmp_path: Path) -> None:
    [line] = shell.ok(
        "checkout", "try", "--sku", "CLI-SKU", "--fingerprint", FINGERPRINT,
        "--entitlement", "Users=2", "--entitlement", "Premium", "--entitlement", "Gold", "--node-id", "n1",
        account=BUYER,
    )  # fmt: skip
    assert line["LicenseArn"] == license_arn
    assert {e["Name"]: e.get("Value") for e in line["EntitlementsAllowed"]} == {"Users": "2", "Premium": "Enabled"}
    assert line["Missing"] == ["Gold"]
    assert shell.ok("licenses", "usage", license_arn)[0]["ConsumedValue"] == "0"  # checked in afterwards

    key_file = tmp_path / "key.der"
    key_file.write_bytes(shell.local.engine.kms_public_key_der(shell.key_arn))
    token = line["SignedToken"]
    [claims] = shell.ok("checkout", "verify", token, "--public-key", str(key_file), "--node-id", "n1")
    assert claims["Valid"] is True and claims["licenseArn"] == license_arn
    [by_kms] = shell.ok("checkout", "verify", "-", "--kms-key-id", shell.key_arn, input=token + "\n")
    assert by_kms["licenseConsumptionToken"] == claims["licenseConsumptionToken"]

    refused = shell.run("checkout", "verify", token, "--public-key", str(key_file), "--node-id", "n2")
    assert refused.exit_code == 1 and "node_id" in refused.stderr
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    refused = shell.run("checkout", "verify", forged, "--public-key", str(key_file))
    assert refused.exit_code == 1 and "signature" in refused.stderr
    assert shell.run("checkout", "verify", token).exit_code == 2


def test_checkout_try_seat_limit_exits_1_with_hints(shell: Shell, license_arn: str, granted: str) -> None:
    args = ("checkout", "try", "--sku", "CLI-SKU", "--fingerprint", FINGERPRINT, "--entitlement", "Users=2")
    shell.ok(*args, "--keep", account=BUYER)
    result = shell.run(*args, account=BUYER)
    assert result.exit_code == 1
    assert "NoEntitlementsAllowedException" in result.stderr and "accept_and_activate" in result.stderr
    assert "request id:" in result.stderr
    assert result.stdout == ""
    assert shell.run("checkout", "try", "--sku", "S", "--fingerprint", "f", "--entitlement", "X=0").exit_code == 2


def test_tokens_create_list_delete(shell: Shell, license_arn: str, granted: str) -> None:
    [received] = shell.ok("licenses", "list", "--received", account=BUYER)
    assert received["LicenseArn"] == license_arn and received["ReceivedMetadata"]["ReceivedStatus"] == "ACTIVE"
    assert shell.ok("licenses", "list", account=BUYER) == []  # issued by the buyer: none

    [created] = shell.ok("tokens", "create", license_arn, "--token-property", "p1", account=BUYER)
    assert created["TokenType"] == "REFRESH_TOKEN" and created["Token"].count(".") == 2  # shown once, in clear
    [listed] = shell.ok("tokens", "list", "--license", license_arn, account=BUYER)
    assert listed["TokenId"] == created["TokenId"] and listed["Status"] == "AVAILABLE"
    assert created["Token"] not in json.dumps(listed)
    assert shell.ok("tokens", "delete", created["TokenId"], account=BUYER) == [
        {"TokenId": created["TokenId"], "Status": "DELETED"}
    ]
    assert shell.ok("tokens", "list", account=BUYER)[0]["Status"] == "DELETED"


def test_service_errors_exit_1_and_usage_errors_exit_2(shell: Shell, tmp_path: Path) -> None:
    missing = f"arn:aws:license-manager::{SELLER}:license:l-00000000000000000000000000000000"
    result = shell.run("licenses", "get", missing)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "request id:" in result.stderr and result.stdout == ""

    shell.local.inject_fault("ListLicenses", "ServerInternalException", times=5)
    result = shell.run("--max-attempts", "2", "licenses", "list")
    assert result.exit_code == 1 and "ServerInternalException" in result.stderr

    assert shell.run("licenses", "frobnicate").exit_code == 2
    assert shell.run("licenses", "create").exit_code == 2
    assert shell.run("licenses", "create", "--file", str(tmp_path / "nope.yaml")).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n")
    assert shell.run("licenses", "create", "--file", str(bad)).exit_code == 2
    bad.write_text("LicenseName: x\n")
    assert shell.run("licenses", "create", "--file", str(bad)).exit_code == 2  # missing required fields
    assert shell.run("--output", "xml", "licenses", "list").exit_code == 2
    assert shell.run("--profile", "no-such-profile", "licenses", "list").exit_code == 1


def test_transport_error_exits_1() -> None:
    with LocalLicenseManager() as local:
        server = local.serve()
        url = server.url
        server.stop()
    shell = Shell(local, url, "")
    result = shell.run("--max-attempts", "1", "licenses", "list")
    assert result.exit_code == 1 and "TransportError" in result.stderr


def test_missing_click_prints_the_install_hint() -> None:
    code = "import sys; sys.modules['click'] = None; from licensemanager_sdk.cli import run as main; main(['--help'])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "pip install 'aws-license-manager-sdk[cli]'" in done.stderr


def test_lmsdk_local_serves_over_http(tmp_path: Path) -> None:
    state = str(tmp_path / "state.db")
    code = f"from licensemanager_sdk.cli import run as main; main(['local', '--port', '0', '--state', {state!r}])"
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            assert "listening on http://127.0.0.1:" in first and "state.db" in first
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert proc.returncode == 0
