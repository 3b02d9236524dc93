"""The examples run (on the embedded local service), and the docs quote them exactly."""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path

import pytest

from examples import (
    async_quickstart,
    client_options,
    demo,
    pagination,
    quickstart,
    retries_and_errors,
    software_outside_aws,
)
from licensemanager_sdk.local import LocalLicenseManager

ROOT = Path(__file__).resolve().parent.parent


def test_quickstart_runs(capsys: pytest.CaptureFixture[str]) -> None:
    local = LocalLicenseManager()
    arn = quickstart.main(local.client(account="111111111111"))
    out = capsys.readouterr().out
    assert arn.startswith("arn:aws:license-manager::111111111111:license:l-")
    assert "Example Pro: AVAILABLE" in out
    assert arn in out
    assert "typed error: InvalidParameterValueError" in out


def test_retries_and_errors_runs(capsys: pytest.CaptureFixture[str]) -> None:
    retries_and_errors.main(LocalLicenseManager())
    out = capsys.readouterr().out
    assert "created after 3 attempts" in out
    assert "NoEntitlementsAllowedException" in out


def test_pagination_runs(capsys: pytest.CaptureFixture[str]) -> None:
    lm = LocalLicenseManager().client(account="111111111111")
    arn = quickstart.main(lm)
    created = [lm.api.create_token(license_arn=arn).token_id for _ in range(5)]
    capsys.readouterr()
    pagination.main(lm, arn)
    out = capsys.readouterr().out
    assert [line.split()[1] for line in out.splitlines() if line.startswith("token ")] == created
    assert out.count("page of 2, next token: True") == 2
    assert "page of 1, next token: False" in out
    assert f"first three: {created[:3]}" in out


def test_client_options_runs_over_http(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalLicenseManager() as local, local.serve() as server:
        client_options.main(server.url)
    out = capsys.readouterr().out
    assert out.count("0 license(s), request ") == 3


def test_software_outside_aws_runs_over_http(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalLicenseManager() as local, local.serve() as server:
        software_outside_aws.main(server.url)
    out = capsys.readouterr().out
    assert "and arn:aws:iam::222222222222:role/AcmeConsumer" in out
    assert "checked out Users: True" in out
    assert "acting as arn:aws:sts::222222222222:assumed-role/AcmeConsumer/licensemanager-sdk-" in out


_QUOTE = re.compile(r"<!-- example: (?P<path>[\w/.]+) -->\n```python\n(?P<code>.*?)```", re.S)


def test_docs_quote_the_examples_verbatim() -> None:
    quotes = [(page, m) for page in sorted((ROOT / "docs").glob("*.md")) for m in _QUOTE.finditer(page.read_text())]
    assert quotes, "no docs page quotes an example"
    for page, match in quotes:
        example = (ROOT / match["path"]).read_text()
        assert match["code"] == example, f"{page.name} quotes {match['path']} but differs from it: copy it again"


def test_async_quickstart_runs() -> None:
    out = asyncio.run(async_quickstart.run())
    assert out.startswith("['Example Pro'] licenses=1 grants=")
    assert "'created': 2" in out


def test_the_demo_hands_over_to_software_outside_aws(capsys: pytest.CaptureFixture[str]) -> None:
    stage = demo.Stage(argparse.Namespace(profile=None))
    license = demo.issue_license(stage, None)
    demo.grant_to_buyer(stage, license)
    capsys.readouterr()
    demo.outside_aws(stage, license)
    out = " ".join(capsys.readouterr().out.split())
    assert "The buyer creates role arn:aws:iam::222222222222:role/AcmeConsumer" in out
    assert "given only the token and the role, checks out Users: True" in out
    assert "the SDK refreshed them: Users True" in out
