"""Fixtures for engine tests: an in-memory Engine and helpers that call it with wire dicts."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from licensemanager_sdk.local.core.faults import ServiceFault
from licensemanager_sdk.local.core.settings import Settings
from licensemanager_sdk.local.engine import Caller, Engine
from tests._constants import GRANT_OPERATIONS as ALL_OPS

SELLER = "111111111111"
BUYER = "222222222222"
OTHER = "333333333333"
REGION = "us-east-1"
_tokens = itertools.count()


def client_token() -> str:
    return f"ct-{next(_tokens)}"


def license_params(**overrides: Any) -> dict[str, Any]:
    """CreateLicense params in the shape of the AWS sample (SERVICE.md §17 S1)."""
    params: dict[str, Any] = {
        "LicenseName": "My License",
        "ProductName": "My Product",
        "ProductSKU": "sku-1",
        "Issuer": {"Name": "My Company"},
        "HomeRegion": REGION,
        "Validity": {"Begin": "2020-01-01T00:00:00Z"},
        "Entitlements": [{"Name": "Users", "Unit": "Count", "MaxCount": 1000, "AllowCheckIn": True}],
        "Beneficiary": "My Beneficiary",
        "ConsumptionConfiguration": {"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        "ClientToken": client_token(),
    }
    params.update(overrides)
    return params


class Api:
    """Call the engine as one account: `api.CreateLicense(**params)`; `api.error(...)` expects a fault."""

    def __init__(self, engine: Engine, account: str, region: str = REGION, service: str = "license-manager") -> None:
        self.engine = engine
        self.caller = Caller(account, region)
        self.service = service

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        return self.engine.handle(self.service, operation, params, self.caller)

    def __getattr__(self, operation: str) -> Callable[..., dict[str, Any]]:
        if not operation[:1].isupper():
            raise AttributeError(operation)
        return lambda **params: self.call(operation, params)

    def error(self, operation: str, **params: Any) -> ServiceFault:
        with pytest.raises(ServiceFault) as info:
            self.call(operation, params)
        return info.value

    def in_region(self, region: str) -> Api:
        return Api(self.engine, self.caller.account, region, self.service)


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = Engine(settings=Settings(reuse_rsa_keys=True))
    yield eng
    eng.close()


@pytest.fixture
def seller(engine: Engine) -> Api:
    return Api(engine, SELLER)


@pytest.fixture
def buyer(engine: Engine) -> Api:
    return Api(engine, BUYER)


@pytest.fixture
def other(engine: Engine) -> Api:
    return Api(engine, OTHER)


def create_license(api: Api, **overrides: Any) -> str:
    arn: str = api.CreateLicense(**license_params(**overrides))["LicenseArn"]
    return arn


def active_grant(seller: Api, buyer: Api, license_arn: str, operations: list[str] | None = None) -> str:
    """Seller grants, buyer accepts and activates (SERVICE.md §17 S2)."""
    grant = seller.CreateGrant(
        ClientToken=client_token(),
        GrantName="g",
        LicenseArn=license_arn,
        Principals=[f"arn:aws:iam::{buyer.caller.account}:root"],
        HomeRegion=REGION,
        AllowedOperations=operations or ALL_OPS,
    )["GrantArn"]
    buyer.AcceptGrant(GrantArn=grant)
    buyer.CreateGrantVersion(GrantArn=grant, Status="ACTIVE", ClientToken=client_token())
    arn: str = grant
    return arn


def checkout(api: Api, value: str = "1", name: str = "Users", unit: str = "Count", **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "ProductSKU": "sku-1",
        "CheckoutType": "PROVISIONAL",
        "KeyFingerprint": f"aws:{SELLER}:My Company:issuer-fingerprint",
        "Entitlements": [{"Name": name, "Unit": unit, "Value": value}],
        "ClientToken": client_token(),
    }
    params.update(extra)
    return api.CheckoutLicense(**params)
