"""The async resource layer: `AsyncGrant` actions and waiters, `lm.grants`/`lm.licenses`/`lm.tokens` with the sync
namespaces' methods and filters, over the local service."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import pytest
import pytest_asyncio

from licensemanager_sdk import AsyncLicenseManager, LicenseManager, WaiterError
from licensemanager_sdk._aio import AsyncGrant, AsyncGrants, AsyncLicense, AsyncLicenses, AsyncTokens
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.resources import Grant, Grants, License, Licenses, Tokens
from licensemanager_sdk.types import (
    ConsumptionConfiguration,
    DatetimeRange,
    Entitlement,
    EntitlementUnit,
    ProvisionalConfiguration,
)
from tests.resources.conftest import make_license

pytestmark = pytest.mark.asyncio

BUYER = "222222222222"
OTHER = "333333333333"


@pytest_asyncio.fixture
async def abuyer(local: LocalLicenseManager) -> AsyncIterator[AsyncLicenseManager]:
    async with local.aio_client(account=BUYER) as lm:
        yield lm


@pytest.mark.parametrize(
    ("sync", "asynchronous"),
    [(Grant, AsyncGrant), (Grants, AsyncGrants), (License, AsyncLicense), (Licenses, AsyncLicenses)],
)
async def test_async_classes_have_the_sync_methods_and_parameters(sync: type, asynchronous: type) -> None:
    for name, member in vars(sync).items():
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        twin = getattr(asynchronous, name, None)
        assert twin is not None, f"{asynchronous.__name__} lacks {name}"
        assert list(inspect.signature(twin).parameters) == list(inspect.signature(member).parameters), name


async def test_tokens_namespace_has_the_sync_methods_and_delete() -> None:
    for name in ("create", "get", "list", "get_access_token", "delete"):
        assert callable(getattr(AsyncTokens, name))
    for name in ("create", "get", "list", "get_access_token"):
        sync, twin = inspect.signature(getattr(Tokens, name)), inspect.signature(getattr(AsyncTokens, name))
        assert list(twin.parameters) == list(sync.parameters), name


async def test_grantee_accepts_and_activates_and_grantor_changes_and_deletes(
    seller: LicenseManager, alm: AsyncLicenseManager, abuyer: AsyncLicenseManager
) -> None:
    lic = await alm.licenses.get(make_license(seller).arn)
    grant = await lic.create_grant(BUYER, ["CheckoutLicense"])
    assert grant.status == "PENDING_ACCEPT" and grant.data.grant_name == "Pro"

    received = [g async for g in abuyer.grants.list_received(status="PENDING_ACCEPT", license_arn=lic)]
    assert [g.grant_arn for g in received] == [grant.arn]
    active = await AsyncGrant(abuyer, received[0]).accept_and_activate()
    assert active.status == "ACTIVE"
    assert (await active.accept_and_activate()) is active  # already active: nothing sent
    assert (await active.wait_until_active(timeout=1)).status == "ACTIVE"

    renamed = await (await alm.grants.get(grant.arn)).create_version(grant_name="Renamed")
    assert renamed.data.grant_name == "Renamed" and (await renamed.reload()).data.grant_name == "Renamed"
    deleted = await (await renamed.reload()).delete()
    assert deleted.status == "DELETED"
    with pytest.raises(WaiterError, match="DELETED"):
        await deleted.wait_until_active(timeout=1, sleep=_no_sleep)


async def test_list_distributed_filters_take_several_values(seller: LicenseManager, alm: AsyncLicenseManager) -> None:
    lic = await alm.licenses.get(make_license(seller).arn)
    for account in (BUYER, OTHER):
        await alm.grants.create(lic.arn, account, ["CheckoutLicense"])
    both = [g.grantee_principal_arn async for g in alm.grants.list_distributed(grantee_principal_arn=[BUYER, OTHER])]
    assert sorted(both) == [f"arn:aws:iam::{BUYER}:root", f"arn:aws:iam::{OTHER}:root"]
    one = [g async for g in alm.grants.list_distributed(grantee_principal_arn=OTHER, status="PENDING_ACCEPT")]
    assert len(one) == 1
    with pytest.raises(ValueError, match="GrantStatus"):
        alm.grants.list_distributed(status="NOPE")


async def test_license_actions_and_listings(seller: LicenseManager, alm: AsyncLicenseManager) -> None:
    lic = await alm.licenses.get(make_license(seller).arn)
    make_license(seller, sku="sku-other", name="Other")
    assert [d.license_arn async for d in alm.licenses.list(product_sku="sku-pro")] == [lic.arn]
    assert len([d async for d in alm.licenses.list(product_sku=["sku-pro", "sku-other"])]) == 2

    newer = await lic.create_version(license_name="Pro 2")
    assert newer.data.license_name == "Pro 2" and newer.version != lic.version
    assert [d.license_name async for d in alm.licenses.versions(lic)] == ["Pro", "Pro 2"]
    usage = await newer.usage()
    assert usage.entitlement_usages is not None

    created = await newer.create_token(expiration_in_days=30)
    assert created.refresh_token.get_secret_value() not in repr(created)
    assert created.token.status == "AVAILABLE"
    assert [t.token_id async for t in alm.tokens.list(license_arn=newer)] == [created.token.token_id]
    await created.token.delete()
    assert (await created.token.reload()).status == "DELETED"
    assert str((await newer.delete()).status) in ("PENDING_DELETE", "DELETED")


async def test_create_returns_a_loaded_license(alm: AsyncLicenseManager) -> None:
    lic = await alm.licenses.create(
        license_name="Async",
        product_name="Product",
        product_sku="sku-async",
        issuer="My Company",
        validity=DatetimeRange(begin=datetime(2024, 1, 1, tzinfo=timezone.utc)),
        entitlements=[Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=5)],
        beneficiary="b",
        consumption_configuration=ConsumptionConfiguration(
            provisional_configuration=ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    )
    assert isinstance(lic, AsyncLicense) and lic.data.license_name == "Async"
    assert lic.data.home_region == alm.region_name and lic.data.issuer is not None
    assert (await lic.wait_until_available(timeout=5)).status == "AVAILABLE"


async def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"a hopeless wait must not sleep ({seconds} s)")
