"""`lmsdk local`: run the local License Manager over HTTP (the same as `python -m licensemanager_sdk.local`)."""

from __future__ import annotations

import sys

import click

from licensemanager_sdk.cli.options import Command

__all__ = ["local"]


@click.command("local", cls=Command)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=4566, show_default=True, help="0 picks a free port.")
@click.option("--state", "state_path", help="SQLite file that keeps the state across restarts (default: memory).")
@click.option("--region", "local_region", default="us-east-1", show_default=True, help="Region of unsigned calls.")
def local(host: str, port: int, state_path: str | None, local_region: str) -> None:
    """Run the local License Manager over HTTP (same as python -m licensemanager_sdk.local)."""
    from licensemanager_sdk.local.__main__ import main as serve  # lazy: only this command loads the emulator

    argv = ["--host", host, "--port", str(port), "--region", local_region]
    if state_path:
        argv += ["--state", state_path]
    sys.exit(serve(argv))
