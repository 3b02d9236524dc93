"""`seed_marketplace_license`, `set_organization` and the `marketplace_license` fixture, in process."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest

from licensemanager_sdk import LicenseManager, ResourceNotFoundError
from licensemanager_sdk.local import MARKETPLACE_FINGERPRINT, LocalLicenseManager, MarketplaceLicense, Settings
from licensemanager_sdk.testing import BUYER_ACCOUNT
from tests.local.marketplace.conftest import BUYER, FINGERPRINT

TIERS = ["BasicTier", "IntermediateTier", "PremiumTier"]


def test_seed_returns_the_license_and_the_buyers_active_grant(emulator: LocalLicenseManager) -> None:
    seeded = emulator.seed_marketplace_license(
        buyer_account=BUYER,
        product_sku="prod-1",
        entitlements=[{"Name": "PremiumTier", "Unit": "None", "Value": "Enabled"}],
        product_name="Container product",
        validity_end=_dt.datetime(2099, 1, 1, 12, 30),  # naive: UTC
    )
    assert isinstance(seeded, MarketplaceLicense)
    assert MARKETPLACE_FINGERPRINT == FINGERPRINT
    buyer = emulator.boto3_client(account=BUYER)
    lic = buyer.get_license(LicenseArn=seeded.license_arn)["License"]
    assert lic["Issuer"]["Name"] == "AWS/Marketplace" and lic["HomeRegion"] == emulator.region
    assert lic["Validity"]["End"] == "2099-01-01T12:30:00.000Z"
    grant = buyer.get_grant(GrantArn=seeded.grant_arn)["Grant"]
    assert grant["GrantStatus"] == "ACTIVE" and grant["LicenseArn"] == seeded.license_arn


def test_aware_validity_end_is_converted_to_utc_and_region_is_kept(emulator: LocalLicenseManager) -> None:
    plus_two = _dt.timezone(_dt.timedelta(hours=2))
    seeded = emulator.seed_marketplace_license(
        buyer_account=BUYER,
        product_sku="prod-2",
        entitlements=[{"Name": "Seats", "Unit": "Count", "MaxCount": 3}],
        region="eu-west-1",
        validity_end=_dt.datetime(2099, 1, 1, 2, 0, tzinfo=plus_two),
    )
    lic = emulator.boto3_client(account=BUYER, region="eu-west-1").get_license(LicenseArn=seeded.license_arn)
    assert lic["License"]["HomeRegion"] == "eu-west-1"
    assert lic["License"]["Validity"]["End"] == "2099-01-01T00:00:00.000Z"


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"buyer_account": "buyer"}, "buyer_account"),
        ({"entitlements": []}, "Entitlements"),
        ({"entitlements": [{"Name": "Seats", "Unit": "Count"}]}, "MaxCount"),
        ({"region": "moon"}, "HomeRegion"),
        ({"validity_end": "2019-01-01T00:00:00Z"}, "Validity.End"),
    ],
)
def test_bad_inputs_are_value_errors_naming_them(
    emulator: LocalLicenseManager, kwargs: dict[str, object], named: str
) -> None:
    arguments: dict[str, object] = {
        "buyer_account": BUYER,
        "product_sku": "prod-1",
        "entitlements": [{"Name": "Tier", "Unit": "None"}],
        **kwargs,
    }
    with pytest.raises(ValueError, match=named):
        emulator.seed_marketplace_license(**arguments)  # type: ignore[arg-type]


def test_public_key_pem_verifies_tokens_and_the_sdk_verify_accepts_it(emulator: LocalLicenseManager) -> None:
    emulator.seed_marketplace_license(
        buyer_account=BUYER, product_sku="prod-1", entitlements=[{"Name": "PremiumTier", "Unit": "None"}]
    )
    lm = emulator.client(account=BUYER)
    lease = lm.entitlements.checkout(
        product_sku="prod-1", key_fingerprint=FINGERPRINT, entitlements={"PremiumTier": None}, keep_alive=False
    )
    assert lease.signed_token is not None
    pem = emulator.marketplace_public_key_pem()
    assert jwt.decode(lease.signed_token, pem, algorithms=["PS384"])["licenseArn"] == lease.license_arn
    now = emulator.engine.clock.now()
    verified = lm.entitlements.verify(lease.signed_token, public_key=pem, license_arn=lease.license_arn, now=now)
    assert verified.has("PremiumTier")


def test_set_organization_rules(emulator: LocalLicenseManager) -> None:
    arn = emulator.set_organization(
        organization_id="o-abcdefghij",
        management_account="444444444444",
        accounts=["555555555555"],
        ous={"ou-abcd-12345678": [BUYER]},
    )
    assert arn == "arn:aws:organizations::444444444444:organization/o-abcdefghij"
    with pytest.raises(ValueError, match="organization_id"):
        emulator.set_organization(organization_id="org", management_account="444444444444")
    with pytest.raises(ValueError, match="ous"):
        emulator.set_organization(organization_id="o-abcdefghij", management_account="4", ous={"ou-x": []})
    with pytest.raises(ValueError, match="'4'"):
        emulator.set_organization(organization_id="o-abcdefghij", management_account="4")
    with pytest.raises(ValueError, match=f"{BUYER} already belongs to organization o-abcdefghij"):
        emulator.set_organization(organization_id="o-zzzzzzzzzz", management_account=BUYER)


def test_the_management_account_lists_what_its_members_received(emulator: LocalLicenseManager) -> None:
    emulator.set_organization(organization_id="o-abcdefghij", management_account="444444444444", accounts=[BUYER])
    seeded = emulator.seed_marketplace_license(
        buyer_account=BUYER, product_sku="prod-1", entitlements=[{"Name": "Tier", "Unit": "None"}]
    )
    admin = emulator.client(account="444444444444")
    listed = list(admin.api.list_received_licenses_for_organization().licenses)
    assert [x.license_arn for x in listed] == [seeded.license_arn]


def test_organization_and_seeded_licenses_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    with LocalLicenseManager(state_path=state, settings=Settings(reuse_rsa_keys=True)) as first:
        first.set_organization(organization_id="o-abcdefghij", management_account="444444444444", accounts=[BUYER])
        seeded = first.seed_marketplace_license(
            buyer_account=BUYER, product_sku="prod-1", entitlements=[{"Name": "Tier", "Unit": "None"}]
        )
        pem = first.marketplace_public_key_pem()
    with LocalLicenseManager(state_path=state) as second:
        assert second.marketplace_public_key_pem() == pem
        admin = second.boto3_client(account="444444444444")
        listed = admin.list_received_licenses_for_organization()["Licenses"]
        assert [x["LicenseArn"] for x in listed] == [seeded.license_arn]
        assert second.engine.marketplace_grant_arn(seeded.license_arn) == seeded.grant_arn


def test_the_marketplace_license_fixture(
    marketplace_license: Callable[..., MarketplaceLicense], lm_buyer: LicenseManager
) -> None:
    seeded = marketplace_license("prod-1", [{"Name": "IntermediateTier", "Unit": "None", "Value": "Enabled"}])
    assert lm_buyer.entitlements.tier(product_sku="prod-1", key_fingerprint=FINGERPRINT, tiers=TIERS) == (
        "IntermediateTier"
    )
    other = marketplace_license("prod-2", [{"Name": "Seats", "Unit": "Count", "MaxCount": 1}], buyer_account="3" * 12)
    assert other.license_arn != seeded.license_arn
    with pytest.raises(ResourceNotFoundError):  # bought by another account
        lm_buyer.entitlements.checkout(
            product_sku="prod-2", key_fingerprint=FINGERPRINT, entitlements={"Seats": 1}, keep_alive=False
        )
    assert BUYER_ACCOUNT == BUYER
