"""Typed SDK for AWS License Manager managed entitlements."""

from ._version import __version__

__all__ = ["__version__"]
