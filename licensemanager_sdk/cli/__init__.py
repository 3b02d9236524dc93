"""`lmsdk`, the command line of the SDK, behind the `[cli]` extra (click + pyyaml). See docs/cli.md.

`run` is the script's entry point; it imports nothing optional until it has checked that the extra is installed.
"""

from __future__ import annotations

import sys

__all__ = ["run"]


def run(argv: list[str] | None = None) -> None:
    """Entry point of the `lmsdk` script. Exits 1 with an install hint when click or pyyaml is missing."""
    try:
        from licensemanager_sdk.cli.main import main  # lazy: click and pyyaml are optional (the [cli] extra)
    except ImportError as err:
        if err.name not in ("click", "yaml"):
            raise
        print(
            f"lmsdk needs the [cli] extra ({err.name} is missing): pip install 'aws-license-manager-sdk[cli]'",
            file=sys.stderr,
        )
        sys.exit(1)
    main(argv)
