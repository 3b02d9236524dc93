"""`python -m benchmarks`: run every benchmark module's `run() -> list[str]` and print its lines."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def main() -> None:
    for module_info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda info: info.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"benchmarks.{module_info.name}")
        run = getattr(module, "run", None)
        if callable(run):
            for line in run():
                print(line, flush=True)


if __name__ == "__main__":
    main()
