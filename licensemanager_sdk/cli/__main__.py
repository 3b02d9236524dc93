"""`python -m licensemanager_sdk.cli`: the same as the `lmsdk` script."""

from __future__ import annotations

from licensemanager_sdk.cli import run

__all__: list[str] = []

if __name__ == "__main__":
    run()
