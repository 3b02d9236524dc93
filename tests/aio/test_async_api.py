"""`AsyncLicenseManager.api`: every operation, paginators, ClientToken across retries, typed errors, fast path."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from licensemanager_sdk import (
    AsyncLicenseManager,
    ClientConfig,
    ConfigurationError,
    InvalidParameterValueError,
    LicenseManager,
)
from licensemanager_sdk._core.async_transport import aio_config
from licensemanager_sdk._core.useragent import CachedUserAgent
from licensemanager_sdk._generated._async_api import AsyncApi
from licensemanager_sdk._generated._operations import OPERATIONS
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.local.emulator import PINNED_ENDPOINT
from tests._wire import sorted_user_agent
from tests.aio.conftest import SELLER
from tests.resources.conftest import make_license

pytestmark = pytest.mark.asyncio


async def test_every_operation_has_an_awaitable_method_and_every_paginator_an_async_one() -> None:
    for spec in OPERATIONS.values():
        assert inspect.iscoroutinefunction(getattr(AsyncApi, spec.method)), spec.name
        if spec.result_key:
            assert not inspect.iscoroutinefunction(getattr(AsyncApi, f"paginate_{spec.method}"))
    assert len(OPERATIONS) == 62


async def test_get_license_reads_what_the_sync_client_created(seller: LicenseManager, alm: AsyncLicenseManager) -> None:
    created = make_license(seller)
    got = await alm.api.get_license(license_arn=created.arn)
    assert got.license is not None and got.license.license_name == "Pro"
    assert got.response_metadata is not None and got.response_metadata.attempts == 1
    lic = await alm.licenses.get(created.arn)
    assert lic.arn == created.arn and str(lic.status) == "AVAILABLE"
    assert (await lic.wait_until_available()).arn == created.arn


async def test_paginator_walks_every_page_with_async_for(seller: LicenseManager, alm: AsyncLicenseManager) -> None:
    arns = {make_license(seller, sku=f"sku-{i}", name=f"L{i}").arn for i in range(5)}
    pager = alm.api.paginate_list_licenses(page_size=2)
    pages = [page async for page in pager.pages()]
    assert len(pages) == 3
    assert {lic.license_arn async for lic in pager} == arns
    assert len(await alm.api.paginate_list_licenses(max_items=3).to_list()) == 3


async def test_typed_error(alm: AsyncLicenseManager) -> None:
    with pytest.raises(InvalidParameterValueError) as caught:
        await alm.api.get_grant(grant_arn="arn:aws:license-manager::111111111111:grant:g-" + "0" * 32)
    assert caught.value.operation == "GetGrant"


async def test_client_token_is_made_once_and_resent_on_every_retry(
    local: LocalLicenseManager, seller: LicenseManager, alm: AsyncLicenseManager
) -> None:
    created = make_license(seller)
    tokens: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        tokens.append(params["ClientToken"])

    alm.aiobotocore_client.meta.events.register("provide-client-params.license-manager.CreateGrant", record)
    local.inject_fault("CreateGrant", error="RateLimitExceededException", times=2)
    response = await alm.api.create_grant(
        grant_name="g",
        license_arn=created.arn,
        principals=["arn:aws:iam::222222222222:root"],
        home_region="us-east-1",
        allowed_operations=["CheckoutLicense"],
    )
    assert response.response_metadata is not None and response.response_metadata.attempts == 3
    assert len(tokens) == 3 and len(set(tokens)) == 1


async def test_successful_answers_take_the_fast_path(seller: LicenseManager, alm: AsyncLicenseManager) -> None:
    from licensemanager_sdk._core.fastparse import FAST_RESULT

    created = make_license(seller)
    raw = alm.aiobotocore_client
    plain = await raw.get_license(LicenseArn=created.arn)  # not marked: aiobotocore's own parser
    assert FAST_RESULT not in plain and plain["License"]["LicenseArn"] == created.arn
    assert (await alm.api.get_license(license_arn=created.arn)).license is not None


async def test_calls_run_concurrently_on_one_client(seller: LicenseManager, alm: AsyncLicenseManager) -> None:
    created = make_license(seller)
    answers = await asyncio.gather(*(alm.api.get_license(license_arn=created.arn) for _ in range(10)))
    assert {a.license.license_arn for a in answers if a.license} == {created.arn}


async def test_using_the_client_outside_async_with_says_what_to_do(local: LocalLicenseManager) -> None:
    lm = local.aio_client()
    with pytest.raises(RuntimeError, match="async with"):
        await lm.api.list_licenses()


async def test_handed_in_client_excludes_session_arguments(local: LocalLicenseManager) -> None:
    session = local.aio_session()
    async with session.create_client("license-manager", region_name="us-east-1", endpoint_url="http://x.invalid") as c:
        with pytest.raises(ConfigurationError, match="not both"):
            AsyncLicenseManager(aiobotocore_client=c, region_name="us-east-1")
        lm = AsyncLicenseManager(aiobotocore_client=c)
        async with lm:
            assert (await lm.api.list_licenses()).licenses == []


async def test_over_http(local: LocalLicenseManager, seller: LicenseManager) -> None:
    created = make_license(seller)
    server = local.serve()
    from aiobotocore.session import get_session

    session = get_session()
    session.set_credentials("111111111111", "local")
    async with AsyncLicenseManager(session=session, region_name="us-east-1", endpoint_url=server.url) as lm:
        got = await lm.api.get_license(license_arn=created.arn)
        assert got.license is not None and got.license.license_arn == created.arn


async def test_the_user_agent_is_built_once_per_feature_set_and_is_aiobotocores(local: LocalLicenseManager) -> None:
    session = local.aio_session(account=SELLER)
    sent: dict[str, list[str]] = {"sdk": [], "plain": []}

    def recorder(side: str) -> Any:
        def record(request: Any, **_: Any) -> None:
            sent[side].append(request.headers["User-Agent"].decode())

        return record

    async with AsyncLicenseManager(session=session, endpoint_url=PINNED_ENDPOINT) as lm:
        client = lm._require_client()
        assert isinstance(client._user_agent_creator, CachedUserAgent)
        client.meta.events.register_first("before-send.license-manager", recorder("sdk"))
        async with session.create_client(
            "license-manager", endpoint_url=PINNED_ENDPOINT, config=aio_config(ClientConfig())
        ) as plain:
            assert not isinstance(plain._user_agent_creator, CachedUserAgent)
            plain.meta.events.register_first("before-send.license-manager", recorder("plain"))
            for _ in range(3):  # the first call of a session also reports where its credentials came from
                await lm.api.list_licenses()
                await plain.list_licenses()
    assert len(sent["sdk"]) == len(sent["plain"]) == 3
    for mine, theirs in zip(sent["sdk"], sent["plain"], strict=True):
        assert sorted_user_agent(mine) == sorted_user_agent(theirs)
    assert "aws-license-manager-sdk/" in sent["sdk"][0]
