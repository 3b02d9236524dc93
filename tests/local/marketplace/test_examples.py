"""examples/marketplace_product passes with the fixtures of licensemanager_sdk.testing, and the guide quotes it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
GUIDE = REPO / "docs" / "testing-marketplace-products.md"


def test_the_marketplace_product_example_passes() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "examples/marketplace_product"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_the_guide_quotes_the_example_exactly() -> None:
    blocks = re.findall(r"```python\n# (examples/\S+\.py)[^\n]*\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    assert len(blocks) >= 2
    for path, code in blocks:
        assert code.strip() in (REPO / path).read_text(), f"{GUIDE.name} no longer quotes {path}"
