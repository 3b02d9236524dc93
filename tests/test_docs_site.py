"""The API reference covers the public modules, and its build hook names every public name it misses."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _coverage_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("coverage_hook", ROOT / "docs" / "api" / "coverage_hook.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_public_module_has_a_reference_page() -> None:
    directives = {
        m[1]
        for page in (ROOT / "docs" / "api").glob("*.md")
        for m in re.finditer(r"^::: (\S+)", page.read_text(), re.M)
    }
    for module in _coverage_hook().PUBLIC_MODULES:
        assert any(d == module or d.startswith(f"{module}.") for d in directives), f"no docs/api page renders {module}"
    private = [d for d in directives if re.search(r"\._(?!_)", d)]
    assert not private, f"{private}: reference public paths (not private modules) so the pages survive moves"


def test_undocumented_names_each_public_name_missing_from_the_inventory() -> None:
    hook = _coverage_hook()
    everything = {f"{m}.{n}" for m in hook.PUBLIC_MODULES for n in importlib.import_module(m).__all__}
    assert "licensemanager_sdk.LicenseManager" in hook.undocumented(set())
    assert "licensemanager_sdk.entitlements.Lease" in hook.undocumented(set())
    assert hook.undocumented(everything) == []
    assert hook.undocumented(everything - {"licensemanager_sdk.resources.Grant"}) == [
        "licensemanager_sdk.resources.Grant"
    ]


def test_the_site_builds_offline_and_strict() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.SafeLoader)
    assert config["strict"] is True
    assert config["theme"]["font"] is False  # no Google Fonts at build or view time
    assert all(value == "warn" for value in config["validation"].values())
    handlers = next(p["mkdocstrings"] for p in config["plugins"] if isinstance(p, dict) and "mkdocstrings" in p)
    assert "inventories" not in handlers["handlers"]["python"]  # nothing fetched from the web
    assert "docs/api/coverage_hook.py" in config["hooks"]
