"""`lmsdk` against the local service over HTTP (`--endpoint-url`), as the seller or the buyer account."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner, Result

from licensemanager_sdk.cli.main import lmsdk as cli
from licensemanager_sdk.local import LocalLicenseManager, Settings

SELLER = "111111111111"
BUYER = "222222222222"
FINGERPRINT = f"aws:{SELLER}:My Company:issuer-fingerprint"

LICENSE_YAML = """\
LicenseName: CLI license
ProductName: Product
ProductSKU: CLI-SKU
Issuer: {Name: My Company, SignKey: %(key)s}
Validity: {Begin: "2020-01-01T00:00:00Z"}
Beneficiary: My Beneficiary
Entitlements:
  - {Name: Users, Unit: Count, MaxCount: 2, Overage: false, AllowCheckIn: true}
  - {Name: Premium, Unit: None, Value: Enabled}
ConsumptionConfiguration:
  ProvisionalConfiguration: {MaxTimeToLiveInMinutes: 60}
"""


def _runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (click 8.1 mixes them unless told; 8.2 dropped the option)."""
    if "mix_stderr" in inspect.signature(CliRunner).parameters:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg,unused-ignore]
    return CliRunner()


@dataclass
class Shell:
    local: LocalLicenseManager
    url: str
    key_arn: str

    def run(self, *args: str, account: str = SELLER, input: str | None = None) -> Result:
        env = {"AWS_ACCESS_KEY_ID": account, "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1"}
        return _runner().invoke(cli, ["--endpoint-url", self.url, *args], env=env, input=input)

    def ok(self, *args: str, account: str = SELLER, input: str | None = None) -> list[dict[str, Any]]:
        """Run, expect exit 0, and parse stdout as JSON lines."""
        result = self.run(*args, account=account, input=input)
        assert result.exit_code == 0, (result.output, result.stderr, result.exception)
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def shell(tmp_path: Any) -> Iterator[Shell]:
    with LocalLicenseManager(settings=Settings(reuse_rsa_keys=True)) as local:
        kms = local.boto3_client("kms", account=SELLER)
        key_arn = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
        server = local.serve()
        yield Shell(local, server.url, key_arn)


@pytest.fixture
def license_arn(shell: Shell, tmp_path: Any) -> str:
    path = tmp_path / "license.yaml"
    path.write_text(LICENSE_YAML % {"key": shell.key_arn})
    [created] = shell.ok("licenses", "create", "--file", str(path))
    arn: str = created["LicenseArn"]
    return arn


@pytest.fixture
def granted(shell: Shell, license_arn: str) -> str:
    """The license granted to the buyer, accepted and activated; returns the grant ARN."""
    ops = ("CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense", "ListPurchasedLicenses", "CreateToken")
    operations = [f"--operation={op}" for op in ops]
    [line] = shell.ok("grants", "distribute", "--license", license_arn, BUYER, "--no-progress", *operations)
    grant: str = line["grant_arn"]
    [active] = shell.ok("grants", "activate", grant, account=BUYER)
    assert active["Status"] == "ACTIVE"
    return grant
