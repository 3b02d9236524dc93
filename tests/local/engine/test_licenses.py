"""Licenses: create, versions, reads, lists, deletion, usage, tags, region rules."""

from __future__ import annotations

import re

from licensemanager_sdk.local.core.settings import Settings
from licensemanager_sdk.local.engine import Engine

from .conftest import BUYER, REGION, SELLER, Api, active_grant, checkout, client_token, create_license, license_params


def test_create_license_formats(seller: Api) -> None:
    out = seller.CreateLicense(
        **license_params(Validity={"Begin": "2021-04-12T02:00:00+02:00", "End": "2031-01-01T00:00:00.5Z"})
    )
    assert out["Status"] == "PENDING_AVAILABLE"
    assert out["Version"] == "1"
    assert re.fullmatch(rf"arn:aws:license-manager::{SELLER}:license:l-[0-9a-f]{{32}}", out["LicenseArn"])
    lic = seller.GetLicense(LicenseArn=out["LicenseArn"])["License"]
    assert lic["Status"] == "AVAILABLE"
    assert lic["Validity"] == {"Begin": "2021-04-12T00:00:00.000Z", "End": "2031-01-01T00:00:00.500Z"}
    assert lic["Issuer"]["KeyFingerprint"] == f"aws:{SELLER}:My Company:issuer-fingerprint"
    assert re.fullmatch(r"\d{10}", lic["CreateTime"])
    assert lic["Entitlements"][0] == {
        "Name": "Users",
        "Unit": "Count",
        "MaxCount": 1000,
        "AllowCheckIn": True,
        "Overage": False,
    }


def test_create_license_returns_available_switch() -> None:
    eng = Engine(settings=Settings(create_license_returns_available=True))
    assert Api(eng, SELLER).CreateLicense(**license_params())["Status"] == "AVAILABLE"


def test_activation_delay(engine: Engine) -> None:
    eng = Engine(settings=Settings(license_activation_delay_s=30))
    api = Api(eng, SELLER)
    arn = create_license(api)
    assert api.GetLicense(LicenseArn=arn)["License"]["Status"] == "PENDING_AVAILABLE"
    eng.clock.advance(31)
    assert api.GetLicense(LicenseArn=arn)["License"]["Status"] == "AVAILABLE"


