"""examples/runtime_checks.py runs; examples/demo.py (what `make demo` runs) tells the whole story."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from examples import runtime_checks
from licensemanager_sdk.local import LocalLicenseManager

ROOT = Path(__file__).resolve().parents[2]


def test_runtime_checks_example(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalLicenseManager() as local:
        runtime_checks.main(local)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "tier: IntermediateTier"
    assert re.fullmatch(r"signed token verified: 5 Users until \d\d:\d\d UTC", out[1])
    assert out[2:5] == ["serving with 5 seats"] * 3
    assert out[5] == "second checkout refused: NoEntitlementsAllowedException"


def test_demo_tells_the_story() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())  # undo the narration's line wrapping
    for expected in (
        "on the embedded local service",
        "creates an RSA signing key in KMS",
        "3 Users seats and the IntermediateTier, status AVAILABLE",
        "The buyer sees it as PENDING_ACCEPT",
        "now ACTIVE",
        "the customer has IntermediateTier",
        "Checked out 2 Users seats",
        "lease.has('Users') -> True, lease.quantity('Users') -> 2",
        "no network call",
        "PS384 signature OK",
        "the token grants Users=2",
        "expiration moved",
        "NoEntitlementsAllowedError",
        "accept_and_activate",
        "usage: Users 2 of 3 in use",
        "usage: Users 0 of 3 in use",
        "50 principals, 50 created, 0 already present, 0 failed",
    ):
        assert expected in out, expected
    moved = re.search(r"expiration moved (\d\d):(\d\d):\d\d -> (\d\d):(\d\d):\d\d", out)
    assert moved is not None
    minutes = lambda h, m: int(h) * 60 + int(m)  # noqa: E731
    assert (minutes(moved[3], moved[4]) - minutes(moved[1], moved[2])) % (24 * 60) == 41
    assert "Traceback" not in done.stderr
