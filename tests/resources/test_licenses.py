"""License snapshots and lm.licenses against the local service."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from licensemanager_sdk import (
    MARKETPLACE_KEY_FINGERPRINT,
    ConflictError,
    License,
    LicenseManager,
    WaiterError,
    WaitTimeoutError,
    key_fingerprint,
)
from licensemanager_sdk.local import LocalLicenseManager, Settings
from licensemanager_sdk.resources import ReceivedLicense
from licensemanager_sdk.types import Entitlement, EntitlementUnit, LicenseData, LicenseStatus

from .conftest import BUYER, SELLER, CallLog, FakeTime, make_license, recorded


def test_create_returns_a_lazy_license_that_loads_once(
    seller: LicenseManager, seller_log: CallLog, new_license: Callable[..., License]
) -> None:
    license = new_license()
    assert not license.is_loaded
    assert seller_log.names() == ["CreateLicense"]
    assert seller_log.of("CreateLicense")[0]["ClientToken"]  # filled by the call path
    assert license.data.product_sku == "sku-pro"
    assert license.status is LicenseStatus.AVAILABLE
    assert license.version == "1"
    assert seller_log.names() == ["CreateLicense", "GetLicense"]  # one load, then cached


def test_identity_repr_and_reload(seller: LicenseManager, new_license: Callable[..., License]) -> None:
    license = new_license()
    same = License(seller, license.arn)
    assert same == license and hash(same) == hash(license)
    assert len({license, same}) == 1
    assert repr(license) == f"License(arn={license.arn!r})"
    fresh = license.reload()
    assert fresh is not license and fresh == license and fresh.is_loaded
    got = seller.licenses.get(license.arn)
    assert got.is_loaded and got.data.license_arn == license.arn
    with pytest.raises(ValueError, match="non-empty arn"):
        License(seller, "")


def test_create_version_carries_everything_over_but_the_changes(
    seller: LicenseManager, seller_log: CallLog, new_license: Callable[..., License]
) -> None:
    v1 = new_license().reload()
    seller_log.clear()
    v2 = v1.create_version(license_name="Pro Plus")
    sent = seller_log.of("CreateLicenseVersion")[0]
    assert sent["SourceVersion"] == "1"
    assert sent["Issuer"] == {"Name": "My Company"}  # name (and sign key), never KeyFingerprint
    assert sent["Status"] == "AVAILABLE"
    assert sent["LicenseMetadata"] == [{"Name": "tier", "Value": "gold"}]
    assert not v2.is_loaded and v1.version == "1"  # v1 is untouched
    new = v2.data
    old = v1.data
    assert new.version == "2" and new.license_name == "Pro Plus"
    for name in ("product_name", "product_sku", "issuer", "home_region", "validity", "beneficiary",
                 "entitlements", "consumption_configuration", "license_metadata"):  # fmt: skip
        assert getattr(new, name) == getattr(old, name), name

    more = [Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=50, allow_check_in=True)]
    v3 = v2.create_version(entitlements=more, status="DEACTIVATED")
    assert v3.data.entitlements[0].max_count == 50 and v3.status is LicenseStatus.DEACTIVATED
    assert v3.data.license_name == "Pro Plus"
    assert [item.data.version for item in seller.licenses.versions(v3)] == ["1", "2", "3"]


def test_version_gated_writes_surface_the_conflict_and_never_reload(
    seller: LicenseManager, seller_log: CallLog, new_license: Callable[..., License]
) -> None:
    stale = new_license().reload()
    stale.create_version(product_name="Renamed")
    seller_log.clear()
    with pytest.raises(ConflictError, match="SourceVersion 1"):
        stale.create_version(license_name="Lost update")
    with pytest.raises(ConflictError):
        stale.delete()
    assert "GetLicense" not in seller_log.names()
    current = stale.reload()
    deleted = current.delete()
    assert str(deleted.status) in ("PENDING_DELETE", "DELETED") and deleted.deletion_date is not None
    assert str(current.reload().status) in ("PENDING_DELETE", "DELETED")


def test_usage(new_license: Callable[..., License]) -> None:
    usage = new_license().usage()
    assert [(u.name, u.consumed_value, u.max_count) for u in usage.entitlement_usages] == [("Users", "0", "10")]


def test_list_filters_and_multi_value_split(seller: LicenseManager, seller_log: CallLog) -> None:
    a = make_license(seller, sku="a")
    b = make_license(seller, sku="b")
    make_license(seller, sku="c")
    b.reload().create_version(status=LicenseStatus.DEACTIVATED)
    seller_log.clear()

    listing = seller.licenses.list(product_sku=["a", "b", "a"], status=[LicenseStatus.AVAILABLE, "DEACTIVATED"])
    assert seller_log.calls == []  # lazy: nothing until iterated
    found = list(listing)
    assert sorted(item.data.product_sku or "" for item in found) == ["a", "b"]
    calls = seller_log.of("ListLicenses")
    assert len(calls) == 4  # 2 statuses x 2 distinct SKUs, one value per filter each
    combos = {tuple((f["Name"], *f["Values"]) for f in call["Filters"]) for call in calls}
    assert combos == {
        (("Status", status), ("ProductSKU", sku)) for status in ("AVAILABLE", "DEACTIVATED") for sku in ("a", "b")
    }
    assert all(item.is_loaded for item in found)  # built from the list data, no GetLicense
    assert "GetLicense" not in seller_log.names()

    seller_log.clear()
    assert list(seller.licenses.list(fingerprint=key_fingerprint(SELLER, "My Company"), max_items=1)) in ([a], [b])
    assert seller_log.of("ListLicenses")[0]["Filters"] == [
        {"Name": "Fingerprint", "Values": ["aws:111111111111:My Company:issuer-fingerprint"]}
    ]
    assert list(seller.licenses.list(beneficiary="nobody")) == []


def test_split_listing_is_lazy_and_deduplicates_by_arn(seller: LicenseManager, seller_log: CallLog) -> None:
    for sku in ("x", "x", "x", "y"):
        make_license(seller, sku=sku)
    seller_log.clear()
    items = iter(seller.licenses.list(product_sku=("x", "y"), page_size=2))
    next(items)
    assert len(seller_log.of("ListLicenses")) == 1
    rest = list(items)
    calls = seller_log.of("ListLicenses")
    assert [call["Filters"][0]["Values"] for call in calls] == [["x"], ["x"], ["y"]]  # y only after x is exhausted
    assert all(call["MaxResults"] == 2 for call in calls)
    assert len(rest) == 3

    # An item that changes between the calls shows up in two streams: yielded once (de-duplicated by ARN).
    seller_log.clear()
    first = make_license(seller, sku="z").reload()
    listing = iter(seller.licenses.list(product_sku="z", status=["AVAILABLE", "DEACTIVATED"]))
    assert next(listing) == first
    first.create_version(status="DEACTIVATED")  # now it matches the second stream too
    assert list(listing) == []
    statuses = [call["Filters"][0]["Values"] for call in seller_log.of("ListLicenses")]
    assert statuses == [["AVAILABLE"], ["DEACTIVATED"]]


def test_split_listing_pages_carry_composite_tokens_and_max_items(seller: LicenseManager) -> None:
    for sku in ("x", "y", "y"):
        make_license(seller, sku=sku)
    pages = list(seller.licenses.list(product_sku=["x", "y"]).pages())
    assert [len(page.items) for page in pages] == [1, 2]
    assert pages[0].next_token == "1:" and pages[-1].next_token is None
    assert len(list(seller.licenses.list(product_sku=["x", "y"], max_items=2))) == 2
    assert list(seller.licenses.list(product_sku=["x", "y"], max_items=0)) == []


def test_filter_arguments_are_checked_at_call_time(seller: LicenseManager) -> None:
    with pytest.raises(TypeError):
        seller.licenses.list(sku="a")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="status='ACTIV' is not a LicenseStatus"):
        seller.licenses.list(status="ACTIV")
    with pytest.raises(ValueError, match="empty list"):
        seller.licenses.list(product_sku=[])
    with pytest.raises(TypeError, match="takes a string"):
        seller.licenses.list(product_sku=3)  # type: ignore[arg-type]


def test_list_received_gives_license_and_received_metadata(
    seller: LicenseManager, buyer: LicenseManager, buyer_log: CallLog, new_license: Callable[..., License]
) -> None:
    license = new_license()
    grant = license.create_grant(BUYER, ["CheckoutLicense", "ListPurchasedLicenses"], grant_name="g")
    buyer.grants.get(grant.arn).accept_and_activate()
    buyer_log.clear()
    received = list(buyer.licenses.list_received(issuer_name="My Company", product_sku=["sku-pro", "other"]))
    assert received == [ReceivedLicense(License(buyer, license.arn), None, received[0].data)]
    item = received[0]
    assert repr(item) == f"ReceivedLicense(arn={license.arn!r})"
    assert isinstance(item.license.data, LicenseData) and item.license.data.product_sku == "sku-pro"
    assert item.received_metadata is not None and str(item.received_metadata.received_status) == "ACTIVE"
    assert [str(op) for op in item.received_metadata.allowed_operations] == ["CheckoutLicense", "ListPurchasedLicenses"]
    assert len(buyer_log.of("ListReceivedLicenses")) == 2
    assert "GetLicense" not in buyer_log.names()
    assert item.license.data.beneficiary == "customer-1"


def test_wait_until_available() -> None:
    local = LocalLicenseManager(settings=Settings(license_activation_delay_s=3))
    seller = local.client(account=SELLER)
    log = recorded(seller)
    license = make_license(seller)
    assert license.status is LicenseStatus.PENDING_AVAILABLE
    time = FakeTime(local)
    ready = license.wait_until_available(timeout=30, sleep=time.sleep, clock=time.clock)
    assert ready.status is LicenseStatus.AVAILABLE
    assert time.sleeps == [0.5, 1.0, 2.0]  # backoff doubles
    assert len(log.of("GetLicense")) == 1 + 4


def test_wait_until_available_times_out_naming_the_last_status() -> None:
    local = LocalLicenseManager(settings=Settings(license_activation_delay_s=1000))
    license = make_license(local.client(account=SELLER))
    time = FakeTime(local)
    with pytest.raises(WaitTimeoutError, match="last status seen: PENDING_AVAILABLE") as caught:
        license.wait_until_available(timeout=10, sleep=time.sleep, clock=time.clock)
    assert caught.value.last_status == "PENDING_AVAILABLE" and caught.value.elapsed == pytest.approx(10)
    assert time.sleeps == [0.5, 1.0, 2.0, 4.0, 2.5]  # capped by what is left of the timeout


def test_wait_until_available_stops_on_a_hopeless_status(new_license: Callable[..., License]) -> None:
    license = new_license().reload().create_version(status="SUSPENDED")
    time = FakeTime()
    with pytest.raises(WaiterError, match="is SUSPENDED, from which it can never become AVAILABLE") as caught:
        license.wait_until_available(timeout=10, sleep=time.sleep, clock=time.clock)
    assert not isinstance(caught.value, WaitTimeoutError) and time.sleeps == []
    with pytest.raises(ValueError, match="timeout"):
        license.wait_until_available(timeout=-1)


def test_key_fingerprints() -> None:
    assert MARKETPLACE_KEY_FINGERPRINT == "aws:294406891311:AWS/Marketplace:issuer-fingerprint"
    assert key_fingerprint("294406891311", "AWS/Marketplace") == MARKETPLACE_KEY_FINGERPRINT
    for bad in ("12345", "12345678901a", "1234567890123", ""):
        with pytest.raises(ValueError, match="12-digit"):
            key_fingerprint(bad, "Issuer")
    with pytest.raises(ValueError, match="issuer_name"):
        key_fingerprint("123456789012", "")
