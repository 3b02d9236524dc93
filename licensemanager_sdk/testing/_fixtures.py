"""Pytest fixtures of `licensemanager_sdk.testing`; opt in: `pytest_plugins = ["licensemanager_sdk.testing"]`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ..local import LocalLicenseManager, LocalServer
from ._faults import LocalFaults
from ._mock import MockLicenseManager

if TYPE_CHECKING:
    from .._client import LicenseManager

__all__ = [
    "BUYER_ACCOUNT",
    "SELLER_ACCOUNT",
    "license_manager_client",
    "lm_buyer",
    "lm_seller",
    "local_boto3_client",
    "local_faults",
    "local_license_manager",
    "local_server",
    "mock_license_manager_fixture",
]

SELLER_ACCOUNT = "111111111111"
"""The account of `lm_seller`: the license issuer (ISV) in two-account tests."""
BUYER_ACCOUNT = "222222222222"
"""The account of `lm_buyer`: the grantee (customer) in two-account tests."""


@pytest.fixture
def local_license_manager() -> Iterator[LocalLicenseManager]:
    """A fresh in-memory local License Manager for this test (closed afterwards)."""
    with LocalLicenseManager() as emulator:
        yield emulator


@pytest.fixture
def license_manager_client(local_license_manager: LocalLicenseManager) -> Callable[..., LicenseManager]:
    """Factory: `license_manager_client(account="123456789012", region=None)` -> an attached SDK client."""

    def make(account: str = "123456789012", region: str | None = None) -> LicenseManager:
        return local_license_manager.client(account=account, region=region)

    return make


@pytest.fixture
def local_boto3_client(local_license_manager: LocalLicenseManager) -> Callable[..., Any]:
    """Factory: `local_boto3_client("kms", account=..., region=None)` -> an attached plain boto3 client."""

    def make(service: str = "license-manager", *, account: str = "123456789012", region: str | None = None) -> Any:
        return local_license_manager.boto3_client(service, account=account, region=region)

    return make


@pytest.fixture
def lm_seller(license_manager_client: Callable[..., LicenseManager]) -> LicenseManager:
    """SDK client acting as the seller account `111111111111`."""
    return license_manager_client(SELLER_ACCOUNT)


@pytest.fixture
def lm_buyer(license_manager_client: Callable[..., LicenseManager]) -> LicenseManager:
    """SDK client acting as the buyer account `222222222222`."""
    return license_manager_client(BUYER_ACCOUNT)


@pytest.fixture
def local_faults(local_license_manager: LocalLicenseManager) -> LocalFaults:
    """Fault injection on this test's local License Manager: `fail_next`, `lose_response`, `slow_down`, `clear`."""
    return LocalFaults(local_license_manager)


@pytest.fixture
def local_server(local_license_manager: LocalLicenseManager, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    """The test's local License Manager over HTTP on a free port, with the AWS environment pointed at it.

    Code under test that builds its own boto3 clients reaches it: `AWS_ENDPOINT_URL` is the server's URL,
    credentials are dummies acting as account 123456789012 (set `AWS_ACCESS_KEY_ID` to a 12-digit account
    to act as another), `AWS_DEFAULT_REGION` is the emulator's region, and profiles and config files are
    switched off so nothing on the machine leaks in.
    """
    server = local_license_manager.serve()
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "123456789012")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.setenv("AWS_DEFAULT_REGION", local_license_manager.region)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(name="mock_license_manager")
def mock_license_manager_fixture() -> Iterator[LocalLicenseManager]:
    """`mock_license_manager()` for this test: every boto3 client's License Manager calls answer from a fresh engine.

    Its value is that engine's `LocalLicenseManager` (clock, faults). Works with moto's `mock_aws` in either order.
    """
    with MockLicenseManager() as emulator:
        yield emulator
