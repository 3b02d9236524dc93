"""`lm.entitlements.checkout()` and `Lease`: local checks, keep-alive, loss, check-in."""

from __future__ import annotations

import logging
import threading
from decimal import Decimal

import pytest

from licensemanager_sdk import (
    ConflictError,
    EntitlementLostError,
    EntitlementNotHeldError,
    NoEntitlementsAllowedError,
    ResourceNotFoundError,
    ServerInternalError,
    ServiceValidationError,
)
from licensemanager_sdk.entitlements import Lease
from tests.entitlements.conftest import FINGERPRINT, TIER, USERS, StepWait, World, count_calls


def _checkout(world: World, sku: str = "SKU", **kwargs: object) -> Lease:
    params: dict[str, object] = {"entitlements": {"Users": 1, "Intermediate": None}, "clock": world.clock}
    params.update(kwargs)
    return world.buyer.entitlements.checkout(product_sku=sku, key_fingerprint=FINGERPRINT, **params)  # type: ignore[arg-type]


def test_checks_are_local_and_make_no_call(world: World) -> None:
    arn, _ = world.issue("SKU", [USERS, TIER])
    lease = _checkout(world, keep_alive=False)
    calls = count_calls(world.buyer)

    for _ in range(2000):
        assert lease.has("Users") and lease.has("Intermediate") and not lease.has("Premium")
        assert lease.quantity("Users") == 1
    lease.check("Users", "Intermediate")

    assert calls == []
    assert lease.quantity("Intermediate") == 0 and lease.quantity("Premium") == Decimal(0)
    assert lease.license_arn == arn and lease.checkout_type == "PROVISIONAL"
    assert lease.token not in repr(lease) and "Users" in repr(lease)
    assert [e.name for e in lease.entitlements] == ["Users", "Intermediate"]
    with pytest.raises(EntitlementNotHeldError, match="Premium"):
        lease.check("Users", "Premium")


def test_keep_alive_extends_at_two_thirds_of_the_lifetime(world: World) -> None:
    world.issue("SKU", [USERS])
    wait = StepWait(world.local, steps=2)
    lease = _checkout(world, entitlements={"Users": 1}, wait=wait)

    assert wait.stopped.wait(5)
    assert lease._thread is not None
    lease._thread.join(5)
    # Two renewals, each when 2/3 of the remaining hour had passed: 40 min of emulator time each.
    assert [round(w / 60) for w in wait.waits] == [40, 40]
    # Checked out for 60 min, then extended twice to 60 min after each renewal: 60 + 40 + 40 minutes.
    assert (lease.expiration - lease.issued_at).total_seconds() == pytest.approx(140 * 60, abs=2)
    assert lease.has("Users")
    lease.release()


def test_lease_expires_without_keep_alive(world: World) -> None:
    world.issue("SKU", [USERS])
    lost: list[EntitlementLostError] = []
    lease = _checkout(world, entitlements={"Users": 1}, keep_alive=False, on_lost=lost.append)
    assert lease.has("Users")

    world.local.advance_clock(3601)

    with pytest.raises(EntitlementLostError) as caught:
        lease.has("Users")
    assert caught.value.reason == "expired"
    with pytest.raises(EntitlementLostError):
        lease.quantity("Users")
    assert not lease.held and lease.lost is not None
    assert len(lost) == 1 and lost[0].reason == "expired"


def test_failed_extensions_back_off_then_the_lease_expires(world: World) -> None:
    world.issue("SKU", [USERS])
    world.local.inject_fault("ExtendLicenseConsumption", "ServerInternalException", times=1000)
    lost: list[EntitlementLostError] = []
    done = threading.Event()

    def on_lost(err: EntitlementLostError) -> None:
        lost.append(err)
        done.set()

    wait = StepWait(world.local, steps=1000)
    lease = _checkout(world, entitlements={"Users": 1}, wait=wait, on_lost=on_lost)

    assert done.wait(10)
    assert lost[0].reason == "expired"
    assert isinstance(lost[0].__cause__, ServerInternalError)
    assert wait.waits[0] == pytest.approx(40 * 60, abs=2)
    assert max(wait.waits[1:]) <= 60  # the lease's own backoff, capped at a minute
    with pytest.raises(EntitlementLostError) as caught:
        lease.has("Users")
    assert caught.value.reason == "expired"
    lease.release()


