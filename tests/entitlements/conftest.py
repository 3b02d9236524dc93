"""A seller, a buyer and a signed license granted, accepted and activated, on the local service."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from licensemanager_sdk import LicenseManager
from licensemanager_sdk.local import LocalLicenseManager, Settings
from tests._constants import GRANT_OPERATIONS as ALL_OPERATIONS

SELLER = "111111111111"
BUYER = "222222222222"
FINGERPRINT = f"aws:{SELLER}:My Company:issuer-fingerprint"


@dataclass
class World:
    local: LocalLicenseManager
    seller: LicenseManager
    buyer: LicenseManager
    kms: Any
    key_arn: str
    public_der: bytes

    started: float = field(default_factory=time.time)

    def clock(self) -> float:
        """The SDK side's clock: frozen at `started`, moved only as far as the tests move the emulator's clock.

        Leases therefore compute the same waits however long the machine takes between two statements.
        """
        return self.started + self.local.engine.clock.offset

    def issue(
        self,
        sku: str,
        entitlements: list[dict[str, Any]],
        *,
        ttl_minutes: int = 60,
        borrow: bool = False,
        early_check_in: bool = True,
        signed: bool = True,
        grant_to_buyer: bool = True,
    ) -> tuple[str, str | None]:
        """Create a license (and an accepted, activated grant to the buyer); returns (license ARN, grant ARN)."""
        config: dict[str, Any] = {"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": ttl_minutes}}
        if borrow:
            config["BorrowConfiguration"] = {"MaxTimeToLiveInMinutes": 1440, "AllowEarlyCheckIn": early_check_in}
        issuer: dict[str, Any] = {"Name": "My Company"}
        if signed:
            issuer["SignKey"] = self.key_arn
        arn = self.seller.boto3_client.create_license(
            LicenseName=f"{sku} license",
            ProductName="Product",
            ProductSKU=sku,
            Issuer=issuer,
            HomeRegion="us-east-1",
            Validity={"Begin": "2020-01-01T00:00:00Z"},
            Entitlements=entitlements,
            Beneficiary="My Beneficiary",
            ConsumptionConfiguration=config,
            ClientToken=f"create-{sku}",
        )["LicenseArn"]
        if not grant_to_buyer:
            return arn, None
        grant = self.seller.boto3_client.create_grant(
            ClientToken=f"grant-{sku}",
            GrantName=f"{sku} grant",
            LicenseArn=arn,
            Principals=[f"arn:aws:iam::{BUYER}:root"],
            HomeRegion="us-east-1",
            AllowedOperations=ALL_OPERATIONS,
        )["GrantArn"]
        self.buyer.boto3_client.accept_grant(GrantArn=grant)
        self.buyer.boto3_client.create_grant_version(GrantArn=grant, Status="ACTIVE", ClientToken=f"activate-{sku}")
        return arn, grant

    def used(self, license_arn: str, name: str) -> str | None:
        usage = self.seller.api.get_license_usage(license_arn=license_arn).license_usage
        assert usage is not None
        return next(u.consumed_value for u in usage.entitlement_usages if u.name == name)


USERS = {"Name": "Users", "Unit": "Count", "MaxCount": 2, "Overage": False, "AllowCheckIn": True}
TIER = {"Name": "Intermediate", "Unit": "None", "Value": "Enabled"}


@pytest.fixture
def world() -> Iterator[World]:
    with LocalLicenseManager(settings=Settings(reuse_rsa_keys=True)) as local:
        kms = local.boto3_client("kms", account=SELLER)
        key_arn = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
        yield World(
            local=local,
            seller=local.client(account=SELLER),
            buyer=local.client(account=BUYER),
            kms=kms,
            key_arn=key_arn,
            public_der=local.engine.kms_public_key_der(key_arn),
        )


def count_calls(lm: LicenseManager) -> list[str]:
    """Every License Manager operation `lm` sends from now on, in order."""
    seen: list[str] = []

    def record(model: Any, **_: Any) -> None:
        seen.append(model.name)

    lm.boto3_client.meta.events.register("before-call.license-manager", record)
    return seen


class StepWait:
    """A keep-alive `wait` that advances the local clock instead of sleeping; stops after `steps` waits."""

    def __init__(self, local: LocalLicenseManager, steps: int) -> None:
        self.local = local
        self.steps = steps
        self.waits: list[float] = []
        self.stopped = threading.Event()

    def __call__(self, seconds: float) -> bool:
        if len(self.waits) >= self.steps:
            self.stopped.set()
            return True
        self.waits.append(seconds)
        self.local.advance_clock(seconds)
        return False


@pytest.fixture
def step_wait(world: World) -> Callable[[int], StepWait]:
    return lambda steps: StepWait(world.local, steps)
