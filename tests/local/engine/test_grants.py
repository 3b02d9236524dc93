"""Grant workflow, roles, organisations, sub-grants, limits, lists."""

from __future__ import annotations

import re
from typing import Any

from licensemanager_sdk.local.core.settings import Settings
from licensemanager_sdk.local.engine import Engine

from .conftest import ALL_OPS, BUYER, OTHER, REGION, SELLER, Api, active_grant, checkout, client_token, create_license


def grant_params(license_arn: str, principal: str, **overrides: Any) -> dict[str, Any]:
    params = {
        "ClientToken": client_token(),
        "GrantName": "g",
        "LicenseArn": license_arn,
        "Principals": [principal],
        "HomeRegion": REGION,
        "AllowedOperations": ALL_OPS,
    }
    params.update(overrides)
    return params


def root(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


def test_grant_workflow(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    out = seller.CreateGrant(**grant_params(arn, root(BUYER)))
    assert out["Status"] == "PENDING_WORKFLOW"
    assert out["Version"] == "1"
    grant = out["GrantArn"]
    assert re.fullmatch(rf"arn:aws:license-manager::{SELLER}:grant:g-[0-9a-f]{{32}}", grant)
    got = buyer.GetGrant(GrantArn=grant)["Grant"]
    assert (got["GrantStatus"], got["Version"], got["ParentArn"], got["LicenseArn"]) == (
        "PENDING_ACCEPT",
        "1",
        arn,
        arn,
    )
    assert checkout_fails(buyer) == "ResourceNotFoundException"
    assert buyer.AcceptGrant(GrantArn=grant) == {"GrantArn": grant, "Status": "DISABLED", "Version": "2"}
    assert checkout_fails(buyer) == "ResourceNotFoundException"
    act = buyer.CreateGrantVersion(GrantArn=grant, Status="ACTIVE", ClientToken=client_token())
    assert act == {"GrantArn": grant, "Status": "ACTIVE", "Version": "3"}
    assert checkout(buyer)["LicenseArn"] == arn
    assert buyer.GetGrant(GrantArn=grant, Version="1")["Grant"]["GrantStatus"] == "PENDING_ACCEPT"
    off = buyer.CreateGrantVersion(GrantArn=grant, Status="DISABLED", ClientToken=client_token())
    assert off["Status"] == "DISABLED"


def checkout_fails(api: Api) -> str:
    from licensemanager_sdk.local.core.faults import ServiceFault

    try:
        checkout(api)
    except ServiceFault as exc:
        return exc.code
    return "ok"


def test_pending_accept_switch() -> None:
    eng = Engine(settings=Settings(create_grant_returns_pending_accept=True))
    seller = Api(eng, SELLER)
    arn = create_license(seller)
    assert seller.CreateGrant(**grant_params(arn, root(BUYER)))["Status"] == "PENDING_ACCEPT"


def test_accept_by_non_grantee_is_observed_validation_error(seller: Api, buyer: Api, other: Api) -> None:
    arn = create_license(seller)
    grant = seller.CreateGrant(**grant_params(arn, root(BUYER)))["GrantArn"]
    err = other.error("AcceptGrant", GrantArn=grant)
    assert (err.code, err.message) == (
        "ValidationException",
        f"Caller arn:aws:iam::{OTHER}:root is not allowed to accept this grant.",
    )
    buyer.AcceptGrant(GrantArn=grant)
    assert buyer.error("AcceptGrant", GrantArn=grant).code == "ValidationException"
    assert other.error("GetGrant", GrantArn=grant).code == "AccessDeniedException"


def test_reject_is_final(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    grant = seller.CreateGrant(**grant_params(arn, root(BUYER)))["GrantArn"]
    assert buyer.RejectGrant(GrantArn=grant)["Status"] == "REJECTED"
    assert (
        buyer.error("CreateGrantVersion", GrantArn=grant, Status="ACTIVE", ClientToken=client_token()).code
        == "ValidationException"
    )
    assert buyer.error("AcceptGrant", GrantArn=grant).code == "ValidationException"
    assert buyer.ListReceivedLicenses()["Licenses"] == []


def test_create_grant_rules(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    err = seller.in_region("eu-west-1").error("CreateGrant", **grant_params(arn, root(BUYER)))
    assert (err.code, err.message) == (
        "ValidationException",
        "Grant can only be created in resource home AWS region: us-east-1",
    )
    assert (
        seller.error("CreateGrant", **grant_params(arn, root(BUYER), HomeRegion="eu-west-1")).code
        == "ValidationException"
    )
    assert seller.error("CreateGrant", **grant_params(arn, root(SELLER))).code == "ValidationException"
    assert (
        seller.error("CreateGrant", **grant_params(arn, "arn:aws:iam::222222222222:user/bob")).code
        == "ValidationException"
    )
    unknown = f"arn:aws:license-manager::{SELLER}:license:l-{'0' * 32}"
    assert seller.error("CreateGrant", **grant_params(unknown, root(BUYER))).code == "InvalidParameterValueException"
    assert buyer.error("CreateGrant", **grant_params(arn, root(OTHER))).code == "AccessDeniedException"


def test_grant_limit() -> None:
    eng = Engine(settings=Settings(max_grants_per_license=2))
    seller = Api(eng, SELLER)
    arn = create_license(seller)
    seller.CreateGrant(**grant_params(arn, root(BUYER)))
    seller.CreateGrant(**grant_params(arn, root(OTHER)))
    assert (
        seller.error("CreateGrant", **grant_params(arn, root("444444444444"))).code == "ResourceLimitExceededException"
    )


def test_sub_grant_by_grantee(seller: Api, buyer: Api, other: Api) -> None:
    arn = create_license(seller)
    parent = active_grant(seller, buyer, arn)
    ops = [op for op in ALL_OPS if op != "CreateGrant"]
    assert buyer.error("CreateGrant", **grant_params(arn, root(OTHER))).code == "ValidationException"
    sub = buyer.CreateGrant(**grant_params(arn, root(OTHER), AllowedOperations=ops))["GrantArn"]
    got = other.GetGrant(GrantArn=sub)["Grant"]
    assert (got["ParentArn"], got["LicenseArn"]) == (parent, arn)
    assert sub.startswith(f"arn:aws:license-manager::{BUYER}:grant:g-")
    assert [g["GrantArn"] for g in buyer.ListDistributedGrants()["Grants"]] == [sub]
    # deleting the parent recalls the sub-grant
    version = seller.GetGrant(GrantArn=parent)["Grant"]["Version"]
    assert seller.DeleteGrant(GrantArn=parent, Version=version)["Status"] == "DELETED"
    assert other.GetGrant(GrantArn=sub)["Grant"]["GrantStatus"] == "DELETED"


def test_sub_grant_needs_subset(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    active_grant(seller, buyer, arn, operations=["CreateGrant", "CheckoutLicense"])
    err = buyer.error("CreateGrant", **grant_params(arn, root(OTHER), AllowedOperations=["CheckInLicense"]))
    assert err.code == "ValidationException"


def test_delete_grant(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    grant = active_grant(seller, buyer, arn)
    assert buyer.error("DeleteGrant", GrantArn=grant, Version="3").code == "AccessDeniedException"
    assert seller.error("DeleteGrant", GrantArn=grant, Version="1").code == "ValidationException"
    out = seller.DeleteGrant(GrantArn=grant, Version="3", StatusReason="bye")
    assert out == {"GrantArn": grant, "Status": "DELETED", "Version": "4"}
    got = seller.GetGrant(GrantArn=grant)["Grant"]
    assert (got["GrantStatus"], got["StatusReason"]) == ("DELETED", "bye")
    assert checkout_fails(buyer) == "ResourceNotFoundException"
    assert seller.error("DeleteGrant", GrantArn=grant, Version="4").code == "ValidationException"


def test_unknown_grant(seller: Api) -> None:
    unknown = f"arn:aws:license-manager::{SELLER}:grant:g-{'0' * 32}"
    for op, extra in [("GetGrant", {}), ("AcceptGrant", {}), ("RejectGrant", {}), ("DeleteGrant", {"Version": "1"})]:
        assert seller.error(op, GrantArn=unknown, **extra).code == "InvalidParameterValueException"
    eng = Engine(settings=Settings(unknown_grant_error="ResourceNotFoundException"))
    assert Api(eng, SELLER).error("GetGrant", GrantArn=unknown).code == "ResourceNotFoundException"


def test_grantor_cannot_activate_and_grantee_cannot_rename(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    grant = seller.CreateGrant(**grant_params(arn, root(BUYER)))["GrantArn"]
    buyer.AcceptGrant(GrantArn=grant)
    assert (
        seller.error("CreateGrantVersion", GrantArn=grant, Status="ACTIVE", ClientToken=client_token()).code
        == "ValidationException"
    )
    assert (
        buyer.error("CreateGrantVersion", GrantArn=grant, GrantName="x", ClientToken=client_token()).code
        == "AccessDeniedException"
    )
    renamed = seller.CreateGrantVersion(
        GrantArn=grant, GrantName="renamed", AllowedOperations=["CheckoutLicense"], ClientToken=client_token()
    )
    assert renamed["Version"] == "3"
    assert buyer.GetGrant(GrantArn=grant)["Grant"]["GrantedOperations"] == ["CheckoutLicense"]
    stale = buyer.error(
        "CreateGrantVersion", GrantArn=grant, Status="ACTIVE", SourceVersion="1", ClientToken=client_token()
    )
    assert stale.code == "ValidationException"
    assert other_options_error(buyer, grant) == "ValidationException"


def other_options_error(buyer: Api, grant: str) -> str:
    err = buyer.error(
        "CreateGrantVersion",
        GrantArn=grant,
        Status="ACTIVE",
        Options={"ActivationOverrideBehavior": "DISTRIBUTED_GRANTS_ONLY"},
        ClientToken=client_token(),
    )
    return err.code


def test_lists_and_filters(seller: Api, buyer: Api, other: Api) -> None:
    a = create_license(seller)
    b = create_license(seller, ProductSKU="sku-2", Issuer={"Name": "Other Co"})
    g1 = seller.CreateGrant(**grant_params(a, root(BUYER)))["GrantArn"]
    g2 = seller.CreateGrant(**grant_params(b, root(BUYER)))["GrantArn"]
    g3 = seller.CreateGrant(**grant_params(a, root(OTHER)))["GrantArn"]
    assert [g["GrantArn"] for g in seller.ListDistributedGrants()["Grants"]] == [g1, g2, g3]
    assert buyer.ListDistributedGrants()["Grants"] == []
    assert [g["GrantArn"] for g in buyer.ListReceivedGrants()["Grants"]] == [g1, g2]
    by_sku = buyer.ListReceivedGrants(Filters=[{"Name": "ProductSKU", "Values": ["sku-2"]}])["Grants"]
    assert [g["GrantArn"] for g in by_sku] == [g2]
    by_issuer = seller.ListDistributedGrants(Filters=[{"Name": "LicenseIssuerName", "Values": ["Other Co"]}])["Grants"]
    assert [g["GrantArn"] for g in by_issuer] == [g2]
    by_grantee = seller.ListDistributedGrants(Filters=[{"Name": "GranteePrincipalARN", "Values": [root(OTHER)]}])[
        "Grants"
    ]
    assert [g["GrantArn"] for g in by_grantee] == [g3]
    granter = buyer.ListReceivedGrants(Filters=[{"Name": "GranterAccountId", "Values": [SELLER]}])["Grants"]
    assert len(granter) == 2
    assert (
        buyer.error("ListReceivedGrants", Filters=[{"Name": "GranteePrincipalARN", "Values": ["x"]}]).code
        == "ValidationException"
    )
    assert [g["GrantArn"] for g in seller.ListDistributedGrants(GrantArns=[g3])["Grants"]] == [g3]
    # ListReceivedLicenses: one entry per license with ReceivedMetadata
    buyer.AcceptGrant(GrantArn=g1)
    received = buyer.ListReceivedLicenses()["Licenses"]
    assert [(x["LicenseArn"], x["ReceivedMetadata"]["ReceivedStatus"]) for x in received] == [
        (a, "DISABLED"),
        (b, "PENDING_ACCEPT"),
    ]
    assert received[0]["ReceivedMetadata"]["AllowedOperations"] == ALL_OPS
    only = buyer.ListReceivedLicenses(Filters=[{"Name": "IssuerName", "Values": ["Other Co"]}])["Licenses"]
    assert [x["LicenseArn"] for x in only] == [b]
    assert buyer.ListReceivedLicenses(Filters=[{"Name": "IssuerName", "Values": ["This Is Fake"]}])["Licenses"] == []


def test_organization_grants(engine: Engine, seller: Api) -> None:
    mgmt, member1, member2 = "444444444444", "555555555555", "666666666666"
    org_arn = engine.set_organization(
        organization_id="o-abcdefghij", management_account=mgmt, accounts=[member1], ous={"ou-abcd-12345678": [member2]}
    )
    assert org_arn == f"arn:aws:organizations::{mgmt}:organization/o-abcdefghij"
    admin, m1, m2 = Api(engine, mgmt), Api(engine, member1), Api(engine, member2)
    arn = create_license(seller)
    active_grant(seller, admin, arn)
    org_grant = admin.CreateGrant(
        **grant_params(arn, org_arn, AllowedOperations=["CheckoutLicense", "ListPurchasedLicenses"])
    )["GrantArn"]
    assert admin.GetGrant(GrantArn=org_grant)["Grant"]["GrantStatus"] == "WORKFLOW_COMPLETED"
    children = [g for g in m1.ListReceivedGrants()["Grants"] if g["ParentArn"] == org_grant]
    assert [c["GrantStatus"] for c in children] == ["DISABLED"]
    assert org_grant in [g["GrantArn"] for g in m2.ListReceivedGrants()["Grants"]]
    err = m1.error("AcceptGrant", GrantArn=org_grant)
    assert err.message == f"Caller arn:aws:iam::{member1}:root is not allowed to accept this grant."
    m1.CreateGrantVersion(GrantArn=children[0]["GrantArn"], Status="ACTIVE", ClientToken=client_token())
    assert checkout(m1)["LicenseArn"] == arn
    org_licenses = admin.ListReceivedLicensesForOrganization()["Licenses"]
    assert [x["LicenseArn"] for x in org_licenses] == [arn]
    org_grants = admin.ListReceivedGrantsForOrganization(LicenseArn=arn)["Grants"]
    assert {g["GranteePrincipalArn"] for g in org_grants} >= {org_arn, root(member1), root(member2)}
    assert m1.error("ListReceivedLicensesForOrganization").code == "AccessDeniedException"


def test_org_principal_without_org_model(seller: Api) -> None:
    arn = create_license(seller)
    principal = "arn:aws:organizations::999999999999:organization/o-zzzzzzzzzz"
    grant = seller.CreateGrant(**grant_params(arn, principal))["GrantArn"]
    assert seller.GetGrant(GrantArn=grant)["Grant"]["GrantStatus"] == "WORKFLOW_COMPLETED"
    assert len(seller.ListDistributedGrants()["Grants"]) == 1


def test_marketplace_single_active_grant(engine: Engine, buyer: Api) -> None:
    ents = [{"Name": "Tier", "Unit": "None", "Value": "Enabled"}]
    first = engine.seed_marketplace_license(buyer_account=BUYER, product_sku="prod-1", entitlements=ents)
    second = engine.seed_marketplace_license(buyer_account=BUYER, product_sku="prod-1", entitlements=ents)
    grants = {g["LicenseArn"]: g for g in buyer.ListReceivedGrants()["Grants"]}
    g1, g2 = grants[first]["GrantArn"], grants[second]["GrantArn"]
    assert grants[first]["GrantStatus"] == "ACTIVE"
    buyer.CreateGrantVersion(GrantArn=g2, Status="DISABLED", ClientToken=client_token())
    err = buyer.error("CreateGrantVersion", GrantArn=g2, Status="ACTIVE", ClientToken=client_token())
    assert err.code == "ValidationException"
    out = buyer.CreateGrantVersion(
        GrantArn=g2,
        Status="ACTIVE",
        Options={"ActivationOverrideBehavior": "ALL_GRANTS_PERMITTED_BY_ISSUER"},
        ClientToken=client_token(),
    )
    assert out["Status"] == "ACTIVE"
    assert buyer.GetGrant(GrantArn=g1)["Grant"]["GrantStatus"] == "DISABLED"
    assert buyer.GetGrant(GrantArn=g2)["Grant"]["Options"] == {
        "ActivationOverrideBehavior": "ALL_GRANTS_PERMITTED_BY_ISSUER"
    }
