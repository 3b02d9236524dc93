"""README.md is PyPI's project page: its quickstart runs as pasted, and its links work outside the repository."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _quickstart() -> str:
    section = README.split("## Quickstart", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "README.md's Quickstart has no ```python block"
    return match[1]


def test_quickstart_runs_as_pasted(tmp_path: Path) -> None:
    # A fresh interpreter outside the repository, as a pip user would paste it (no `examples`, no `tests`).
    script = tmp_path / "quickstart.py"
    script.write_text(_quickstart())
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Example Pro: 3 of 10 seats checked out\n"


def test_quickstart_uses_only_the_installed_package() -> None:
    assert not re.search(r"^\s*(from|import) (examples|tests)\b", _quickstart(), re.M)


def test_links_are_absolute() -> None:
    targets = re.findall(r"\]\(([^)]+)\)", README)
    assert targets, "README.md links to nothing"
    assert [t for t in targets if not t.startswith("https://")] == []


def test_install_and_contributor_commands_are_there() -> None:
    assert "pip install aws-license-manager-sdk" in README
    assert "'aws-license-manager-sdk[cli]'" in README and "'aws-license-manager-sdk[stubs]'" in README
    contributing = README.split("## Contributing", 1)[1]
    assert "make demo" in contributing and "make test" in contributing


def test_docs_index_shows_the_same_quickstart() -> None:
    index = (ROOT / "docs" / "index.md").read_text().split("## Quickstart", 1)[1]
    assert f"```python\n{_quickstart()}```" in index, "copy README.md's quickstart block into docs/index.md again"
