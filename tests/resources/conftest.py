"""A seller and a buyer on a fresh local License Manager, a license factory, and a log of the calls each client made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pytest

from licensemanager_sdk import License, LicenseManager
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.types import (
    ConsumptionConfiguration,
    DatetimeRange,
    Entitlement,
    EntitlementUnit,
    Metadata,
    ProvisionalConfiguration,
)

SELLER = "111111111111"
BUYER = "222222222222"
OTHER = "333333333333"
BUYER_ROOT = f"arn:aws:iam::{BUYER}:root"
ALL_OPS = ["CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense", "ListPurchasedLicenses", "CreateToken"]


@dataclass
class CallLog:
    """Every call a client made, as (operation, params), recorded before botocore serialises it."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls.append((model.name, dict(params)))

    def of(self, operation: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == operation]

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def clear(self) -> None:
        self.calls.clear()


def recorded(lm: LicenseManager) -> CallLog:
    log = CallLog()
    lm.boto3_client.meta.events.register("provide-client-params.license-manager.*", log)
    return log


@pytest.fixture
def local() -> Iterator[LocalLicenseManager]:
    with LocalLicenseManager() as emulator:
        yield emulator


@pytest.fixture
def seller(local: LocalLicenseManager) -> LicenseManager:
    return local.client(account=SELLER)


@pytest.fixture
def buyer(local: LocalLicenseManager) -> LicenseManager:
    return local.client(account=BUYER)


@pytest.fixture
def seller_log(seller: LicenseManager) -> CallLog:
    return recorded(seller)


@pytest.fixture
def buyer_log(buyer: LicenseManager) -> CallLog:
    return recorded(buyer)


def make_license(lm: LicenseManager, *, sku: str = "sku-pro", name: str = "Pro", issuer: str = "My Company") -> License:
    return lm.licenses.create(
        license_name=name,
        product_name="Product",
        product_sku=sku,
        issuer=issuer,
        validity=DatetimeRange(begin=datetime(2024, 1, 1, tzinfo=timezone.utc)),
        entitlements=[Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=10, allow_check_in=True)],
        beneficiary="customer-1",
        consumption_configuration=ConsumptionConfiguration(
            provisional_configuration=ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
        license_metadata=[Metadata(name="tier", value="gold")],
    )


@pytest.fixture
def new_license(seller: LicenseManager) -> Callable[..., License]:
    def make(**kwargs: Any) -> License:
        return make_license(seller, **kwargs)

    return make


class FakeTime:
    """A clock and a sleep for waiters: sleeping moves the clock (and optionally the emulator's) forward."""

    def __init__(self, local: LocalLicenseManager | None = None) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._local = local

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self._local is not None:
            self._local.advance_clock(seconds)
