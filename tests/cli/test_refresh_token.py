"""Runtime commands (`lmsdk checkout ...`) with a license refresh token: the token from a file or
$LMSDK_REFRESH_TOKEN, never from argv, with --role-arn; the calls act as the role session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from licensemanager_sdk.cli.main import lmsdk as cli
from tests.cli.conftest import BUYER, FINGERPRINT, Shell, _runner
from tests.local.sts.conftest import Flow

NO_AWS_KEYS = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_SESSION_TOKEN": None, "AWS_PROFILE": None}


class Runtime:
    """The buyer's consumption role and a refresh token for the granted license (written to a 0600 file)."""

    def __init__(self, shell: Shell, license_arn: str, tmp_path: Path) -> None:
        flow = Flow(shell.local, shell.url)
        self.shell = shell
        self.role_arn = flow.role()
        self.token = flow.refresh_token(license_arn)
        self.token_file = tmp_path / "refresh-token"
        self.token_file.write_text(self.token + "\n")
        self.token_file.chmod(0o600)

    def run(self, *args: str, env: dict[str, str | None] | None = None) -> Result:
        environment = {**NO_AWS_KEYS, "AWS_DEFAULT_REGION": "us-east-1", "LMSDK_REFRESH_TOKEN": None, **(env or {})}
        return _runner().invoke(cli, ["--endpoint-url", self.shell.url, *args], env=environment)


@pytest.fixture
def runtime(shell: Shell, license_arn: str, granted: str, tmp_path: Path) -> Runtime:
    del granted  # the buyer holds an ACTIVE grant that allows CreateToken
    return Runtime(shell, license_arn, tmp_path)


TRY = ("checkout", "try", "--sku", "CLI-SKU", "--fingerprint", FINGERPRINT, "--entitlement", "Users=1")


def test_checkout_try_with_the_token_from_a_file(runtime: Runtime, license_arn: str) -> None:
    result = runtime.run(*TRY, "--role-arn", runtime.role_arn, "--refresh-token-file", str(runtime.token_file))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert json.loads(result.stdout)["LicenseArn"] == license_arn
    assert runtime.token not in result.stdout + result.stderr


def test_checkout_try_with_the_token_from_the_environment(runtime: Runtime) -> None:
    env = {"LMSDK_REFRESH_TOKEN": runtime.token, "LMSDK_ROLE_ARN": runtime.role_arn}
    result = runtime.run(*TRY, "--keep", env=env)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    usage = runtime.shell.ok("licenses", "usage", json.loads(result.stdout)["LicenseArn"])
    assert {u["Name"]: u["ConsumedValue"] for u in usage}["Users"] == "1"  # checked out as the buyer's role


def test_checkout_verify_reads_the_kms_key_with_the_role_credentials(runtime: Runtime) -> None:
    args = ("--role-arn", runtime.role_arn, "--refresh-token-file", str(runtime.token_file))
    tried = runtime.run(*TRY, *args)
    assert tried.exit_code == 0, tried.stderr
    signed = json.loads(tried.stdout)["SignedToken"]
    verified = runtime.run("checkout", "verify", signed, "--kms-key-id", runtime.shell.key_arn, *args)
    assert verified.exit_code == 0, verified.stderr
    assert json.loads(verified.stdout)["Valid"] is True


def test_the_token_is_never_taken_from_argv(runtime: Runtime) -> None:
    result = runtime.run(*TRY, "--role-arn", runtime.role_arn, "--refresh-token", runtime.token)
    assert result.exit_code == 2
    assert "No such option" in result.stderr and "--refresh-token" in result.stderr
    assert runtime.token not in result.stderr + result.stdout


def test_role_and_token_go_together(runtime: Runtime) -> None:
    alone = runtime.run(*TRY, "--role-arn", runtime.role_arn)
    assert alone.exit_code == 2
    assert "--refresh-token-file PATH, or the LMSDK_REFRESH_TOKEN environment variable" in alone.stderr
    no_role = runtime.run(*TRY, "--refresh-token-file", str(runtime.token_file))
    assert no_role.exit_code == 2 and "--refresh-token-file needs --role-arn" in no_role.stderr


def test_a_refused_token_exits_1_with_its_reason_and_without_the_token(runtime: Runtime) -> None:
    buyer = Flow(runtime.shell.local, runtime.shell.url).client("license-manager", account=BUYER)
    buyer.delete_token(TokenId=buyer.list_tokens()["Tokens"][0]["TokenId"])
    result = runtime.run(*TRY, "--role-arn", runtime.role_arn, "--refresh-token-file", str(runtime.token_file))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: RefreshTokenError: ")
    assert "refresh token was deleted" in result.stderr
    assert runtime.token not in result.stderr + result.stdout
