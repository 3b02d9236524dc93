"""The `[stubs]` extra installs every stub package the SDK's annotations name (tests/typing/ is checked by mypy)."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]


def test_stubs_extra_provides_every_stub_module_the_package_names() -> None:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["stubs"]
    provided = {re.split(r"[<>=\[; ]", requirement, maxsplit=1)[0] for requirement in extra}
    named = {
        match.replace("_", "-")
        for module in (ROOT / "licensemanager_sdk").rglob("*.py")
        for match in re.findall(r"^\s*from (mypy_boto3_[a-z_0-9]+) import", module.read_text(), re.M)
    }
    assert {"mypy-boto3-license-manager", "mypy-boto3-kms"} <= named
    assert named <= provided, f"add {sorted(named - provided)} to the [stubs] extra in pyproject.toml"
    assert "boto3-stubs" in provided  # boto3.Session().client("kms") etc. typed in the user's own code too
