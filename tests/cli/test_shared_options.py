"""`--output`/`--debug` before the group or after the subcommand; `--debug` logs the SDK only, `--debug-wire`
botocore too (with a warning), and both leave the process's logging as they found it; click 8.1's progressbar."""

from __future__ import annotations

import json
import logging
from typing import Any

import click
import pytest

from licensemanager_sdk.cli.main import main
from tests.cli.conftest import BUYER, Shell

LOGGERS = ("", "licensemanager_sdk", "botocore")

# click 8.1.0's `progressbar` parameters: no `hidden` (added in 8.2).
CLICK_8_1_PROGRESSBAR = {
    "iterable", "length", "label", "show_eta", "show_percent", "show_pos", "item_show_func", "fill_char",
    "empty_char", "bar_template", "info_sep", "width", "file", "color", "update_min_steps",
}  # fmt: skip


def _logging_state() -> list[tuple[str, int, list[logging.Handler]]]:
    return [(name, logging.getLogger(name).level, list(logging.getLogger(name).handlers)) for name in LOGGERS]


def test_output_after_the_subcommand_or_the_group(shell: Shell, license_arn: str) -> None:
    usage = shell.run("licenses", "usage", license_arn, "--output", "table")  # as docs/cli.md shows it
    assert usage.exit_code == 0, usage.stderr
    header, *rows = usage.stdout.splitlines()
    assert header.split() == ["Name", "ConsumedValue", "MaxCount", "Unit"] and len(rows) == 2

    between = shell.run("licenses", "--output", "table", "list")
    assert between.exit_code == 0 and between.stdout.split()[0] == "LicenseArn"

    [line] = shell.ok("--output", "table", "licenses", "list", "--output", "json")  # the later one wins
    assert line["LicenseArn"] == license_arn

    bad = shell.run("licenses", "list", "--output", "xml")
    assert bad.exit_code == 2 and "xml" in bad.stderr


def test_debug_logs_the_sdk_only_and_restores_logging(shell: Shell, license_arn: str, granted: str) -> None:
    before = _logging_state()
    shell.local.inject_fault("ListLicenses", "ServerInternalException", times=1)
    result = shell.run("licenses", "list", "--debug")
    assert result.exit_code == 0, result.stderr
    assert "licensemanager_sdk DEBUG" in result.stderr and "Retrying" in result.stderr  # the SDK's retry log
    assert "botocore" not in result.stderr  # no wire log
    assert _logging_state() == before

    created = shell.run("--debug", "tokens", "create", license_arn, account=BUYER)
    assert created.exit_code == 0, created.stderr
    token = json.loads(created.stdout)["Token"]
    assert token not in created.stderr
    assert _logging_state() == before

    shell.local.inject_fault("ListLicenses", "ServerInternalException", times=5)
    failed = shell.run("--max-attempts", "2", "licenses", "list", "--debug")
    assert failed.exit_code == 1 and "Retrying" in failed.stderr
    assert _logging_state() == before


def test_debug_wire_warns_and_logs_botocore(shell: Shell, license_arn: str) -> None:
    before = _logging_state()
    result = shell.run("licenses", "get", license_arn, "--debug-wire")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("warning: --debug-wire") and "tokens" in result.stderr
    assert "botocore.endpoint DEBUG" in result.stderr and license_arn in result.stderr  # the request body
    assert _logging_state() == before


def test_main_restores_logging_when_it_returns(
    shell: Shell, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "111111111111",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    before = _logging_state()
    shell.local.inject_fault("ListLicenses", "ServerInternalException", times=1)
    with pytest.raises(SystemExit) as exit_:
        main(["--debug", "--endpoint-url", shell.url, "licenses", "list"])
    assert exit_.value.code == 0
    assert "Retrying" in capsys.readouterr().err
    assert _logging_state() == before


@pytest.mark.parametrize("progress", [(), ("--no-progress",)])
def test_distribute_works_with_click_8_1_progressbar(
    shell: Shell, license_arn: str, monkeypatch: pytest.MonkeyPatch, progress: tuple[str, ...]
) -> None:
    real = click.progressbar

    def progressbar_of_click_8_1(**kwargs: Any) -> Any:
        unknown = set(kwargs) - CLICK_8_1_PROGRESSBAR
        if unknown:
            raise TypeError(f"progressbar() got an unexpected keyword argument {unknown.pop()!r}")
        return real(**kwargs)

    monkeypatch.setattr(click, "progressbar", progressbar_of_click_8_1)
    result = shell.run("grants", "distribute", "--license", license_arn, BUYER, *progress)
    assert result.exit_code == 0, (result.stderr, result.exception)
    assert [json.loads(line)["outcome"] for line in result.stdout.splitlines()] == ["created"]
    assert ("Granting" in result.stderr) == (not progress)
