"""The resource layer's import graph: acyclic inside resources/, and every module importable on its own."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import licensemanager_sdk.resources

PACKAGE = Path(licensemanager_sdk.resources.__file__).parent
MODULES = sorted(
    "licensemanager_sdk." + ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
    for path in PACKAGE.rglob("*.py")
)


def _runtime_imports(module: str) -> set[str]:
    """The resources modules `module` imports when it runs (not those under `if TYPE_CHECKING:`)."""
    relative = module.removeprefix("licensemanager_sdk.").split(".")
    path = PACKAGE.parent.joinpath(*relative)
    source = (path / "__init__.py") if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(source.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child])

    visit(tree.body)
    return {name for name in found if name in MODULES and name != module}


def test_the_modules_are_found() -> None:
    assert "licensemanager_sdk.resources.grants" in MODULES
    assert "licensemanager_sdk.resources.distribution.run" in MODULES
    assert "licensemanager_sdk.resources.distribution" in MODULES


def test_import_graph_inside_resources_is_acyclic() -> None:
    graph = {module: _runtime_imports(module) for module in MODULES}
    assert "licensemanager_sdk.resources.distribution" in graph["licensemanager_sdk.resources.grants"]
    state: dict[str, str] = {}

    def walk(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                pytest.fail("import cycle: " + " -> ".join([*path[path.index(target) :], target]))
            if target not in state:
                walk(target, [*path, target])
        state[module] = "done"

    for module in MODULES:
        if module not in state:
            walk(module, [module])


def test_distribution_does_not_import_grants() -> None:
    for module in MODULES:
        if module.startswith("licensemanager_sdk.resources.distribution"):
            assert "licensemanager_sdk.resources.grants" not in _runtime_imports(module)


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
