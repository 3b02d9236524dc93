"""Generated models: strict requests, tolerant responses, timestamps, secrets, numeric strings, round trips."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from licensemanager_sdk.types import (
    CheckoutLicenseResponse,
    CreateLicenseRequest,
    CreateTokenResponse,
    DatetimeRange,
    Entitlement,
    EntitlementUnit,
    EntitlementUsage,
    GetAccessTokenRequest,
    GetAccessTokenResponse,
    GetGrantResponse,
    GetLicenseResponse,
    GrantData,
    GrantStatus,
    LicenseData,
)

UTC = timezone.utc


def _license_request(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "license_name": "n",
        "product_name": "p",
        "product_sku": "s",
        "issuer": {"Name": "Seller"},
        "home_region": "us-east-1",
        "validity": {"Begin": datetime(2024, 1, 1, tzinfo=UTC)},
        "entitlements": [Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=5)],
        "beneficiary": "b",
        "consumption_configuration": {"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
    }
    fields.update(changes)
    return fields


def test_constructor_takes_snake_case_and_wire_names_alike() -> None:
    by_name = GrantData(grant_arn="g", grant_status=GrantStatus.ACTIVE)
    by_wire = GrantData.model_validate({"GrantArn": "g", "GrantStatus": "ACTIVE"})
    assert by_name == by_wire
    assert by_wire.model_dump(exclude_none=True, exclude_defaults=True) == {"GrantArn": "g", "GrantStatus": "ACTIVE"}


def test_responses_keep_unknown_fields_and_enum_values() -> None:
    grant = GrantData.model_validate({"GrantArn": "g", "GrantStatus": "ARCHIVED", "FutureField": {"a": 1}})
    assert grant.grant_status == "ARCHIVED"
    assert not isinstance(grant.grant_status, GrantStatus)
    assert grant.model_extra == {"FutureField": {"a": 1}}
    again = GrantData.model_validate(grant.model_dump(by_alias=True))
    assert again == grant


def test_known_enum_values_become_enum_members() -> None:
    grant = GrantData.model_validate({"GrantStatus": "PENDING_ACCEPT"})
    assert grant.grant_status is GrantStatus.PENDING_ACCEPT
    assert f"{grant.grant_status}" == "PENDING_ACCEPT"
    assert str(EntitlementUnit.BITS_PER_SECOND) == "Bits/Second"


def test_requests_reject_unknown_fields_and_enum_values_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="licence_name"):
        CreateLicenseRequest.model_validate(_license_request(licence_name="typo"))
    with pytest.raises(ValidationError, match=r"entitlements\[0\]\.unit: 'Cnt' is not a valid EntitlementUnit"):
        CreateLicenseRequest.model_validate(
            _license_request(entitlements=[Entitlement.model_validate({"Name": "U", "Unit": "Cnt"})])
        )
    with pytest.raises(ValidationError, match=r"issuer.Nmae\n  Extra inputs are not permitted"):
        CreateLicenseRequest.model_validate(_license_request(issuer={"Nmae": "x"}))
    # Entitlement is a response shape too (tolerant when read), yet strict inside a request, as a dict or an instance
    with pytest.raises(ValidationError, match=r"entitlements\[0\]: unknown field 'MaxCuont'"):
        CreateLicenseRequest.model_validate(_license_request(entitlements=[{"Name": "U", "MaxCuont": 5}]))
    with pytest.raises(ValidationError, match=r"entitlements\[1\]: unknown field 'Overag'"):
        CreateLicenseRequest.model_validate(
            _license_request(entitlements=[Entitlement(name="A"), Entitlement.model_validate({"Overag": True})])
        )


def test_models_are_frozen() -> None:
    grant = GrantData(grant_arn="g")
    with pytest.raises(dataclasses.FrozenInstanceError):
        grant.grant_arn = "h"  # type: ignore[misc]
    response = GetGrantResponse(grant=grant)
    with pytest.raises(ValidationError):
        response.grant = None  # type: ignore[misc]


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("1696945150", datetime(2023, 10, 10, 13, 39, 10, tzinfo=UTC)),  # CreateTime: epoch seconds in a string
        ("2021-04-13T05:35:47", datetime(2021, 4, 13, 5, 35, 47, tzinfo=UTC)),  # IssuedAt: no zone means UTC
        ("2023-10-10T13:33:36.000Z", datetime(2023, 10, 10, 13, 33, 36, tzinfo=UTC)),  # Validity
        ("2020-04-30T11:07:36+02:00", datetime(2020, 4, 30, 9, 7, 36, tzinfo=UTC)),
        (1696945150, datetime(2023, 10, 10, 13, 39, 10, tzinfo=UTC)),
    ],
)
def test_timestamps_read_every_form_as_aware_datetimes(wire: object, expected: datetime) -> None:
    from_python = LicenseData.model_validate({"CreateTime": wire}).create_time
    from_json = LicenseData.model_validate_json(json.dumps({"CreateTime": wire})).create_time  # the call path's way
    for value in (from_python, from_json):
        assert value == expected
        assert value is not None and value.tzinfo is timezone.utc  # the stdlib's, shared: not one tzinfo per value


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("99999999999", datetime(1973, 3, 3, 9, 46, 39, 999000, tzinfo=UTC)),  # 11 digits: milliseconds, as pydantic
        ("1696945150.5", datetime(2023, 10, 10, 13, 39, 10, 500000, tzinfo=UTC)),
        ("2023-10-10T13:33:36.123456Z", datetime(2023, 10, 10, 13, 33, 36, 123456, tzinfo=UTC)),
        ("2023-10-10 13:33:36Z", datetime(2023, 10, 10, 13, 33, 36, tzinfo=UTC)),
        ("2023-10-10T13:33Z", datetime(2023, 10, 10, 13, 33, tzinfo=UTC)),
        ("2023-10-10T13:33:36-00:30", datetime(2023, 10, 10, 14, 3, 36, tzinfo=UTC)),
    ],
)
def test_timestamps_from_json_match_the_general_reading(wire: str, expected: datetime) -> None:
    value = LicenseData.model_validate_json(json.dumps({"CreateTime": wire})).create_time
    assert value == expected == LicenseData.model_validate({"CreateTime": wire}).create_time
    assert value is not None and value.tzinfo is timezone.utc


@pytest.mark.parametrize("wire", ["soon", "2023-13-10T00:00:00Z", True])
def test_unreadable_timestamp_in_json_names_the_field(wire: object) -> None:
    with pytest.raises(ValidationError, match=r"Validity\.Begin\n.*valid datetime") as caught:
        LicenseData.model_validate_json(json.dumps({"Validity": {"Begin": wire}}))
    assert caught.value.error_count() == 1


def test_response_shapes_keep_the_model_methods() -> None:
    wire = {
        "LicenseName": "old",
        "FutureField": 1,
        "Entitlements": [{"Name": "Users", "MaxCount": 5, "NewThing": True}],
    }
    data = LicenseData.model_validate(wire)
    assert LicenseData.model_fields["license_name"].validation_alias == "LicenseName"
    assert data.model_extra == {"FutureField": 1}
    assert data.entitlements[0].model_extra == {"NewThing": True}
    assert Entitlement(name="Users").model_extra == {}

    expected = {**wire, "LicenseMetadata": []}  # lists default to empty
    assert data.model_dump(exclude_none=True) == expected  # wire names; unknown fields kept at every level
    assert json.loads(data.model_dump_json(exclude_none=True)) == expected
    assert data.model_dump(by_alias=False, exclude_none=True, exclude={"entitlements", "license_metadata"}) == {
        "license_name": "old",
        "FutureField": 1,
    }
    response = GetLicenseResponse.model_validate({"License": wire})
    assert response.model_dump(mode="json", exclude_none=True)["License"] == expected
    assert LicenseData.model_validate_json(json.dumps(wire)) == data

    renamed = data.model_copy(update={"license_name": "new"})
    assert (renamed.license_name, data.license_name) == ("new", "old")
    assert renamed.model_extra == {"FutureField": 1}
    with pytest.raises(ValidationError, match="max_count"):
        data.entitlements[0].model_copy(update={"max_count": "many"})

    for again in (copy.copy(data), copy.deepcopy(data), pickle.loads(pickle.dumps(data))):
        assert again == data
        assert again.model_extra == {"FutureField": 1}
        assert again.entitlements[0].model_extra == {"NewThing": True}


def test_response_shapes_work_inside_a_users_own_models() -> None:
    class Audit(BaseModel):
        license: LicenseData
        extra_entitlements: list[Entitlement] = []

    wire = {"License": {"LicenseName": "n", "FutureField": 1, "Entitlements": [{"Name": "Users", "MaxCount": "5"}]}}
    audit = Audit.model_validate({"license": wire["License"], "extra_entitlements": [{"name": "Cores"}]})
    assert audit.license.entitlements[0].max_count == 5  # lax, as in a response
    assert audit.license.model_extra == {"FutureField": 1}
    assert audit.extra_entitlements == [Entitlement(name="Cores")]
    dumped = audit.model_dump(exclude_none=True)["license"]
    assert dumped == {
        "LicenseName": "n",
        "FutureField": 1,
        "Entitlements": [{"Name": "Users", "MaxCount": 5}],
        "LicenseMetadata": [],
    }
    with pytest.raises(ValidationError, match=r"license\.Entitlements\.0\.MaxCount"):
        Audit.model_validate({"license": {"Entitlements": [{"MaxCount": "many"}]}})


def test_response_shapes_are_dataclasses_built_once() -> None:
    positional = Entitlement("Users", None, 5)
    assert positional == Entitlement(name="Users", max_count=5)
    assert [f.name for f in dataclasses.fields(Entitlement)] == list(Entitlement.model_fields)
    assert dataclasses.replace(positional, max_count=6).max_count == 6
    assert Entitlement.__pydantic_complete__
    adapter = TypeAdapter(Entitlement)
    assert adapter.validator is Entitlement.__pydantic_validator__  # the class's own, not a second build
    assert adapter.validate_python({"Name": "Users"}) == Entitlement(name="Users")


def test_response_metadata_is_never_part_of_the_wire_form() -> None:
    response = GetLicenseResponse.model_validate({"License": {"LicenseName": "n"}})
    assert response.response_metadata is None  # the call path sets it
    assert "response_metadata" not in response.model_dump()
    assert list(GetLicenseResponse.model_json_schema()["properties"]) == ["License"]


def test_timestamps_have_a_date_time_json_schema() -> None:
    begin = TypeAdapter(DatetimeRange).json_schema()["properties"]["Begin"]
    assert begin["anyOf"] == [{"format": "date-time", "type": "string"}, {"type": "null"}]


def test_timestamps_serialise_as_iso_utc_for_the_wire() -> None:
    validity = DatetimeRange(begin=datetime(2024, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))))
    assert validity.model_dump(mode="json", by_alias=True, exclude_none=True) == {"Begin": "2024-01-01T00:00:00Z"}
    naive = DatetimeRange(begin=datetime(2024, 1, 1, 0, 0, 0, 123456))
    assert naive.model_dump(mode="json", by_alias=True)["Begin"] == "2024-01-01T00:00:00.123Z"


def test_request_wire_form_is_what_boto3_takes() -> None:
    wire = CreateLicenseRequest.model_validate(_license_request()).to_wire()
    assert wire["Validity"] == {"Begin": "2024-01-01T00:00:00Z"}
    assert wire["Entitlements"] == [{"Name": "Users", "MaxCount": 5, "Unit": "Count"}]
    assert "ClientToken" not in wire  # filled by the call path, not the model


def test_secrets_never_show_in_repr_str_or_json() -> None:
    refresh = "eyJhbGciOiJSUzI1NiJ9.refresh-secret.sig"
    created = CreateTokenResponse.model_validate({"TokenId": "t", "TokenType": "REFRESH_TOKEN", "Token": refresh})
    access = GetAccessTokenResponse.model_validate({"AccessToken": "access-secret"})
    for model in (created, access):
        for text in (repr(model), str(model), model.model_dump_json(), str(model.model_dump())):
            assert "secret" not in text.replace("SecretStr", "")
    assert created.token is not None and created.token.get_secret_value() == refresh
    request = GetAccessTokenRequest(token=refresh)
    assert refresh not in repr(request)
    assert request.to_wire() == {"Token": refresh}


def test_numeric_strings_keep_their_wire_form_with_typed_accessors() -> None:
    usage = EntitlementUsage.model_validate({"Name": "Users", "ConsumedValue": "3", "MaxCount": "10", "Unit": "Count"})
    assert usage.consumed_value == "3"
    assert usage.consumed_value_number == Decimal(3)
    assert usage.max_count_number == Decimal(10)
    checkout = CheckoutLicenseResponse.model_validate(
        {"EntitlementsAllowed": [{"Name": "Tier", "Unit": "None", "Value": "Enabled"}]}
    )
    assert checkout.entitlements_allowed[0].value_number is None
    assert checkout.entitlements_allowed[0].value == "Enabled"


def test_response_lists_default_to_empty() -> None:
    assert CheckoutLicenseResponse().entitlements_allowed == []
