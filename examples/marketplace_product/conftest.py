"""Opt in to the fixtures of the local License Manager."""

pytest_plugins = ["licensemanager_sdk.testing"]
