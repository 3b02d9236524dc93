"""Keyset pagination of the List* operations (SERVICE.md §9): every page resumes after the last item returned."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from licensemanager_sdk.local.core import listing
from licensemanager_sdk.local.core.faults import ServiceFault
from licensemanager_sdk.local.core.settings import Settings
from licensemanager_sdk.local.engine import Engine

from .conftest import BUYER, OTHER, REGION, SELLER, Api, active_grant, client_token, create_license, license_params

ORG_ID = "o-abcdefghij"
OU_ID = "ou-abcd-12345678"


def walk(call: Callable[..., dict[str, Any]], key: str, id_key: str, size: int, **params: Any) -> list[str]:
    """Ids of every page of a List* call, MaxResults `size`."""
    seen: list[str] = []
    token = None
    while True:
        page = call(MaxResults=size, **params, **({"NextToken": token} if token else {}))
        assert len(page[key]) <= size
        seen += [item[id_key] for item in page[key]]
        token = page.get("NextToken")
        if token is None:
            return seen


def grant_to(seller: Api, license_arn: str, principal: str, operations: list[str] | None = None) -> str:
    arn: str = seller.CreateGrant(
        ClientToken=client_token(),
        GrantName="g",
        LicenseArn=license_arn,
        Principals=[principal],
        HomeRegion=REGION,
        AllowedOperations=operations or ["CheckoutLicense", "ListPurchasedLicenses"],
    )["GrantArn"]
    return arn


def account(number: int) -> str:
    return f"arn:aws:iam::{400_000_000_000 + number:012d}:root"


def test_walking_many_small_pages_lists_every_license_once_in_creation_order(seller: Api, buyer: Api) -> None:
    created = [create_license(seller, ProductSKU=f"sku-{i % 3}") for i in range(60)]
    create_license(buyer)  # another issuer's license is not listed
    assert walk(seller.ListLicenses, "Licenses", "LicenseArn", 7) == created
    assert walk(seller.ListLicenses, "Licenses", "LicenseArn", 100) == created
    only = [arn for i, arn in enumerate(created) if i % 3 == 1]
    filters = [{"Name": "ProductSKU", "Values": ["sku-1"]}]
    assert walk(seller.ListLicenses, "Licenses", "LicenseArn", 4, Filters=filters) == only
    chosen = created[5:40:6]
    assert walk(seller.ListLicenses, "Licenses", "LicenseArn", 2, LicenseArns=list(reversed(chosen))) == chosen


def test_deleting_between_pages_neither_repeats_nor_skips(seller: Api) -> None:
    arn = create_license(seller)
    grants = [grant_to(seller, arn, account(i)) for i in range(12)]
    filters = [{"Name": "GrantStatus", "Values": ["PENDING_ACCEPT"]}]
    first = seller.ListDistributedGrants(MaxResults=4, Filters=filters)
    assert [g["GrantArn"] for g in first["Grants"]] == grants[:4]
    for gone in (grants[0], grants[2], grants[6]):  # two already seen, one still ahead
        seller.DeleteGrant(GrantArn=gone, Version="1")
    rest = walk(
        lambda **p: seller.ListDistributedGrants(
            **p, **({} if "NextToken" in p else {"NextToken": first["NextToken"]})
        ),
        "Grants",
        "GrantArn",
        4,
        Filters=filters,
    )
    assert rest == [g for g in grants[4:] if g != grants[6]]


def test_items_created_between_pages_come_at_the_end(seller: Api) -> None:
    created = [create_license(seller) for _ in range(5)]
    first = seller.ListLicenses(MaxResults=3)
    created.append(create_license(seller))
    second = seller.ListLicenses(MaxResults=3, NextToken=first["NextToken"])
    assert [x["LicenseArn"] for x in first["Licenses"] + second["Licenses"]] == created
    assert "NextToken" not in second


def test_distributed_grants_pages_follow_creation_order_across_licenses_and_filters(seller: Api) -> None:
    licenses = [create_license(seller) for _ in range(3)]
    grants = [grant_to(seller, licenses[i % 3], account(i)) for i in range(30)]
    assert walk(seller.ListDistributedGrants, "Grants", "GrantArn", 4) == grants
    filters = [{"Name": "LicenseArn", "Values": [licenses[1]]}]
    assert walk(seller.ListDistributedGrants, "Grants", "GrantArn", 3, Filters=filters) == grants[1::3]
    principal = [{"Name": "GranteePrincipalARN", "Values": [account(7)]}]
    assert walk(seller.ListDistributedGrants, "Grants", "GrantArn", 3, Filters=principal) == [grants[7]]


def test_received_licenses_are_paged_in_license_order_whatever_the_grant_order(seller: Api, buyer: Api) -> None:
    licenses = [create_license(seller) for _ in range(20)]
    buyer_arn = f"arn:aws:iam::{BUYER}:root"
    for arn in reversed(licenses):  # grants created newest license first
        grant_to(seller, arn, buyer_arn)
    grant_to(seller, licenses[3], buyer_arn)  # a second grant on one license: still listed once
    assert walk(buyer.ListReceivedLicenses, "Licenses", "LicenseArn", 3) == licenses
    assert walk(buyer.ListReceivedLicenses, "Licenses", "LicenseArn", 2, LicenseArns=licenses[5:9]) == licenses[5:9]


def test_received_grants_merge_account_organisation_and_ou_grants_in_creation_order(
    engine: Engine, seller: Api, buyer: Api, other: Api
) -> None:
    engine.set_organization(organization_id=ORG_ID, management_account=OTHER, accounts=[BUYER], ous={OU_ID: [BUYER]})
    arn = create_license(seller)
    received = []
    for i in range(4):
        received.append(grant_to(seller, arn, f"arn:aws:iam::{BUYER}:root"))
        received.append(grant_to(seller, arn, f"arn:aws:organizations::{OTHER}:organization/{ORG_ID}"))
        received.append(grant_to(seller, arn, f"arn:aws:organizations::{OTHER}:ou/{ORG_ID}/{OU_ID}"))
        grant_to(seller, arn, account(i))  # to someone else
    listed = walk(buyer.ListReceivedGrants, "Grants", "GrantArn", 2)
    everything = buyer.ListReceivedGrants(MaxResults=100)["Grants"]
    assert listed == [g["GrantArn"] for g in everything]
    assert len(set(listed)) == len(listed)
    assert set(received) <= set(listed)
    assert listed == sorted(listed, key=[g["GrantArn"] for g in seller.ListDistributedGrants()["Grants"]].index)
    org_wide = walk(other.ListReceivedGrantsForOrganization, "Grants", "GrantArn", 3, LicenseArn=arn)
    assert set(listed) <= set(org_wide) and len(set(org_wide)) == len(org_wide)


def test_license_versions_and_tokens_are_paged(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    for source in range(1, 7):
        update = {k: v for k, v in license_params().items() if k not in ("ProductSKU", "Beneficiary")}
        seller.CreateLicenseVersion(LicenseArn=arn, Status="AVAILABLE", SourceVersion=str(source), **update)
    versions = walk(seller.ListLicenseVersions, "Licenses", "Version", 2, LicenseArn=arn)
    assert versions == [str(n) for n in range(1, 8)]
    other_arn = create_license(seller)
    tokens = [
        seller.CreateToken(LicenseArn=[arn, other_arn][i % 2], ClientToken=client_token())["TokenId"] for i in range(9)
    ]
    assert walk(seller.ListTokens, "Tokens", "TokenId", 2) == tokens
    filters = [{"Name": "LicenseArns", "Values": [other_arn]}]
    assert walk(seller.ListTokens, "Tokens", "TokenId", 2, Filters=filters) == tokens[1::2]
    assert buyer.ListTokens()["Tokens"] == []


def test_a_token_is_bound_to_its_operation_caller_and_filters(seller: Api, buyer: Api) -> None:
    arn = create_license(seller)
    for i in range(3):
        grant_to(seller, arn, f"arn:aws:iam::{BUYER}:root" if i else account(i))
    token = seller.ListDistributedGrants(MaxResults=1)["NextToken"]
    assert seller.error("ListReceivedGrants", NextToken=token).code == "ValidationException"
    assert buyer.error("ListDistributedGrants", NextToken=token).code == "ValidationException"
    filtered = {"Filters": [{"Name": "LicenseArn", "Values": [arn]}]}
    assert seller.error("ListDistributedGrants", NextToken=token, **filtered).code == "ValidationException"
    assert len(seller.ListDistributedGrants(MaxResults=1, NextToken=token)["Grants"]) == 1


def test_an_offset_token_of_the_previous_version_is_refused() -> None:
    scope = "ListLicenses|111111111111|[]|[]"
    digest = hashlib.sha256(scope.encode()).hexdigest()[:16]
    old = listing._encode_token({"v": 1, "q": digest, "o": 1})
    current = listing._encode_token({"v": 2, "q": digest, "k": 1})

    def walk_from(after: int) -> list[tuple[int, int]]:
        return [(n, n) for n in range(after + 1, 5)]

    assert listing.paginate(walk_from, {"NextToken": current, "MaxResults": 2}, scope, 100) == (
        [2, 3],
        listing._encode_token({"v": 2, "q": digest, "k": 3}),
    )
    with pytest.raises(ServiceFault) as info:
        listing.paginate(walk_from, {"NextToken": old}, scope, 100)
    assert info.value.code == "ValidationException"


def test_a_token_survives_a_restart_from_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = Engine(state_path=path, settings=Settings(reuse_rsa_keys=True))
    seller = Api(first, SELLER)
    created = [create_license(seller) for _ in range(5)]
    buyer_arn = f"arn:aws:iam::{BUYER}:root"
    grants = [grant_to(seller, created[i], buyer_arn) for i in (4, 1, 3)]
    page = seller.ListLicenses(MaxResults=2)
    received = Api(first, BUYER).ListReceivedLicenses(MaxResults=1)
    first.close()
    second = Engine(state_path=path, settings=Settings(reuse_rsa_keys=True))
    seller, buyer = Api(second, SELLER), Api(second, BUYER)
    rest = seller.ListLicenses(MaxResults=10, NextToken=page["NextToken"])
    assert [x["LicenseArn"] for x in page["Licenses"] + rest["Licenses"]] == created
    more = buyer.ListReceivedLicenses(MaxResults=10, NextToken=received["NextToken"])
    assert [x["LicenseArn"] for x in received["Licenses"] + more["Licenses"]] == [created[1], created[3], created[4]]
    assert walk(buyer.ListReceivedGrants, "Grants", "GrantArn", 1) == grants
    active_grant(seller, Api(second, OTHER), created[0])
    assert len(seller.ListDistributedGrants()["Grants"]) == 4
    second.close()
