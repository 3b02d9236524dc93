"""`python -m benchmarks`: run every benchmark and print one line per measurement."""

from __future__ import annotations

from . import http_load


def main() -> None:
    for line in http_load.run():
        print(line, flush=True)


if __name__ == "__main__":
    main()
