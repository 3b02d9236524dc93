"""Print `name==X` for every runtime dependency's `>=X` floor in pyproject.toml (plus the extras named as arguments).

`make test-lowest` installs this list into `.venv-lowest` and runs the test suite there, so the floors are proved.
Usage: python scripts/lowest_requirements.py [EXTRA ...]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

__all__ = ["lowest_pins"]

_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_FLOOR = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*[^;]*?>=\s*(?P<version>[^,;\s]+)")


def lowest_pins(extras: list[str]) -> list[str]:
    """`name==floor` for the dependencies and the given extras; a dependency without a `>=` floor is an error."""
    project = tomllib.loads(_PYPROJECT.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins = []
    for requirement in requirements:
        match = _FLOOR.match(requirement)
        if match is None:
            raise SystemExit(f"{requirement!r} in pyproject.toml has no '>=' floor: give it one so it can be tested")
        pins.append(f"{match['name']}=={match['version']}")
    return pins


if __name__ == "__main__":
    sys.stdout.write("".join(f"{pin}\n" for pin in lowest_pins(sys.argv[1:])))
