"""`lm.entitlements.tier()` and `borrow()` with offline save/load."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from licensemanager_sdk import EntitlementNotAllowedError, NoEntitlementsAllowedError, TokenVerificationError
from licensemanager_sdk.entitlements import BorrowedLease, EntitlementLostError
from tests.entitlements.conftest import FINGERPRINT, USERS, World, count_calls

TIERS = ["Basic", "Intermediate", "Premium"]


def _tier(name: str) -> dict[str, str]:
    return {"Name": name, "Unit": "None", "Value": "Enabled"}


def test_tier_is_the_highest_tier_held_in_one_call(world: World) -> None:
    world.issue("ONE", [_tier("Intermediate"), USERS])
    world.issue("TWO", [_tier("Basic"), _tier("Premium")])
    world.issue("NONE", [USERS])
    calls = count_calls(world.buyer)

    assert world.buyer.entitlements.tier(product_sku="ONE", key_fingerprint=FINGERPRINT, tiers=TIERS) == "Intermediate"
    assert calls == ["CheckoutLicense"]
    assert world.buyer.entitlements.tier(product_sku="TWO", key_fingerprint=FINGERPRINT, tiers=TIERS) == "Premium"
    assert world.buyer.entitlements.tier(product_sku="NONE", key_fingerprint=FINGERPRINT, tiers=TIERS) is None
    with pytest.raises(ValueError):
        world.buyer.entitlements.tier(product_sku="ONE", key_fingerprint=FINGERPRINT, tiers=[])


def test_marketplace_tier(world: World) -> None:
    world.local.engine.seed_marketplace_license(
        buyer_account="222222222222", product_sku="MP", entitlements=[_tier("IntermediateTier")]
    )
    held = world.buyer.entitlements.tier(
        product_sku="MP",
        key_fingerprint="aws:294406891311:AWS/Marketplace:issuer-fingerprint",
        tiers=["BasicTier", "IntermediateTier", "PremiumTier"],
    )
    assert held == "IntermediateTier"


def test_borrow_save_and_load_offline(world: World, tmp_path: Path) -> None:
    arn, _ = world.issue("SKU", [USERS], borrow=True)
    lease = world.buyer.entitlements.borrow(
        license_arn=arn, entitlements={"Users": 1}, node_id="laptop-1", checkout_metadata={"Mac": "AB:CD"}
    )
    assert lease.checkout_type == "BORROW" and lease.checkout_metadata == {"Mac": "AB:CD"}
    assert (lease.expiration - lease.issued_at).total_seconds() == 24 * 3600
    path = lease.save(tmp_path / "lease.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ValueError, match="cannot be extended"):
        lease.extend()

    calls = count_calls(world.buyer)
    kms_calls: list[str] = []  # nothing at all may be sent while loading
    world.kms.meta.events.register("before-call.kms", lambda model, **_: kms_calls.append(model.name))
    # Offline, the laptop's clock is the wall clock; the emulator's is the same (plus any offset the test set).
    service_clock = world.local.engine.clock.timestamp
    loaded = BorrowedLease.load(path, public_key=world.public_der, node_id="laptop-1", clock=service_clock)
    assert calls == [] and kms_calls == []
    assert loaded.has("Users") and loaded.quantity("Users") == 1
    assert loaded.license_arn == arn and loaded.node_id == "laptop-1" and loaded.token == lease.token
    assert loaded.checkout_metadata == {"Mac": "AB:CD"}
    with pytest.raises(ValueError, match="lm="):
        loaded.check_in()

    with pytest.raises(TokenVerificationError) as caught:
        BorrowedLease.load(path, public_key=world.public_der, node_id="laptop-2", clock=service_clock)
    assert caught.value.reason == "node_id"

    # The file's readable fields are ignored: only the verified token counts.
    document = json.loads(path.read_text())
    document["licenseArn"] = "arn:aws:license-manager::999999999999:license:l-forged"
    path.write_text(json.dumps(document))
    assert BorrowedLease.load(path, public_key=world.public_der, clock=service_clock).license_arn == arn

    world.local.advance_clock(23 * 3600)
    assert loaded.has("Users")
    world.local.advance_clock(3600)
    with pytest.raises(EntitlementLostError):
        loaded.has("Users")
    with pytest.raises(TokenVerificationError) as caught:
        BorrowedLease.load(path, public_key=world.public_der, clock=service_clock)
    assert caught.value.reason == "expired"


def test_borrowed_lease_checks_in_early_on_exit(world: World) -> None:
    arn, _ = world.issue("SKU", [USERS], borrow=True)
    with world.buyer.entitlements.borrow(license_arn=arn, entitlements={"Users": 2}) as lease:
        assert lease.quantity("Users") == 2 and world.used(arn, "Users") == "2"
    assert world.used(arn, "Users") == "0"


def test_borrow_errors_say_what_to_check(world: World) -> None:
    plain, _ = world.issue("PLAIN", [USERS])
    with pytest.raises(NoEntitlementsAllowedError, match=r"BorrowConfiguration and Issuer\.SignKey") as caught:
        world.buyer.entitlements.borrow(license_arn=plain, entitlements={"Users": 1})
    assert isinstance(caught.value.__cause__, NoEntitlementsAllowedError)
    arn, _ = world.issue("SKU", [USERS], borrow=True)
    with pytest.raises(EntitlementNotAllowedError, match="all-or-nothing"):
        world.buyer.entitlements.borrow(license_arn=arn, entitlements={"Users": 1, "Admins": 1})
    with pytest.raises(NoEntitlementsAllowedError, match="enough seats"):
        world.buyer.entitlements.borrow(license_arn=arn, entitlements={"Users": 3})
