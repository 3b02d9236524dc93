"""Checkout, partial fulfilment, exhaustion, expiry on the engine clock, check-in, extend, drawdown, concurrency."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from licensemanager_sdk.local.core.faults import ServiceFault
from licensemanager_sdk.local.core.settings import Settings
from licensemanager_sdk.local.engine import Engine

from .conftest import BUYER, SELLER, Api, active_grant, checkout, client_token, create_license


def entitlements(max_count: int = 1, **flags: object) -> list[dict[str, object]]:
    return [{"Name": "Users", "Unit": "Count", "MaxCount": max_count, "AllowCheckIn": True, **flags}]


def test_checkout_response_shape(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    active_grant(seller, buyer, arn)
    out = checkout(buyer, NodeId="10.0.21.57")
    assert out["LicenseArn"] == arn
    assert out["CheckoutType"] == "PROVISIONAL"
    assert out["EntitlementsAllowed"] == [{"Name": "Users", "Unit": "Count", "Value": "1"}]
    assert out["NodeId"] == "10.0.21.57"
    assert len(out["LicenseConsumptionToken"]) == 32
    issued = datetime.strptime(out["IssuedAt"], "%Y-%m-%dT%H:%M:%S")
    assert datetime.strptime(out["Expiration"], "%Y-%m-%dT%H:%M:%S") - issued == timedelta(minutes=60)
    assert "SignedToken" not in out


def test_issuer_self_checkout_needs_beneficiary(seller: Api) -> None:
    create_license(seller)
    assert seller.error("CheckoutLicense", **_checkout_params()).code == "ResourceNotFoundException"
    assert checkout(seller, Beneficiary="My Beneficiary")["EntitlementsAllowed"][0]["Value"] == "1"
    assert (
        seller.error("CheckoutLicense", **_checkout_params(Beneficiary="Someone Else")).code
        == "ResourceNotFoundException"
    )


def _checkout_params(**extra: object) -> dict[str, object]:
    params: dict[str, object] = {
        "ProductSKU": "sku-1",
        "CheckoutType": "PROVISIONAL",
        "KeyFingerprint": f"aws:{SELLER}:My Company:issuer-fingerprint",
        "Entitlements": [{"Name": "Users", "Unit": "Count", "Value": "1"}],
        "ClientToken": client_token(),
    }
    params.update(extra)
    return params


def test_not_found_error_is_switchable(buyer: Api) -> None:
    assert buyer.error("CheckoutLicense", **_checkout_params()).code == "ResourceNotFoundException"
    eng = Engine(settings=Settings(checkout_not_found_error="NoEntitlementsAllowedException"))
    assert Api(eng, BUYER).error("CheckoutLicense", **_checkout_params()).code == "NoEntitlementsAllowedException"


def test_most_recent_license_wins(seller: Api, buyer: Api) -> None:
    old = create_license(seller)
    new = create_license(seller)
    active_grant(seller, buyer, old)
    assert checkout(buyer)["LicenseArn"] == old
    active_grant(seller, buyer, new)
    assert checkout(buyer)["LicenseArn"] == new


def test_partial_fulfilment_and_tiers(seller: Api, buyer: Api) -> None:
    arn = create_license(
        seller,
        Entitlements=[
            {"Name": "Users", "Unit": "Count", "MaxCount": 2},
            {"Name": "Intermediate", "Unit": "None", "Value": "Enabled"},
        ],
    )
    active_grant(seller, buyer, arn)
    out = buyer.CheckoutLicense(
        **_checkout_params(
            Entitlements=[
                {"Name": "Basic", "Unit": "None"},
                {"Name": "Intermediate", "Unit": "None"},
                {"Name": "Users", "Unit": "Count", "Value": "5"},
                {"Name": "Users", "Unit": "Count", "Value": "2"},
            ]
        )
    )
    assert out["EntitlementsAllowed"] == [
        {"Name": "Intermediate", "Unit": "None", "Value": "Enabled"},
        {"Name": "Users", "Unit": "Count", "Value": "2"},
    ]
    err = buyer.error("CheckoutLicense", **_checkout_params(Entitlements=[{"Name": "Users", "Unit": "None"}]))
    assert err.code == "NoEntitlementsAllowedException"
    err = buyer.error(
        "CheckoutLicense", **_checkout_params(Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "x"}])
    )
    assert err.code == "ValidationException"


def test_exhaustion_then_expiry_frees_the_seat(seller: Api, buyer: Api, engine: Engine) -> None:
    arn = create_license(seller, Entitlements=entitlements(1))
    active_grant(seller, buyer, arn)
    checkout(buyer)
    err = buyer.error("CheckoutLicense", **_checkout_params())
    assert (err.code, err.message) == ("NoEntitlementsAllowedException", "No Entitlements Allowed")
    engine.clock.advance(59 * 60)
    assert buyer.error("CheckoutLicense", **_checkout_params()).code == "NoEntitlementsAllowedException"
    engine.clock.advance(61)
    assert checkout(buyer)["EntitlementsAllowed"][0]["Value"] == "1"
    assert buyer.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "1"


def test_overage(seller: Api, buyer: Api) -> None:
    arn = create_license(seller, Entitlements=entitlements(1, Overage=True))
    active_grant(seller, buyer, arn)
    checkout(buyer)
    checkout(buyer, "2")
    assert buyer.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "3"


def test_license_state_blocks_checkout(seller: Api, buyer: Api, engine: Engine) -> None:
    future = engine.clock.now().year + 2
    arn = create_license(seller, Validity={"Begin": f"{future}-01-01T00:00:00Z"})
    active_grant(seller, buyer, arn)
    assert buyer.error("CheckoutLicense", **_checkout_params()).code == "NoEntitlementsAllowedException"
    borrow_only = create_license(
        seller,
        ProductSKU="sku-b",
        ConsumptionConfiguration={"BorrowConfiguration": {"AllowEarlyCheckIn": True, "MaxTimeToLiveInMinutes": 10}},
    )
    active_grant(seller, buyer, borrow_only)
    err = buyer.error("CheckoutLicense", **_checkout_params(ProductSKU="sku-b"))
    assert err.code == "NoEntitlementsAllowedException"


def test_check_in_rules(seller: Api, buyer: Api, engine: Engine) -> None:
    arn = create_license(
        seller,
        Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 5, "AllowCheckIn": False}],
        ProductSKU="sku-1",
    )
    active_grant(seller, buyer, arn)
    token = checkout(buyer)["LicenseConsumptionToken"]
    assert buyer.error("CheckInLicense", LicenseConsumptionToken=token).code == "ConflictException"
    assert (
        Api(engine, "999999999999").error("CheckInLicense", LicenseConsumptionToken=token).code
        == "AccessDeniedException"
    )
    assert buyer.error("CheckInLicense", LicenseConsumptionToken="0" * 32).code == "ResourceNotFoundException"
    engine.clock.advance(3601)
    assert buyer.error("CheckInLicense", LicenseConsumptionToken=token).code == "ResourceNotFoundException"


def test_check_in_returns_quantity(seller: Api, buyer: Api) -> None:
    arn = create_license(seller, Entitlements=entitlements(1))
    active_grant(seller, buyer, arn)
    token = checkout(buyer)["LicenseConsumptionToken"]
    assert buyer.CheckInLicense(LicenseConsumptionToken=token) == {}
    assert buyer.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "0"
    assert buyer.error("CheckInLicense", LicenseConsumptionToken=token).code == "ResourceNotFoundException"
    assert buyer.error("ExtendLicenseConsumption", LicenseConsumptionToken=token).code == "ResourceNotFoundException"
    checkout(buyer)


def test_check_in_needs_grant_operation(seller: Api, buyer: Api) -> None:
    arn = create_license(seller, Entitlements=entitlements(3))
    active_grant(seller, buyer, arn, operations=["CheckoutLicense", "ListPurchasedLicenses"])
    token = checkout(buyer)["LicenseConsumptionToken"]
    assert buyer.error("CheckInLicense", LicenseConsumptionToken=token).code == "AccessDeniedException"
    assert buyer.error("ExtendLicenseConsumption", LicenseConsumptionToken=token).code == "AccessDeniedException"


def test_extend(seller: Api, buyer: Api, engine: Engine) -> None:
    arn = create_license(seller)
    grant = active_grant(seller, buyer, arn)
    out = checkout(buyer)
    token = out["LicenseConsumptionToken"]
    engine.clock.advance(600)
    dry = buyer.ExtendLicenseConsumption(LicenseConsumptionToken=token, DryRun=True)
    assert dry == {"LicenseConsumptionToken": token, "Expiration": out["Expiration"]}
    ext = buyer.ExtendLicenseConsumption(LicenseConsumptionToken=token)
    expected = engine.clock.now().replace(tzinfo=None, microsecond=0) + timedelta(minutes=60)
    assert abs(datetime.strptime(ext["Expiration"], "%Y-%m-%dT%H:%M:%S") - expected) <= timedelta(seconds=1)
    engine.clock.advance(3000)  # past the original expiry, within the extended one
    assert buyer.CheckInLicense(LicenseConsumptionToken=token) == {}
    token2 = checkout(buyer)["LicenseConsumptionToken"]
    buyer.CreateGrantVersion(GrantArn=grant, Status="DISABLED", ClientToken=client_token())
    assert buyer.error("ExtendLicenseConsumption", LicenseConsumptionToken=token2).code == "ValidationException"


def test_perpetual_drawdown_and_weekly_reset(seller: Api, buyer: Api, engine: Engine) -> None:
    arn = create_license(
        seller,
        Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 2, "AllowCheckIn": True}],
        ConsumptionConfiguration={"RenewType": "Weekly", "ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
    )
    active_grant(seller, buyer, arn)
    token = checkout(buyer, "2", CheckoutType="PERPETUAL")["LicenseConsumptionToken"]
    assert buyer.error("CheckInLicense", LicenseConsumptionToken=token).code == "ConflictException"
    assert buyer.error("ExtendLicenseConsumption", LicenseConsumptionToken=token).code == "ValidationException"
    engine.clock.advance(3 * 3600)
    assert (
        buyer.error("CheckoutLicense", **_checkout_params(CheckoutType="PERPETUAL")).code
        == "NoEntitlementsAllowedException"
    )
    engine.clock.advance(7 * 86400)
    assert checkout(buyer, "2", CheckoutType="PERPETUAL")["EntitlementsAllowed"][0]["Value"] == "2"


def test_reset_usage_on_new_version(seller: Api, buyer: Api) -> None:
    arn = create_license(seller, Entitlements=entitlements(1))
    active_grant(seller, buyer, arn)
    checkout(buyer, CheckoutType="PERPETUAL")
    assert (
        buyer.error("CheckoutLicense", **_checkout_params(CheckoutType="PERPETUAL")).code
        == "NoEntitlementsAllowedException"
    )
    from .conftest import license_params

    update = {
        k: v for k, v in license_params(Entitlements=entitlements(1)).items() if k not in ("ProductSKU", "Beneficiary")
    }
    seller.CreateLicenseVersion(LicenseArn=arn, Status="AVAILABLE", ResetUsage=True, **update)
    assert checkout(buyer, CheckoutType="PERPETUAL")["LicenseArn"] == arn


def test_concurrent_checkouts_never_exceed_max_count(seller: Api, buyer: Api, engine: Engine) -> None:
    arn = create_license(seller, Entitlements=entitlements(25))
    active_grant(seller, buyer, arn)
    granted: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            try:
                token = checkout(buyer)["LicenseConsumptionToken"]
            except ServiceFault as exc:
                with lock:
                    refused.append(exc.code)
            else:
                with lock:
                    granted.append(token)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 25
    assert len(set(granted)) == 25
    assert set(refused) == {"NoEntitlementsAllowedException"} and len(refused) == 55
    assert buyer.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "25"


def test_region_rules_for_checkout(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    active_grant(seller, buyer, arn)
    assert checkout(buyer.in_region("eu-west-1"))["LicenseArn"] == arn
    eng = Engine(settings=Settings(global_consumption=False))
    s, b = Api(eng, SELLER), Api(eng, BUYER)
    arn = create_license(s)
    active_grant(s, b, arn)
    err = b.in_region("eu-west-1").error("CheckoutLicense", **_checkout_params())
    assert (err.code, err.extra["Location"]) == ("RedirectException", "https://license-manager.us-east-1.amazonaws.com")


def test_clock_moving_back_restores_outstanding_checkouts(seller: Api, buyer: Api, engine: Engine) -> None:
    arn = create_license(seller, Entitlements=entitlements(1))
    active_grant(seller, buyer, arn)
    checkout(buyer)
    engine.clock.advance(3601)
    assert buyer.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "0"
    engine.clock.advance(-3601)
    assert buyer.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "1"
    assert buyer.error("CheckoutLicense", **_checkout_params()).code == "NoEntitlementsAllowedException"