def test_semantic_license_validation(seller: Api) -> None:
    bad = [
        {"Entitlements": []},
        {"Entitlements": [{"Name": "A", "Unit": "Count"}]},
        {"Entitlements": [{"Name": "A", "Unit": "None", "MaxCount": 3}]},
        {"Entitlements": [{"Name": "A", "Unit": "None"}, {"Name": "A", "Unit": "None"}]},
        {"Validity": {"Begin": "2022-01-01T00:00:00Z", "End": "2021-01-01T00:00:00Z"}},
        {"ConsumptionConfiguration": {"RenewType": "None"}},
        {"ConsumptionConfiguration": {"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 0}}},
        {"HomeRegion": "mars"},
        {"Issuer": {"Name": "X", "SignKey": "alias/my-key"}},
    ]
    for overrides in bad:
        err = seller.error("CreateLicense", **license_params(**overrides))
        assert err.code == "ValidationException", overrides


def test_create_license_outside_home_region_redirects(seller: Api) -> None:
    err = seller.in_region("eu-west-1").error("CreateLicense", **license_params())
    assert err.code == "RedirectException"
    assert err.status == 308
    assert err.extra == {"Location": "https://license-manager.us-east-1.amazonaws.com"}


def test_license_versions(seller: Api) -> None:
    arn = create_license(seller)
    update = {k: v for k, v in license_params().items() if k not in ("ProductSKU", "Beneficiary")}
    update["Entitlements"] = [{"Name": "Users", "Unit": "Count", "MaxCount": 5}]
    out = seller.CreateLicenseVersion(LicenseArn=arn, Status="DEACTIVATED", SourceVersion="1", **update)
    assert out == {"LicenseArn": arn, "Version": "2", "Status": "DEACTIVATED"}
    assert seller.GetLicense(LicenseArn=arn)["License"]["Status"] == "DEACTIVATED"
    assert seller.GetLicense(LicenseArn=arn, Version="1")["License"]["Entitlements"][0]["MaxCount"] == 1000
    versions = seller.ListLicenseVersions(LicenseArn=arn)["Licenses"]
    assert [v["Version"] for v in versions] == ["1", "2"]
    update["ClientToken"] = client_token()
    assert (
        seller.error("CreateLicenseVersion", LicenseArn=arn, Status="AVAILABLE", SourceVersion="1", **update).code
        == "ConflictException"
    )
    update["ClientToken"] = client_token()
    assert (
        seller.error("CreateLicenseVersion", LicenseArn=arn, Status="EXPIRED", **update).code == "ValidationException"
    )
    update["ClientToken"] = client_token()
    err = seller.in_region("eu-west-1").error("CreateLicenseVersion", LicenseArn=arn, Status="AVAILABLE", **update)
    assert err.code == "RedirectException"
    unknown = arn[:-4] + "0000"
    update["ClientToken"] = client_token()
    assert (
        seller.error("CreateLicenseVersion", LicenseArn=unknown, Status="AVAILABLE", **update).code
        == "ResourceNotFoundException"
    )
    assert seller.error("GetLicense", LicenseArn=arn, Version="9").code == "InvalidParameterValueException"


def test_only_issuer_changes_license(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    update = {k: v for k, v in license_params().items() if k not in ("ProductSKU", "Beneficiary")}
    assert (
        buyer.error("CreateLicenseVersion", LicenseArn=arn, Status="AVAILABLE", **update).code
        == "AccessDeniedException"
    )
    assert buyer.error("DeleteLicense", LicenseArn=arn, SourceVersion="1").code == "AccessDeniedException"
    assert buyer.error("GetLicense", LicenseArn=arn).code == "AccessDeniedException"


def test_unknown_license_errors(seller: Api) -> None:
    unknown = f"arn:aws:license-manager::{SELLER}:license:l-{'0' * 32}"
    assert seller.error("GetLicense", LicenseArn=unknown).code == "InvalidParameterValueException"
    assert seller.error("GetLicenseUsage", LicenseArn=unknown).code == "InvalidParameterValueException"
    assert seller.error("DeleteLicense", LicenseArn=unknown, SourceVersion="1").code == "InvalidParameterValueException"


def test_delete_license(seller: Api, buyer: Api, engine: Engine) -> None:
    arn = create_license(seller)
    grant = active_grant(seller, buyer, arn)
    token_id = buyer.CreateToken(LicenseArn=arn, ClientToken=client_token())["TokenId"]
    assert seller.error("DeleteLicense", LicenseArn=arn, SourceVersion="2").code == "ConflictException"
    out = seller.DeleteLicense(LicenseArn=arn, SourceVersion="1")
    assert out["Status"] == "PENDING_DELETE"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", out["DeletionDate"])
    assert seller.GetLicense(LicenseArn=arn)["License"]["Status"] == "PENDING_DELETE"
    assert buyer.GetLicense(LicenseArn=arn)["License"]["Status"] == "PENDING_DELETE"
    assert buyer.GetGrant(GrantArn=grant)["Grant"]["GrantStatus"] == "DELETED"
    assert buyer.ListTokens(TokenIds=[token_id])["Tokens"][0]["Status"] == "DELETED"
    assert seller.error("DeleteLicense", LicenseArn=arn, SourceVersion="1").code == "InvalidParameterValueException"
    engine.clock.advance(181 * 86400)
    assert seller.GetLicense(LicenseArn=arn)["License"]["Status"] == "DELETED"


def test_delete_license_conflicts_while_checked_out(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    active_grant(seller, buyer, arn)
    token = checkout(buyer)["LicenseConsumptionToken"]
    assert seller.error("DeleteLicense", LicenseArn=arn, SourceVersion="1").code == "ConflictException"
    buyer.CheckInLicense(LicenseConsumptionToken=token)
    assert seller.DeleteLicense(LicenseArn=arn, SourceVersion="1")["Status"] == "PENDING_DELETE"


def test_expired_license_status(seller: Api, engine: Engine) -> None:
    end = engine.clock.now().year + 1
    arn = create_license(seller, Validity={"Begin": "2020-01-01T00:00:00Z", "End": f"{end}-01-01T00:00:00Z"})
    engine.clock.advance(2 * 366 * 86400)
    assert seller.GetLicense(LicenseArn=arn)["License"]["Status"] == "EXPIRED"


def test_list_licenses_filters_and_pagination(seller: Api, buyer: Api) -> None:
    arns = [create_license(seller, ProductSKU=f"sku-{i % 2}") for i in range(5)]
    create_license(buyer)
    listed = seller.ListLicenses()["Licenses"]
    assert [x["LicenseArn"] for x in listed] == arns
    assert [
        x["LicenseArn"] for x in seller.ListLicenses(Filters=[{"Name": "ProductSKU", "Values": ["sku-1"]}])["Licenses"]
    ] == arns[1::2]
    two = [{"Name": "ProductSKU", "Values": ["sku-1"]}, {"Name": "Status", "Values": ["AVAILABLE"]}]
    assert len(seller.ListLicenses(Filters=two)["Licenses"]) == 2
    assert seller.ListLicenses(Filters=[{"Name": "Fingerprint", "Values": ["nope"]}])["Licenses"] == []
    err = seller.error("ListLicenses", Filters=[{"Name": "ProductSKU", "Values": ["a", "b"]}])
    assert (err.code, err.message) == ("ValidationException", "You cannot have more than 1 filter values.")
    assert seller.error("ListLicenses", Filters=[{"Name": "Bogus", "Values": ["a"]}]).code == "ValidationException"
    assert [
        x["LicenseArn"]
        for x in seller.ListLicenses(LicenseArns=[arns[3], "arn:aws:license-manager::1:license:l-x"])["Licenses"]
    ] == [arns[3]]
    seen, token = [], None
    while True:
        page = seller.ListLicenses(MaxResults=2, **({"NextToken": token} if token else {}))
        seen += [x["LicenseArn"] for x in page["Licenses"]]
        token = page.get("NextToken")
        if token is None:
            break
        assert len(page["Licenses"]) == 2
    assert seen == arns
    assert seller.error("ListLicenses", NextToken="garbage").code == "ValidationException"
    foreign = seller.ListLicenses(MaxResults=1)["NextToken"]
    assert (
        seller.error("ListLicenses", NextToken=foreign, Filters=[{"Name": "ProductSKU", "Values": ["sku-1"]}]).code
        == "ValidationException"
    )


def test_license_usage_strings(seller: Api, buyer: Api) -> None:
    arn = create_license(
        seller,
        Entitlements=[
            {"Name": "Users", "Unit": "Count", "MaxCount": 10},
            {"Name": "Tier", "Unit": "None", "Value": "Enabled"},
        ],
    )
    active_grant(seller, buyer, arn)
    checkout(buyer, "3")
    usages = buyer.GetLicenseUsage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"]
    assert usages == [
        {"Name": "Users", "ConsumedValue": "3", "MaxCount": "10", "Unit": "Count"},
        {"Name": "Tier", "ConsumedValue": "0", "Unit": "None"},
    ]


def test_tags(seller: Api, buyer: Api) -> None:
    arn = create_license(seller, Tags=[{"Key": "team", "Value": "a"}])
    seller.TagResource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "b"}, {"Key": "env", "Value": "dev"}])
    assert seller.ListTagsForResource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "b"},
        {"Key": "env", "Value": "dev"},
    ]
    seller.UntagResource(ResourceArn=arn, TagKeys=["team", "missing"])
    assert seller.ListTagsForResource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    grant = seller.CreateGrant(
        ClientToken=client_token(),
        GrantName="g",
        LicenseArn=arn,
        Principals=[f"arn:aws:iam::{BUYER}:root"],
        HomeRegion=REGION,
        AllowedOperations=["CheckoutLicense"],
        Tags=[{"Key": "k", "Value": "v"}],
    )["GrantArn"]
    assert seller.ListTagsForResource(ResourceArn=grant)["Tags"] == [{"Key": "k", "Value": "v"}]
    assert (
        buyer.error("TagResource", ResourceArn=arn, Tags=[{"Key": "x", "Value": "y"}]).code == "AccessDeniedException"
    )
    missing = f"arn:aws:license-manager::{SELLER}:license:l-{'0' * 32}"
    assert seller.error("ListTagsForResource", ResourceArn=missing).code == "InvalidParameterValueException"
