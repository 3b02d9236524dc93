"""docs/local.md's coverage table lists every operation of botocore's model, and says what the engine implements."""

from __future__ import annotations

import re
from pathlib import Path

from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.local.core.model import operations

DOC = Path(__file__).resolve().parents[3] / "docs" / "local.md"


def test_coverage_table_matches_the_engine(emulator: LocalLicenseManager) -> None:
    text = DOC.read_text()
    table = text.split("<!-- coverage:begin", 1)[1].split("<!-- coverage:end -->", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| (yes|no) \|$", table, re.MULTILINE))
    expected = {
        op: "yes" if emulator.engine.implements("license-manager", op) else "no" for op in operations("license-manager")
    }
    assert rows == expected, "regenerate the coverage table of docs/local.md"
    implemented = sum(value == "yes" for value in expected.values())
    assert f"{implemented} of {len(expected)} operations implemented." in table
