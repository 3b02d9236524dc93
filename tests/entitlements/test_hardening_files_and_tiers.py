"""`BorrowedLease.save()` writes a fresh 0600 file and never writes through a symlink; `tier()` takes one name."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from licensemanager_sdk.entitlements import BorrowedLease
from tests.entitlements.conftest import FINGERPRINT, USERS, World

TIER = {"Name": "IntermediateTier", "Unit": "None", "Value": "Enabled"}


def _borrowed(world: World) -> BorrowedLease:
    arn, _ = world.issue("SKU", [USERS], borrow=True)
    return world.buyer.entitlements.borrow(license_arn=arn, entitlements={"Users": 1}, node_id="laptop-1")


def _loads(world: World, path: Path) -> bool:
    return BorrowedLease.load(path, public_key=world.public_der).has("Users")


def test_save_over_an_existing_0644_file_leaves_a_0600_file(world: World, tmp_path: Path) -> None:
    target = tmp_path / "lease.json"
    target.write_text("old")
    target.chmod(0o644)
    _borrowed(world).save(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _loads(world, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lease.json"]  # no temporary file left behind


def test_save_replaces_a_symlink_instead_of_writing_through_it(world: World, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    victim.chmod(0o644)
    link = tmp_path / "lease.json"
    link.symlink_to(victim)
    _borrowed(world).save(link)
    assert victim.read_text() == "precious" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert not link.is_symlink() and stat.S_IMODE(link.stat().st_mode) == 0o600
    assert _loads(world, link)


def test_a_failed_save_leaves_the_target_and_no_temporary_file(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "lease.json"
    target.write_text("old")

    def no_disk(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", no_disk)
    with pytest.raises(OSError, match="disk full"):
        _borrowed(world).save(target)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lease.json"]


def test_tier_takes_one_name_as_well_as_a_list(world: World) -> None:
    world.issue("TIERED", [TIER])
    ask = {"product_sku": "TIERED", "key_fingerprint": FINGERPRINT}
    assert world.buyer.entitlements.tier(**ask, tiers="IntermediateTier") == "IntermediateTier"
    assert world.buyer.entitlements.tier(**ask, tiers=["IntermediateTier"]) == "IntermediateTier"
    assert world.buyer.entitlements.tier(**ask, tiers="PremiumTier") is None
    for bad in ("", [], [""]):
        with pytest.raises(ValueError, match="at least one tier"):
            world.buyer.entitlements.tier(**ask, tiers=bad)
