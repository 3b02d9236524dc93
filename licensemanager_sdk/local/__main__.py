"""`python -m licensemanager_sdk.local`: serve the local AWS License Manager over HTTP.

Ready when the port accepts connections (the first stdout line also says so). SIGTERM or Ctrl-C stops it:
answers in progress finish, the SQLite state is closed, and the exit status is 0. A `--state` file that cannot
be used (missing directory, a directory, not SQLite, held by another server) ends it at once: one line on
stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import signal
import sys
import threading
from types import FrameType

from .core.model import operations
from .core.settings import Settings
from .core.statefile import StateFileError
from .emulator import LocalLicenseManager

__all__ = ["main", "parse_settings", "tune_garbage_collector"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m licensemanager_sdk.local",
        description="A local AWS License Manager (with the KMS and STS calls it needs) on one HTTP endpoint.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4566, help="port to listen on; 0 picks a free one (default: 4566)")
    parser.add_argument("--state", metavar="FILE", help="SQLite file that keeps the state across restarts")
    parser.add_argument("--region", default="us-east-1", help="region of unsigned calls (default: us-east-1)")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an emulator Settings field, e.g. legacy_status_codes=true (repeatable; see docs/local.md)",
    )
    return parser


def parse_settings(assignments: list[str]) -> Settings:
    """`Settings` from `NAME=VALUE` strings; VALUE is JSON (`true`, `10`, `null`) or else a plain string."""
    fields = {field.name: field for field in dataclasses.fields(Settings)}
    changes: dict[str, object] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        if not sep or name not in fields:
            raise ValueError(f"--setting {assignment!r}: expected NAME=VALUE with NAME one of {', '.join(fields)}")
        try:
            value: object = json.loads(text)
        except ValueError:
            value = text
        default = fields[name].default
        expected = type(default)
        if default is None or isinstance(value, expected) or (expected is float and type(value) is int):
            changes[name] = value
        else:
            raise ValueError(f"--setting {name}: expected a {expected.__name__}, got {text!r}")
    return Settings(**changes)  # type: ignore[arg-type]


def tune_garbage_collector() -> None:
    """Keep full collections rare and short in the server process (we own it; in-process use is left alone).

    The engine keeps every license, grant and checkout as Python objects, so a full collection's pause grows
    with the state: at 50,000 checkouts it stalls every connection for ~150 ms. Loading botocore's models
    first and freezing what startup allocated takes those objects out of every later collection, and a
    larger young generation makes collections rarer (benchmarks/http_load.py: CheckoutLicense p99 ~170 ms
    -> ~13 ms at 16 connections).
    """
    for service in ("license-manager", "kms", "sts"):
        operations(service)
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = parse_settings(args.setting)
    except ValueError as exc:
        parser.error(str(exc))
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    try:
        emulator = LocalLicenseManager(state_path=args.state, settings=settings, region=args.region)
    except StateFileError as exc:
        sys.stderr.write(f"licensemanager_sdk.local: {exc}\n")
        return 2
    with emulator:
        tune_garbage_collector()
        try:
            server = emulator.serve(args.host, args.port)
        except OSError as exc:
            sys.stderr.write(f"licensemanager_sdk.local: cannot listen on {args.host}:{args.port}: {exc}\n")
            return 1
        state = args.state or "in memory"
        sys.stdout.write(f"licensemanager_sdk.local listening on {server.url} (state: {state})\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    sys.stdout.write("licensemanager_sdk.local stopped\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
