"""The consumption token never shows in what a lease logs or raises, nor in its keep-alive thread's name."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from licensemanager_sdk import EntitlementLostError, ServiceError
from licensemanager_sdk.entitlements import Lease
from tests.entitlements.conftest import FINGERPRINT, USERS, StepWait, World


@pytest.fixture
def sdk_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG, logger="licensemanager_sdk"):
        yield caplog


def _checkout(world: World, **kwargs: Any) -> Lease:
    world.issue("SKU", [USERS])
    return world.buyer.entitlements.checkout(
        product_sku="SKU", key_fingerprint=FINGERPRINT, entitlements={"Users": 1}, clock=world.clock, **kwargs
    )


def _shown(err: BaseException) -> str:
    cause = err.__cause__
    return " ".join([str(err), repr(err), str(cause), repr(cause), repr(getattr(cause, "response", ""))])


def test_a_refused_extend_never_shows_the_token(world: World, sdk_logs: pytest.LogCaptureFixture) -> None:
    lost: list[EntitlementLostError] = []
    lease = _checkout(world, keep_alive=False, on_lost=lost.append)
    world.buyer.boto3_client.check_in_license(LicenseConsumptionToken=lease.token)  # behind the lease's back
    with pytest.raises(ServiceError) as refused:
        lease.extend()  # the service answers "License consumption token <token> does not exist ..."
    with pytest.raises(EntitlementLostError) as caught:
        lease.check("Users")
    assert caught.value.reason == "extend_refused" and lost
    for err in (refused.value, caught.value, lost[0]):
        assert lease.token not in _shown(err)
    assert "ExtendLicenseConsumption was refused" in sdk_logs.text
    assert lease.token not in sdk_logs.text


def test_keep_alive_failures_and_expiry_never_log_the_token(world: World, sdk_logs: pytest.LogCaptureFixture) -> None:
    lost: list[EntitlementLostError] = []
    lease = _checkout(world, keep_alive=False, on_lost=lost.append)
    token = lease.token

    def leaky_extend() -> object:
        raise RuntimeError(f"proxy said: bad token {token}")

    lease.extend = leaky_extend  # type: ignore[method-assign]
    lease._wait = StepWait(world.local, steps=200)
    thread = threading.Thread(target=lease._keep_alive)
    thread.start()
    thread.join(10)
    assert lost and lost[0].reason == "expired" and "proxy said" in str(lost[0])
    assert token not in _shown(lost[0])
    assert "extending" in sdk_logs.text and "proxy said: bad token" in sdk_logs.text
    assert token not in sdk_logs.text


def test_a_raising_on_lost_callback_is_logged_without_the_token(
    world: World, sdk_logs: pytest.LogCaptureFixture
) -> None:
    def on_lost(err: EntitlementLostError) -> None:
        raise ValueError(f"callback saw {lease.token}")

    lease = _checkout(world, keep_alive=False, on_lost=on_lost)
    world.local.advance_clock(3700)
    assert lease.lost is not None
    assert "on_lost callback" in sdk_logs.text and "callback saw" in sdk_logs.text
    assert lease.token not in sdk_logs.text


def test_the_keep_alive_thread_is_not_named_after_the_token(world: World) -> None:
    gate = threading.Event()
    lease = _checkout(world, wait=lambda _: gate.wait(5))
    names = [thread.name for thread in threading.enumerate()]
    gate.set()
    lease.release()
    assert any(name.startswith("lmsdk-lease-") for name in names)
    assert not any(lease.token[:8] in name for name in names)
