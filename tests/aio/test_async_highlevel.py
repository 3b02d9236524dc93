"""The async high-level layer: distribution (cancelled part way, then completed without duplicates), the lease's
keep-alive task and its cancellation, verify."""

from __future__ import annotations

import asyncio

import pytest

from licensemanager_sdk import AsyncLicenseManager, LicenseManager
from licensemanager_sdk.local import LocalLicenseManager
from tests.resources.conftest import make_license

pytestmark = pytest.mark.asyncio

ACCOUNTS = [f"{i:012d}" for i in range(300000000000, 300000000040)]


async def test_distribute_creates_one_grant_per_account(seller: LicenseManager, alm: AsyncLicenseManager) -> None:
    lic = await alm.licenses.get(make_license(seller).arn)
    report = await alm.grants.distribute(lic, ACCOUNTS[:10], ["CheckoutLicense"], concurrency=4)
    assert report.ok and len(report.outcomes) == 10
    assert {o.outcome for o in report.outcomes} == {"created"}
    again = await alm.grants.distribute(lic, ACCOUNTS[:10], ["CheckoutLicense"])
    assert {o.outcome for o in again.outcomes} == {"already_present"}


async def test_cancelled_distribution_rerun_completes_without_duplicates(
    local: LocalLicenseManager, seller: LicenseManager, alm: AsyncLicenseManager
) -> None:
    lic = await alm.licenses.get(make_license(seller).arn)
    done: list[str] = []
    cancel_after = asyncio.Event()

    def progress(count: int, total: int, outcome: object) -> None:
        done.append(str(outcome))
        if count == 15:
            cancel_after.set()

    run = asyncio.create_task(
        alm.grants.distribute(lic, ACCOUNTS, ["CheckoutLicense"], concurrency=4, rate_limit=200.0, progress=progress)
    )
    await cancel_after.wait()
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    made = [g async for g in alm.grants.list_distributed(license_arn=lic.arn)]
    assert 15 <= len(made) < len(ACCOUNTS)

    report = await alm.grants.distribute(lic, ACCOUNTS, ["CheckoutLicense"], concurrency=4)
    assert report.ok
    outcomes = [o.outcome for o in report.outcomes]
    assert outcomes.count("already_present") == len(made)
    assert outcomes.count("created") == len(ACCOUNTS) - len(made)
    grants = [g async for g in alm.grants.list_distributed(license_arn=lic.arn)]
    holders = [g.data.grantee_principal_arn for g in grants]
    assert len(holders) == len(set(holders)) == len(ACCOUNTS)


async def _issue(seller: LicenseManager, local: LocalLicenseManager) -> tuple[str, str]:
    kms = local.boto3_client("kms", account="111111111111")
    key_arn = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    arn = seller.boto3_client.create_license(
        LicenseName="L",
        ProductName="Product",
        ProductSKU="SKU",
        Issuer={"Name": "My Company", "SignKey": key_arn},
        HomeRegion="us-east-1",
        Validity={"Begin": "2020-01-01T00:00:00Z"},
        Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 2, "Overage": False, "AllowCheckIn": True}],
        Beneficiary="b",
        ConsumptionConfiguration={"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        ClientToken="create-sku",
    )["LicenseArn"]
    return arn, key_arn


async def test_lease_keep_alive_is_a_task_cancelled_by_check_in(
    local: LocalLicenseManager, seller: LicenseManager, alm: AsyncLicenseManager
) -> None:
    arn, _ = await _issue(seller, local)
    fingerprint = "aws:111111111111:My Company:issuer-fingerprint"
    async with await alm.entitlements.checkout(
        product_sku="SKU", key_fingerprint=fingerprint, entitlements={"Users": 1}, beneficiary="b"
    ) as lease:
        task = lease.keep_alive_task
        assert task is not None and not task.done()
        assert lease.has("Users") and lease.quantity("Users") == 1 and not lease.has("Admins")
        before = lease.expiration
        local.advance_clock(60)
        assert await lease.extend() > before
    assert task.cancelled() and lease.keep_alive_task is None
    usage = seller.api.get_license_usage(license_arn=arn).license_usage
    assert usage is not None
    assert next(u.consumed_value for u in usage.entitlement_usages if u.name == "Users") == "0"


async def test_cancelling_the_task_that_holds_a_lease_leaves_no_keep_alive_running(
    local: LocalLicenseManager, seller: LicenseManager, alm: AsyncLicenseManager
) -> None:
    await _issue(seller, local)
    seen: list[asyncio.Task[None]] = []
    entered = asyncio.Event()

    async def app() -> None:
        lease = await alm.entitlements.checkout(
            product_sku="SKU",
            key_fingerprint="aws:111111111111:My Company:issuer-fingerprint",
            entitlements={"Users": 1},
            beneficiary="b",
        )
        async with lease:
            assert lease.keep_alive_task is not None
            seen.append(lease.keep_alive_task)
            entered.set()
            await asyncio.sleep(3600)

    running = asyncio.create_task(app())
    await entered.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert seen[0].cancelled()


async def test_verify_fetches_the_kms_key_once(
    local: LocalLicenseManager, seller: LicenseManager, alm: AsyncLicenseManager
) -> None:
    _, key_arn = await _issue(seller, local)
    lease = await alm.entitlements.checkout(
        product_sku="SKU",
        key_fingerprint="aws:111111111111:My Company:issuer-fingerprint",
        entitlements={"Users": 1},
        beneficiary="b",
        keep_alive=False,
    )
    answer = await alm.api.checkout_license(
        product_sku="SKU",
        checkout_type="PROVISIONAL",
        key_fingerprint="aws:111111111111:My Company:issuer-fingerprint",
        entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1"}],  # type: ignore[list-item]
        beneficiary="b",
    )
    assert answer.signed_token is not None
    verified = await alm.entitlements.verify(answer.signed_token, kms_key_id=key_arn)
    assert verified.has("Users")
    assert key_arn in alm.entitlements._keys
    await lease.check_in()
