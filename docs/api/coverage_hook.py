"""mkdocs hook: the build fails when a public name has no entry in the API reference.

Every name in the `__all__` of a public module must resolve in the site's object inventory (objects.inv), which lists
each rendered object under all the paths it is importable from: a re-export counts as documented where its home
module documents it.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

__all__ = ["PUBLIC_MODULES", "on_post_build", "undocumented"]

# The modules docs/api/ renders; keep in step with its `:::` directives.
PUBLIC_MODULES = (
    "licensemanager_sdk",
    "licensemanager_sdk.types",
    "licensemanager_sdk.pagination",
    "licensemanager_sdk.resources",
    "licensemanager_sdk.entitlements",
    "licensemanager_sdk.local",
    "licensemanager_sdk.testing",
    "licensemanager_sdk.credentials",
    "licensemanager_sdk.aio",
)

_log = logging.getLogger("mkdocs.hooks.api_coverage")  # under "mkdocs", so a warning fails the strict build


def undocumented(documented: set[str]) -> list[str]:
    """The `module.name` paths of public names that no reference page renders."""
    return [
        f"{module}.{name}"
        for module in PUBLIC_MODULES
        for name in importlib.import_module(module).__all__
        if f"{module}.{name}" not in documented
    ]


def on_post_build(config: MkDocsConfig) -> None:
    """Warn (and so fail the strict build) once per public name missing from the built inventory."""
    from mkdocstrings import Inventory  # here, so the test suite loads this hook without the docs tools installed

    with (Path(config.site_dir) / "objects.inv").open("rb") as inventory:
        documented = set(Inventory.parse_sphinx(inventory))
    for path in undocumented(documented):
        _log.warning(f"{path} is public but has no entry in the API reference: render it in a docs/api/ page")
