"""`AsyncLease`: the keep-alive task extends by itself (emulator clock, injected sleep), failed and refused
extensions, `on_lost` (plain or coroutine function), cancellation of the owner task; `tier()` and `borrow()`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from licensemanager_sdk import AsyncLicenseManager, EntitlementLostError, ServerInternalError, ServiceValidationError
from licensemanager_sdk._aio import AsyncLease
from licensemanager_sdk.entitlements import BorrowedLease, EntitlementNotHeldError
from licensemanager_sdk.local import LocalLicenseManager
from tests.entitlements.conftest import BUYER, FINGERPRINT, TIER, USERS, World, world  # noqa: F401

pytestmark = pytest.mark.asyncio


class StepSleep:
    """A keep-alive `sleep` that moves the emulator clock instead of waiting; after `steps` sleeps it parks."""

    def __init__(self, local: LocalLicenseManager, steps: int) -> None:
        self.local = local
        self.steps = steps
        self.waits: list[float] = []
        self.parked = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        if len(self.waits) >= self.steps:
            self.parked.set()
            await asyncio.Event().wait()  # until cancelled
        self.waits.append(seconds)
        self.local.advance_clock(seconds)
        await asyncio.sleep(0)


@pytest_asyncio.fixture
async def buyer(world: World) -> AsyncIterator[AsyncLicenseManager]:  # noqa: F811
    async with world.local.aio_client(account=BUYER) as lm:
        yield lm


async def _checkout(world: World, buyer: AsyncLicenseManager, **kwargs: object) -> AsyncLease:  # noqa: F811
    params: dict[str, object] = {"entitlements": {"Users": 1}, "clock": world.clock}
    params.update(kwargs)
    return await buyer.entitlements.checkout(product_sku="SKU", key_fingerprint=FINGERPRINT, **params)  # type: ignore[arg-type]


async def test_keep_alive_task_extends_by_itself_at_two_thirds(world: World, buyer: AsyncLicenseManager) -> None:  # noqa: F811
    world.issue("SKU", [USERS])
    sleep = StepSleep(world.local, steps=2)
    lease = await _checkout(world, buyer, sleep=sleep)
    task = lease.keep_alive_task
    assert task is not None

    await asyncio.wait_for(sleep.parked.wait(), 5)  # nobody but the task calls extend()

    # Two renewals, each when 2/3 of the remaining hour had passed: 40 min of emulator time each.
    assert [round(w / 60) for w in sleep.waits] == [40, 40]
    # Checked out for 60 min, then extended twice to 60 min after each renewal: 60 + 40 + 40 minutes.
    assert (lease.expiration - lease.issued_at).total_seconds() == pytest.approx(140 * 60, abs=2)
    assert lease.has("Users") and world.used(lease.license_arn, "Users") == "1"
    await lease.release()
    assert task.cancelled() and lease.keep_alive_task is None
    assert world.used(lease.license_arn, "Users") == "0"
    with pytest.raises(EntitlementLostError) as caught:
        lease.has("Users")
    assert caught.value.reason == "released"


async def test_failed_extensions_back_off_then_expire_and_an_async_on_lost_runs(
    world: World,  # noqa: F811
    buyer: AsyncLicenseManager,
) -> None:
    world.issue("SKU", [USERS])
    world.local.inject_fault("ExtendLicenseConsumption", "ServerInternalException", times=1000)
    lost: list[EntitlementLostError] = []

    async def on_lost(err: EntitlementLostError) -> None:
        await asyncio.sleep(0)
        lost.append(err)

    sleep = StepSleep(world.local, steps=1000)
    lease = await _checkout(world, buyer, sleep=sleep, on_lost=on_lost)
    assert lease.keep_alive_task is not None
    await asyncio.wait_for(lease.keep_alive_task, 10)  # ends once on_lost has run

    assert [err.reason for err in lost] == ["expired"]
    assert isinstance(lost[0].__cause__, ServerInternalError)
    assert sleep.waits[0] == pytest.approx(40 * 60, abs=2)
    assert len(sleep.waits) > 3 and max(sleep.waits[1:]) <= 60  # the lease's own backoff, capped at a minute
    with pytest.raises(EntitlementLostError) as caught:
        lease.has("Users")
    assert caught.value.reason == "expired"
    assert lease.token not in str(caught.value)
    await lease.release()


async def test_disabled_grant_loses_the_lease_at_the_next_extension(
    world: World,  # noqa: F811
    buyer: AsyncLicenseManager,
) -> None:
    _, grant = world.issue("SKU", [USERS])
    lost: list[EntitlementLostError] = []
    sleep = StepSleep(world.local, steps=5)
    lease = await _checkout(world, buyer, sleep=sleep, on_lost=lost.append)
    world.buyer.api.create_grant_version(grant_arn=str(grant), status="DISABLED")  # type: ignore[arg-type]
    assert lease.keep_alive_task is not None

    await asyncio.wait_for(lease.keep_alive_task, 5)

    assert [err.reason for err in lost] == ["extend_refused"]
    assert isinstance(lost[0].__cause__, ServiceValidationError)
    assert len(sleep.waits) == 1  # the first renewal was refused; nothing more was tried
    with pytest.raises(EntitlementLostError) as caught:
        lease.check()
    assert caught.value.reason == "extend_refused"
    await lease.release()  # lost: nothing to check in, no error


async def test_cancelling_the_owner_task_cancels_the_keep_alive_without_async_with(
    world: World,  # noqa: F811
    buyer: AsyncLicenseManager,
) -> None:
    world.issue("SKU", [USERS])
    leases: list[AsyncLease] = []
    checked_out = asyncio.Event()

    async def app() -> None:
        leases.append(await _checkout(world, buyer))
        checked_out.set()
        await asyncio.sleep(3600)

    owner = asyncio.create_task(app())
    await asyncio.wait_for(checked_out.wait(), 5)
    task = leases[0].keep_alive_task
    assert task is not None and not task.done()
    owner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await owner
    await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 5)
    assert task.cancelled()
    assert leases[0].has("Users")  # still held until it expires (no check-in was awaited)
    await leases[0].release()
    assert world.used(leases[0].license_arn, "Users") == "0"


async def test_checks_are_local_and_name_what_is_missing(world: World, buyer: AsyncLicenseManager) -> None:  # noqa: F811
    world.issue("SKU", [USERS, TIER])
    async with await _checkout(world, buyer, entitlements={"Users": 1, "Intermediate": None}) as lease:
        lease.check("Users", "Intermediate")
        with pytest.raises(EntitlementNotHeldError, match="Premium"):
            lease.check("Users", "Premium")
        assert lease.token not in repr(lease) and "AsyncLease" in repr(lease)
    assert not lease.held and lease.lost is not None and lease.lost.reason == "released"


async def test_tier_is_the_highest_held(world: World, buyer: AsyncLicenseManager) -> None:  # noqa: F811
    world.issue("SKU", [{"Name": "Basic", "Unit": "None", "Value": "Enabled"}, TIER])
    tiers = ["Basic", "Intermediate", "Premium"]
    assert await buyer.entitlements.tier(product_sku="SKU", key_fingerprint=FINGERPRINT, tiers=tiers) == "Intermediate"
    assert await buyer.entitlements.tier(product_sku="SKU", key_fingerprint=FINGERPRINT, tiers="Premium") is None
    with pytest.raises(ValueError):
        await buyer.entitlements.tier(product_sku="SKU", key_fingerprint=FINGERPRINT, tiers=[])


async def test_borrow_saves_a_token_that_loads_offline(
    world: World,  # noqa: F811
    buyer: AsyncLicenseManager,
    tmp_path: Path,
) -> None:
    arn, _ = world.issue("SKU", [USERS], borrow=True)
    lease = await buyer.entitlements.borrow(
        license_arn=arn, entitlements={"Users": 1}, node_id="laptop-1", checkout_metadata={"Mac": "AB:CD"}
    )
    assert lease.checkout_type == "BORROW" and lease.checkout_metadata == {"Mac": "AB:CD"}
    assert lease.keep_alive_task is None
    with pytest.raises(ValueError, match="cannot be extended"):
        await lease.extend()
    path = lease.save(tmp_path / "lease.json")
    offline_clock = world.local.engine.clock.timestamp  # the laptop's wall clock, which the service shares
    loaded = BorrowedLease.load(path, public_key=world.public_der, node_id="laptop-1", clock=offline_clock)
    assert loaded.has("Users") and loaded.license_arn == arn
    await lease.check_in()
    assert world.used(arn, "Users") == "0"
