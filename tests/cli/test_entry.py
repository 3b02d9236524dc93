"""The ways into `lmsdk`: `python -m licensemanager_sdk.cli`, and the install hint when pyyaml is missing."""

from __future__ import annotations

import subprocess
import sys


def test_python_m_licensemanager_sdk_cli() -> None:
    command = [sys.executable, "-m", "licensemanager_sdk.cli", "--help"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: lmsdk") and "licenses" in done.stdout and "--debug-wire" in done.stdout


def test_missing_pyyaml_prints_the_install_hint() -> None:
    code = "import sys; sys.modules['yaml'] = None; from licensemanager_sdk.cli import run; run(['--help'])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "yaml is missing" in done.stderr and "pip install 'aws-license-manager-sdk[cli]'" in done.stderr


def test_the_library_never_imports_click() -> None:
    code = (
        "import sys; sys.modules['click'] = None; import licensemanager_sdk as s;"
        " from licensemanager_sdk import LicenseManager, resources, entitlements, testing, local"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
