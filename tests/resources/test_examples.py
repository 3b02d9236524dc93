"""examples/application_code.py and examples/grant_distribution.py run on the embedded local service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from examples import application_code, grant_distribution
from licensemanager_sdk.local import LocalLicenseManager

from .conftest import BUYER, SELLER


def test_application_code_runs(capsys: pytest.CaptureFixture[str]) -> None:
    local = LocalLicenseManager()
    arn = application_code.main(local.client(account=SELLER), local.client(account=BUYER))
    out = capsys.readouterr().out
    assert arn.startswith(f"arn:aws:license-manager::{SELLER}:license:l-")
    assert "Example Pro v1: AVAILABLE" in out
    assert "grant customer-1: ACTIVE (v3)" in out
    assert "received example-pro: ACTIVE" in out
    assert "SecretStr('**********')" in out
    assert "now v2: 50 users" in out
    assert "stale snapshot refused: ConflictException" in out


def test_grant_distribution_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lm = LocalLicenseManager().client(account=SELLER)
    license = grant_distribution.example_license(lm)
    report = grant_distribution.main(lm, license, tmp_path)
    out = capsys.readouterr().out
    assert len(report.created) == len(grant_distribution.ACCOUNTS) == 25
    assert "25 to create, 0 already present (dry run)" in out
    assert "25 created, 0 already present, 0 failed" in out
    assert "0 created, 25 already present, 0 failed" in out
    assert json.loads((tmp_path / "distribution.json").read_text())["summary"]["created"] == 25
    assert len((tmp_path / "distribution.csv").read_text().splitlines()) == 26


def test_docs_quote_these_examples() -> None:
    root = Path(__file__).resolve().parents[2]
    for page, example in (
        ("docs/application-code.md", "examples/application_code.py"),
        ("docs/grant-distribution.md", "examples/grant_distribution.py"),
    ):
        code = (root / example).read_text()
        assert f"<!-- example: {example} -->\n```python\n{code}```" in (root / page).read_text(), page
