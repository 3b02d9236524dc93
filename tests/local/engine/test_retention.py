"""Idempotency records and finished checkouts expire after their windows, in memory and in the state file."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from licensemanager_sdk.local.core.settings import Settings
from licensemanager_sdk.local.engine import Engine

from .conftest import BUYER, SELLER, Api, active_grant, checkout, client_token, create_license

_WINDOW = Settings().idempotency_window_s


def _rows(path: Path, kind: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        count: int = conn.execute("SELECT COUNT(*) FROM docs WHERE kind = ?", (kind,)).fetchone()[0]
    return count


def _engine(path: Path) -> tuple[Engine, Api, Api]:
    engine = Engine(state_path=path, settings=Settings(reuse_rsa_keys=True))
    return engine, Api(engine, SELLER), Api(engine, BUYER)


def _usage(api: Api, arn: str) -> str:
    consumed: str = api.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"]
    return consumed


def test_idempotency_records_expire_after_the_window(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    engine, seller, _ = _engine(path)
    arn = create_license(seller)
    assert _rows(path, "idem") == 1
    engine.clock.advance(_WINDOW + 1)
    create_license(seller)  # a later write prunes the expired record
    assert _rows(path, "idem") == 1
    assert seller.ListLicenses()["Licenses"][0]["LicenseArn"] == arn
    engine.close()


def test_replay_inside_the_window_still_replays(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    engine, seller, _ = _engine(path)
    token = client_token()
    first = create_license(seller, ClientToken=token)
    engine.clock.advance(_WINDOW - 5)
    create_license(seller)  # a write that prunes
    assert create_license(seller, ClientToken=token) == first
    assert len(seller.ListLicenses()["Licenses"]) == 2
    engine.close()


def test_finished_checkouts_are_deleted_and_usage_stays_right(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    engine, seller, buyer = _engine(path)
    arn = create_license(
        seller, Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 10, "AllowCheckIn": True}]
    )
    active_grant(seller, buyer, arn)
    returned = checkout(buyer)["LicenseConsumptionToken"]
    checkout(buyer, value="2")  # expires after the 60-minute provisional TTL
    buyer.CheckInLicense(LicenseConsumptionToken=returned)
    assert (_rows(path, "checkout"), _usage(buyer, arn)) == (2, "2")
    engine.clock.advance(_WINDOW + 1)
    kept = checkout(buyer, value="3")["LicenseConsumptionToken"]  # the checked-in one is pruned now
    assert (_rows(path, "checkout"), _usage(buyer, arn)) == (2, "5")
    engine.clock.advance(3600 + _WINDOW + 1)
    checkout(buyer, value="4")  # both earlier checkouts have expired more than a window ago
    assert (_rows(path, "checkout"), _usage(buyer, arn)) == (1, "4")
    assert buyer.error("CheckInLicense", LicenseConsumptionToken=kept).code == "ResourceNotFoundException"
    engine.close()
    reopened, _, buyer_again = _engine(path)
    assert _usage(buyer_again, arn) == "4"
    reopened.close()


def test_pruning_is_bounded_per_call(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    engine, seller, _ = _engine(path)
    for _ in range(20):
        create_license(seller)
    engine.clock.advance(_WINDOW + 1)
    create_license(seller)
    assert _rows(path, "idem") == 20 - 16 + 1
    create_license(seller)
    assert _rows(path, "idem") == 2
    engine.close()


def test_reads_do_not_prune(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    engine, seller, _ = _engine(path)
    arn = create_license(seller)
    engine.clock.advance(_WINDOW + 1)
    seller.GetLicense(LicenseArn=arn)
    assert _rows(path, "idem") == 1
    engine.close()
