"""Model-driven validation, error shaping and operation routing."""

from __future__ import annotations

import pytest

from licensemanager_sdk.local.core.settings import Settings
from licensemanager_sdk.local.engine import Caller, Engine

from .conftest import REGION, Api, client_token, create_license, license_params


def test_list_max_violation_uses_coral_message(seller: Api) -> None:
    arn = create_license(seller)
    err = seller.error(
        "CreateGrant",
        ClientToken=client_token(),
        GrantName="g",
        LicenseArn=arn,
        Principals=["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"],
        HomeRegion=REGION,
        AllowedOperations=["CheckoutLicense"],
    )
    assert err.code == "ValidationException"
    assert err.status == 400
    assert err.message == (
        "1 validation error detected: Value '[arn:aws:iam::222222222222:root, arn:aws:iam::333333333333:root]' "
        "at 'principals' failed to satisfy constraint: Member must have length less than or equal to 1"
    )


def test_enum_pattern_and_required_are_all_reported(seller: Api) -> None:
    err = seller.error(
        "CreateGrant", GrantName="g", LicenseArn="not-an-arn", Principals=["x"], AllowedOperations=["Bogus"]
    )
    assert err.message.startswith("5 validation errors detected: ")
    assert "Value null at 'clientToken' failed to satisfy constraint: Member must not be null" in err.message
    assert "Value null at 'homeRegion'" in err.message
    assert (
        "Value 'not-an-arn' at 'licenseArn' failed to satisfy constraint: Member must satisfy regular expression"
        in err.message
    )
    assert (
        "Value 'Bogus' at 'allowedOperations.1.member' failed to satisfy constraint: "
        "Member must satisfy enum value set: [" in err.message
    )


def test_nested_member_paths_and_max_length(seller: Api) -> None:
    params = license_params(LicenseName="n" * 2049)
    params["Entitlements"] = [{"Name": "Users", "Unit": "Parsecs", "MaxCount": 1}]
    err = seller.error("CreateLicense", **params)
    assert (
        "at 'entitlements.1.member.unit' failed to satisfy constraint: Member must satisfy enum value set"
        in err.message
    )
    assert err.code == "ValidationException"


def test_validity_without_zone_is_rejected_by_pattern(seller: Api) -> None:
    err = seller.error("CreateLicense", **license_params(Validity={"Begin": "2021-04-12T00:00:00"}))
    assert (
        "at 'validity.begin' failed to satisfy constraint: Member must satisfy regular expression pattern"
        in err.message
    )


def test_max_results_over_100(seller: Api) -> None:
    err = seller.error("ListLicenses", MaxResults=101)
    assert err.code == "ValidationException"
    assert "Member must have value less than or equal to 100" in err.message


def test_wrong_json_type_is_serialization_exception(seller: Api) -> None:
    err = seller.error("ListLicenses", MaxResults="10")
    assert (err.code, err.status) == ("SerializationException", 400)
    err = seller.error("CreateLicense", **license_params(Entitlements={"Name": "x"}))
    assert err.code == "SerializationException"


def test_unknown_members_and_nulls_are_ignored(seller: Api) -> None:
    arn = create_license(seller, SomethingNew="ignored", LicenseMetadata=None)
    assert seller.GetLicense(LicenseArn=arn, Unexpected=1)["License"]["LicenseArn"] == arn


def test_unmodelled_validation_falls_back_to_invalid_parameter_value(seller: Api) -> None:
    # ListLicenseVersions models no ValidationException.
    arn = create_license(seller)
    err = seller.error("ListLicenseVersions", LicenseArn=arn, NextToken="garbage")
    assert err.code == "InvalidParameterValueException"


def test_not_implemented_and_unknown_operations(engine: Engine) -> None:
    caller = Caller("111111111111", REGION)
    api = Api(engine, "111111111111")
    err = api.error("ListLicenseConfigurations")
    assert (err.code, err.status) == ("NotImplementedException", 400)
    assert "ListLicenseConfigurations" in err.message
    err = api.error("MakeCoffee")
    assert (err.code, err.status) == ("UnknownOperationException", 400)
    assert engine.implements("license-manager", "CheckoutLicense")
    assert not engine.implements("license-manager", "ListLicenseConfigurations")
    assert engine.implements("kms", "Sign") and engine.implements("sts", "GetCallerIdentity")
    assert engine.handle("sts", "GetCallerIdentity", {}, caller) == {
        "UserId": "111111111111",
        "Account": "111111111111",
        "Arn": "arn:aws:iam::111111111111:root",
    }


@pytest.mark.parametrize(("legacy", "expected"), [(False, 401), (True, 400)])
def test_status_codes_follow_smithy_unless_legacy(legacy: bool, expected: int) -> None:
    eng = Engine(settings=Settings(legacy_status_codes=legacy))
    arn = create_license(Api(eng, "111111111111"))
    err = Api(eng, "999999999999").error("GetLicense", LicenseArn=arn)
    assert err.code == "AccessDeniedException"
    assert err.status == expected
