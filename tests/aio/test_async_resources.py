"""The async resource layer: `AsyncGrant` actions and waiters, `lm.grants`/`lm.licenses`/`lm.tokens` with the sync
namespaces' methods and filters, over the local service."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Generic

import pytest
import pytest_asyncio

from licensemanager_sdk import AsyncLicenseManager, LicenseManager, ResponseValidationError, WaiterError
from licensemanager_sdk._aio import (
    AsyncGrant,
    AsyncGrants,
    AsyncLicense,
    AsyncLicenses,
    AsyncReceivedLicense,
    AsyncToken,
    AsyncTokens,
)
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.resources import Grant, Grants, License, Licenses, ReceivedLicense, Token, Tokens
from licensemanager_sdk.resources._base import Resource
from licensemanager_sdk.types import (
    ConsumptionConfiguration,
    DatetimeRange,
    Entitlement,
    EntitlementUnit,
    LicenseData,
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
    [
        (Grant, AsyncGrant),
        (Grants, AsyncGrants),
        (License, AsyncLicense),
        (Licenses, AsyncLicenses),
        (ReceivedLicense, AsyncReceivedLicense),
        (Token, AsyncToken),
        (Tokens, AsyncTokens),
    ],
)
async def test_async_classes_have_the_sync_methods_and_parameters(sync: type, asynchronous: type) -> None:
    for name, member in vars(sync).items():
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        twin = getattr(asynchronous, name, None)
        assert twin is not None, f"{asynchronous.__name__} lacks {name}"
        assert list(inspect.signature(twin).parameters) == list(inspect.signature(member).parameters), name


@pytest.mark.parametrize(
    ("sync", "asynchronous"),
    [(Grant, AsyncGrant), (License, AsyncLicense), (ReceivedLicense, AsyncReceivedLicense), (Token, AsyncToken)],
)
async def test_async_items_have_the_sync_attributes(sync: type, asynchronous: type) -> None:
    own = [cls for cls in sync.__mro__ if cls not in (Resource, Generic, object)]  # Resource: lazy loading only
    slots = [name for cls in own for name in getattr(cls, "__slots__", ())]
    properties = [name for cls in own for name, member in vars(cls).items() if isinstance(member, property)]
    assert properties, sync
    for name in ["data", *slots, *properties]:
        if name.startswith("_"):
            continue
        assert name in dir(asynchronous), f"{asynchronous.__name__} lacks {name}"


@pytest.mark.parametrize(
    ("namespace", "listing", "item"),
    [
        (Licenses, "list", License),
        (Licenses, "list_received", ReceivedLicense),
        (Licenses, "versions", License),
        (Grants, "list_received", Grant),
        (Grants, "list_distributed", Grant),
        (Tokens, "list", Token),
    ],
)
async def test_async_listings_yield_the_twins_of_the_sync_items(namespace: type, listing: str, item: type) -> None:
    twins = {Licenses: AsyncLicenses, Grants: AsyncGrants, Tokens: AsyncTokens}
    items = {License: AsyncLicense, ReceivedLicense: AsyncReceivedLicense, Grant: AsyncGrant, Token: AsyncToken}
    sync_returns = inspect.signature(getattr(namespace, listing)).return_annotation
    async_returns = inspect.signature(getattr(twins[namespace], listing)).return_annotation
    assert sync_returns.startswith(f"Paginator[{item.__name__},"), sync_returns
    assert async_returns.startswith(f"AsyncPaginator[{items[item].__name__},"), async_returns


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
    assert [g.arn for g in received] == [grant.arn]
    active = await received[0].accept_and_activate()
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
    both = [
        g.data.grantee_principal_arn async for g in alm.grants.list_distributed(grantee_principal_arn=[BUYER, OTHER])
    ]
    assert sorted(both) == [f"arn:aws:iam::{BUYER}:root", f"arn:aws:iam::{OTHER}:root"]
    one = [g async for g in alm.grants.list_distributed(grantee_principal_arn=OTHER, status="PENDING_ACCEPT")]
    assert len(one) == 1
    with pytest.raises(ValueError, match="GrantStatus"):
        alm.grants.list_distributed(status="NOPE")


async def test_license_actions_and_listings(seller: LicenseManager, alm: AsyncLicenseManager) -> None:
    lic = await alm.licenses.get(make_license(seller).arn)
    make_license(seller, sku="sku-other", name="Other")
    assert [d.arn async for d in alm.licenses.list(product_sku="sku-pro")] == [lic.arn]
    assert len([d async for d in alm.licenses.list(product_sku=["sku-pro", "sku-other"])]) == 2

    newer = await lic.create_version(license_name="Pro 2")
    assert newer.data.license_name == "Pro 2" and newer.version != lic.version
    assert [d.data.license_name async for d in alm.licenses.versions(lic)] == ["Pro", "Pro 2"]
    usage = await newer.usage()
    assert usage.entitlement_usages is not None

    created = await newer.create_token(expiration_in_days=30)
    assert created.refresh_token.get_secret_value() not in repr(created)
    assert created.token.status == "AVAILABLE"
    assert [t.token_id async for t in alm.tokens.list(license_arn=newer)] == [created.token.token_id]
    await created.token.delete()
    assert (await created.token.reload()).status == "DELETED"
    assert str((await newer.delete()).status) in ("PENDING_DELETE", "DELETED")


async def test_listed_grants_are_snapshots_to_act_on_and_deduplicated_by_arn(
    seller: LicenseManager, alm: AsyncLicenseManager, abuyer: AsyncLicenseManager
) -> None:
    lic = await alm.licenses.get(make_license(seller).arn)
    grant = await lic.create_grant(BUYER, ["CheckoutLicense"])
    listing = abuyer.grants.list_received(license_arn=lic, status=["PENDING_ACCEPT", "ACTIVE"]).__aiter__()
    first = await anext(listing)
    assert isinstance(first, AsyncGrant) and first == grant and first.status == "PENDING_ACCEPT"
    assert (await first.accept_and_activate()).status == "ACTIVE"  # now it matches the second stream too
    assert [g async for g in listing] == []  # yielded once: de-duplicated by ARN

    distributed = [g async for g in alm.grants.list_distributed(license_arn=lic)]
    assert distributed == [grant] and isinstance(distributed[0], AsyncGrant)
    assert (
        distributed[0].status == "ACTIVE" and distributed[0].data.grantee_principal_arn == f"arn:aws:iam::{BUYER}:root"
    )


async def test_listed_licenses_and_versions_are_snapshots_deduplicated_by_arn(
    seller: LicenseManager, alm: AsyncLicenseManager
) -> None:
    lic = await alm.licenses.get(make_license(seller, sku="z").arn)
    listing = alm.licenses.list(product_sku="z", status=["AVAILABLE", "DEACTIVATED"]).__aiter__()
    first = await anext(listing)
    assert isinstance(first, AsyncLicense) and first == lic and first.version == lic.version
    deactivated = await first.create_version(status="DEACTIVATED")  # now it matches the second stream too
    assert [d async for d in listing] == []  # yielded once: de-duplicated by ARN

    versions = [v async for v in alm.licenses.versions(lic)]
    assert all(isinstance(v, AsyncLicense) for v in versions) and versions == [lic, lic]
    assert [v.version for v in versions] == [lic.version, deactivated.version]
    assert [v.status for v in versions] == ["AVAILABLE", "DEACTIVATED"]


async def test_list_received_licenses_gives_the_license_and_received_metadata(
    seller: LicenseManager, alm: AsyncLicenseManager, abuyer: AsyncLicenseManager
) -> None:
    lic = await alm.licenses.get(make_license(seller).arn)
    grant = await lic.create_grant(BUYER, ["CheckoutLicense", "ListPurchasedLicenses"], grant_name="g")
    await (await abuyer.grants.get(grant.arn)).accept_and_activate()
    received = [r async for r in abuyer.licenses.list_received(issuer_name="My Company", product_sku=["sku-pro", "x"])]
    assert len(received) == 1 and isinstance(received[0], AsyncReceivedLicense)
    item = received[0]
    assert item.arn == lic.arn and repr(item) == f"AsyncReceivedLicense(arn={lic.arn!r})"
    assert item == AsyncReceivedLicense(item.license, None, item.data) and item != item.license
    assert isinstance(item.license, AsyncLicense) and item.license.data.product_sku == "sku-pro"
    assert item.license.data.beneficiary == "customer-1" and item.license.version == lic.version
    assert item.received_metadata is not None and str(item.received_metadata.received_status) == "ACTIVE"
    assert [str(op) for op in item.received_metadata.allowed_operations] == ["CheckoutLicense", "ListPurchasedLicenses"]
    assert item.data.received_metadata == item.received_metadata
    assert (await item.license.reload()).data.license_name == "Pro"  # the snapshot acts as the buyer


async def test_listed_tokens_are_snapshots_to_act_on(seller: LicenseManager, alm: AsyncLicenseManager) -> None:
    lic = await alm.licenses.get(make_license(seller).arn)
    created = await lic.create_token()
    tokens = [t async for t in alm.tokens.list(license_arn=[lic, "arn:aws:license-manager::111111111111:license:l-0"])]
    assert tokens == [created.token] and isinstance(tokens[0], AsyncToken) and tokens[0].status == "AVAILABLE"
    await tokens[0].delete()
    assert (await tokens[0].reload()).status == "DELETED"


async def test_a_listed_license_without_an_arn_says_so(alm: AsyncLicenseManager) -> None:
    with pytest.raises(ResponseValidationError, match="LicenseArn"):
        AsyncLicense(alm, LicenseData(license_name="no arn"))


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
