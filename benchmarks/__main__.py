"""`python -m benchmarks [NAME ...]`: run every benchmark module's `run() -> list[str]` (or the named ones)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    available = sorted(info.name for info in pkgutil.iter_modules([str(Path(__file__).parent)]) if info.name[0] != "_")
    selected = sys.argv[1:] or available
    unknown = sorted(set(selected) - set(available))
    if unknown:
        sys.exit(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(available)}")
    for name in selected:
        print(f"== {name}", flush=True)
        for line in importlib.import_module(f"benchmarks.{name}").run():
            print(f"   {line}", flush=True)


if __name__ == "__main__":
    main()
