"""The --state file: one server at a time, created 0600, unusable files refused in one line with exit 2."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.local.core.statefile import StateFileError

from .support import create_license


def _serve(state: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "licensemanager_sdk.local", "--port", "0", "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run(state: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "licensemanager_sdk.local", "--port", "0", "--state", str(state)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_second_server_on_one_state_file_exits_2_naming_the_owner(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    first = _serve(state)
    try:
        assert first.stdout is not None
        assert "listening on" in first.stdout.readline()
        second = _run(state)
        assert second.returncode == 2
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and f"process {first.pid}" in lines[0] and "Traceback" not in second.stderr
    finally:
        first.terminate()
        first.communicate(timeout=30)


def test_state_file_is_created_0600(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with LocalLicenseManager(state_path=state) as local:
        create_license(local)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600


def test_a_second_emulator_in_process_is_refused_until_the_first_closes(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with LocalLicenseManager(state_path=state), pytest.raises(StateFileError, match=f"process {os.getpid()}"):
        LocalLicenseManager(state_path=state)
    with LocalLicenseManager(state_path=state):
        pass


@pytest.mark.parametrize("case", ["missing-directory", "directory", "not-sqlite"])
def test_unusable_state_file_is_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    if case == "missing-directory":
        state = tmp_path / "nowhere" / "state.db"
    elif case == "directory":
        state = tmp_path
    else:
        state = tmp_path / "notes.txt"
        state.write_text("my notes, not a database\n")
    before = state.read_bytes() if state.is_file() else None
    started = time.monotonic()
    result = _run(state)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert str(state) in result.stderr
    assert time.monotonic() - started < 60
    if before is not None:
        assert state.read_bytes() == before