def test_disabled_grant_loses_the_lease_at_the_next_extension(world: World) -> None:
    _, grant = world.issue("SKU", [USERS])
    lost: list[EntitlementLostError] = []
    done = threading.Event()
    wait = StepWait(world.local, steps=5)

    def on_lost(err: EntitlementLostError) -> None:
        lost.append(err)
        done.set()

    gate = threading.Event()

    def gated_wait(seconds: float) -> bool:
        gate.wait(5)
        return wait(seconds)

    lease = _checkout(world, entitlements={"Users": 1}, wait=gated_wait, on_lost=on_lost)
    world.buyer.api.create_grant_version(grant_arn=str(grant), status="DISABLED")  # type: ignore[arg-type]
    gate.set()

    assert done.wait(5)
    assert lost[0].reason == "extend_refused"
    assert isinstance(lost[0].__cause__, ServiceValidationError)
    with pytest.raises(EntitlementLostError) as caught:
        lease.check()
    assert caught.value.reason == "extend_refused"
    assert isinstance(caught.value.__cause__, ServiceValidationError)
    lease.release()


def test_deactivated_license_makes_extend_raise_and_the_next_check_fail(world: World) -> None:
    arn, _ = world.issue("SKU", [USERS])
    lease = _checkout(world, entitlements={"Users": 1}, keep_alive=False)
    data = world.seller.boto3_client.get_license(LicenseArn=arn)["License"]
    world.seller.boto3_client.create_license_version(
        LicenseArn=arn,
        LicenseName=data["LicenseName"],
        ProductName=data["ProductName"],
        Issuer={"Name": "My Company", "SignKey": world.key_arn},
        HomeRegion="us-east-1",
        Validity={"Begin": "2020-01-01T00:00:00Z"},
        Entitlements=data["Entitlements"],
        ConsumptionConfiguration=data["ConsumptionConfiguration"],
        Status="DEACTIVATED",
        ClientToken="deactivate",
    )

    with pytest.raises(ServiceValidationError):
        lease.extend()
    with pytest.raises(EntitlementLostError) as caught:
        lease.has("Users")
    assert caught.value.reason == "extend_refused" and "DEACTIVATED" in str(caught.value.__cause__)


def test_exit_checks_in_and_returns_the_seat(world: World) -> None:
    arn, _ = world.issue("SKU", [USERS])
    calls = count_calls(world.buyer)
    with _checkout(world, entitlements={"Users": 1}) as lease:
        assert world.used(arn, "Users") == "1"
    assert world.used(arn, "Users") == "0"
    assert calls == ["CheckoutLicense", "CheckInLicense"]
    with pytest.raises(EntitlementLostError) as caught:
        lease.has("Users")
    assert caught.value.reason == "released"
    lease.release()  # idempotent
    assert calls == ["CheckoutLicense", "CheckInLicense"]


def test_perpetual_checkouts_are_never_checked_in(world: World) -> None:
    arn, _ = world.issue("SKU", [USERS])
    calls = count_calls(world.buyer)
    with _checkout(world, entitlements={"Users": 1}, checkout_type="PERPETUAL") as lease:
        assert lease.checkout_type == "PERPETUAL"
        with pytest.raises(ValueError, match="PERPETUAL"):
            lease.check_in()
    assert calls == ["CheckoutLicense"]
    assert world.used(arn, "Users") == "1"


