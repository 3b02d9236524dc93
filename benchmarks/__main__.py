"""`python -m benchmarks [NAME ...]`: run every benchmark module's `run() -> list[str]` (or the named ones).

Each module runs in a fresh interpreter of its own, so one benchmark's imports and leftover objects (which make every
later garbage collection slower) never weigh on the next one's figures.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

_ONE = "import sys, importlib; [print('   ' + line, flush=True) for line in importlib.import_module(sys.argv[1]).run()]"


def main() -> None:
    available = sorted(info.name for info in pkgutil.iter_modules([str(Path(__file__).parent)]) if info.name[0] != "_")
    selected = sys.argv[1:] or available
    unknown = sorted(set(selected) - set(available))
    if unknown:
        sys.exit(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(available)}")
    root = Path(__file__).resolve().parent.parent
    failed = []
    for name in selected:
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, "-c", _ONE, f"benchmarks.{name}"], cwd=root, check=False).returncode:
            failed.append(name)
    if failed:
        sys.exit(f"benchmark(s) failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
