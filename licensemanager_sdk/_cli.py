"""`lmsdk`: the command line of the SDK, behind the `[cli]` extra (click + pyyaml). See docs/cli.md."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `lmsdk` script. Exits 1 with an install hint when click or pyyaml is missing."""
    try:
        import click  # noqa: F401
        import yaml  # noqa: F401
    except ImportError as err:
        print(
            f"lmsdk needs the [cli] extra ({err.name} is missing): pip install 'aws-license-manager-sdk[cli]'",
            file=sys.stderr,
        )
        sys.exit(1)
    from licensemanager_sdk._cli_app import cli

    cli.main(args=argv, prog_name="lmsdk")


if __name__ == "__main__":
    main()