def test_refused_check_in_is_logged_on_exit_and_raised_when_strict(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    arn, _ = world.issue("SKU", [{**USERS, "MaxCount": 5, "AllowCheckIn": False}])
    with (
        caplog.at_level(logging.WARNING, logger="licensemanager_sdk.entitlements"),
        _checkout(world, entitlements={"Users": 1}) as lease,
    ):
        pass
    assert "check-in of" in caplog.text and "ConflictException" in caplog.text
    assert lease.token not in caplog.text
    assert world.used(arn, "Users") == "1"

    with pytest.raises(ConflictError), _checkout(world, entitlements={"Users": 1}, strict_check_in=True):
        pass
    held = _checkout(world, entitlements={"Users": 1}, keep_alive=False)
    with pytest.raises(ConflictError):
        held.check_in()
    assert held.has("Users")  # a refused check-in leaves the lease held


def test_seat_limit_error_says_what_to_check(world: World) -> None:
    world.issue("SKU", [USERS])
    first = _checkout(world, entitlements={"Users": 1}, keep_alive=False)
    second = _checkout(world, entitlements={"Users": 1}, keep_alive=False)

    with pytest.raises(NoEntitlementsAllowedError) as caught:
        _checkout(world, entitlements={"Users": 1})

    message = str(caught.value)
    assert "ProductSKU=SKU" in message and f"KeyFingerprint={FINGERPRINT}" in message
    assert "accept_and_activate" in message and "get_license_usage" in message
    assert isinstance(caught.value.__cause__, NoEntitlementsAllowedError)
    assert caught.value.request_id == caught.value.__cause__.request_id
    first.check_in()
    _checkout(world, entitlements={"Users": 1}, keep_alive=False).release()
    second.release()


def test_unknown_product_error_flags_a_malformed_fingerprint(world: World) -> None:
    world.issue("SKU", [USERS])
    with pytest.raises(ResourceNotFoundError) as caught:
        world.buyer.entitlements.checkout(product_sku="SKU", key_fingerprint="My Company", entitlements={"Users": 1})
    assert "'My Company' does not have that form" in str(caught.value)


def test_grant_not_activated_gives_the_activation_hint(world: World) -> None:
    arn, _ = world.issue("SKU", [USERS], grant_to_buyer=False)
    world.seller.boto3_client.create_grant(
        ClientToken="g",
        GrantName="g",
        LicenseArn=arn,
        Principals=["arn:aws:iam::222222222222:root"],
        HomeRegion="us-east-1",
        AllowedOperations=["CheckoutLicense"],
    )
    with pytest.raises((ResourceNotFoundError, NoEntitlementsAllowedError), match="accepted AND activated"):
        _checkout(world, entitlements={"Users": 1})


def test_issuer_self_checkout_with_beneficiary(world: World) -> None:
    arn, _ = world.issue("SKU", [USERS], grant_to_buyer=False)
    with world.seller.entitlements.checkout(
        product_sku="SKU", key_fingerprint=FINGERPRINT, entitlements={"Users": 2}, beneficiary="My Beneficiary"
    ) as lease:
        assert lease.quantity("Users") == 2
        assert world.used(arn, "Users") == "2"
    assert world.used(arn, "Users") == "0"


def test_bad_entitlement_specs_are_refused_before_any_call(world: World) -> None:
    calls = count_calls(world.buyer)
    for spec in ({}, {"Users": 0}, {"Users": -1}, {"Users": True}, {"Users": 1.5}):
        with pytest.raises(ValueError):
            world.buyer.entitlements.checkout(product_sku="S", key_fingerprint=FINGERPRINT, entitlements=spec)  # type: ignore[arg-type]
    assert calls == []


def test_an_on_lost_callback_that_raises_is_logged_and_the_error_still_reaches_the_check(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.issue("SKU", [USERS])

    def broken(err: EntitlementLostError) -> None:
        raise RuntimeError("callback bug")

    lease = _checkout(world, entitlements={"Users": 1}, keep_alive=False, on_lost=broken)
    assert lease.held and lease.lost is None
    world.local.advance_clock(3601)
    with caplog.at_level(logging.ERROR, logger="licensemanager_sdk.entitlements"):
        assert not lease.held
        with pytest.raises(EntitlementLostError):
            lease.has("Users")
    assert "on_lost callback" in caplog.text and "callback bug" in caplog.text
    calls = count_calls(world.buyer)
    lease.release()  # lost: its token is no longer valid, so no check-in is attempted
    assert calls == []


def test_an_unexpected_extend_failure_is_retried_not_fatal(world: World) -> None:
    world.issue("SKU", [USERS])
    wait = StepWait(world.local, steps=3)
    failures = iter([RuntimeError("boom")])
    lease = _checkout(world, entitlements={"Users": 1}, keep_alive=False)
    real_extend = lease.extend

    def flaky_extend() -> object:
        for err in failures:
            raise err
        return real_extend()

    lease.extend = flaky_extend  # type: ignore[method-assign]
    lease._wait = wait
    thread = threading.Thread(target=lease._keep_alive)
    thread.start()
    thread.join(5)
    assert wait.waits[0] == pytest.approx(2400, abs=2)  # the renewal time...
    assert wait.waits[1] == pytest.approx(
        2.0, abs=0.1
    )  # ...then the lease's own 2 s backoff after the unexpected failure
    assert (lease.expiration - lease.issued_at).total_seconds() > 3600
    assert lease.has("Users")
