"""A call builds only its own models (the table, the `Api` and `licensemanager_sdk.types` load them on first use), and
a call that succeeds first time loads no retry machinery (nor, unless it lists, the paginators)."""

from __future__ import annotations

import json
import subprocess
import sys
from enum import EnumMeta
from pathlib import Path

import boto3
from botocore import xform_name
from botocore.config import Config
from pydantic import BaseModel, TypeAdapter

from licensemanager_sdk import LicenseManager, types
from licensemanager_sdk._core import fastparse
from licensemanager_sdk._enums import WireEnum
from licensemanager_sdk._generated._operations import GET_LICENSE, OPERATIONS
from licensemanager_sdk._models import ResponseShape
from tests._wire import CannedWire

# What GetLicense needs: its request and response models and the shapes a License nests.
GET_LICENSE_MODULES = {
    "borrow_configuration",
    "consumption_configuration",
    "datetime_range",
    "entitlement",
    "get_license_request",
    "get_license_response",
    "issuer_details",
    "license_data",
    "metadata",
    "provisional_configuration",
}
# ... and the enums those models' fields use.
GET_LICENSE_ENUMS = {"entitlement_unit", "license_status", "renew_type"}

_FRESH = """
import json, sys
from licensemanager_sdk import LicenseManager
from tests._wire import CannedWire

lm = LicenseManager(region_name="us-east-1", endpoint_url="http://localhost.invalid")
api = lm.api
generated = ("licensemanager_sdk.types._shapes.", "licensemanager_sdk.types._enums.")
before = [m for m in sys.modules if m.startswith(generated)]
CannedWire().attach(lm.boto3_client).ok({"License": {"LicenseArn": "arn:x", "Status": "AVAILABLE"}})
status = str(api.get_license(license_arn="arn:x").license.status)
shapes = {n: m for n, m in sys.modules.items() if n.startswith("licensemanager_sdk.types._shapes.")}
loaded = sorted(n.rsplit(".", 1)[1] for n in shapes)
models = [getattr(m, name) for m in shapes.values() for name in m.__all__]
built = sorted(model.__name__ for model in models if model.__pydantic_complete__)
enums = sorted(n.rsplit(".", 1)[1] for n in sys.modules if n.startswith("licensemanager_sdk.types._enums."))
lazy = sorted(m for m in ("tenacity", "asyncio", "licensemanager_sdk.pagination") if m in sys.modules)
found = {"before": before, "status": status, "loaded": loaded, "built": built, "enums": enums, "lazy": lazy}
print(json.dumps(found))
"""


def test_the_first_call_builds_only_the_models_of_its_operation() -> None:
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", _FRESH], check=True, capture_output=True, text=True, cwd=root).stdout
    found = json.loads(out)
    assert found["before"] == []  # building the client and its Api loaded no model and no enum
    assert found["status"] == "AVAILABLE"
    assert set(found["loaded"]) == GET_LICENSE_MODULES
    assert set(found["enums"]) == GET_LICENSE_ENUMS
    assert found["built"] == ["GetLicenseRequest", "GetLicenseResponse"]  # the nested ones only inside these
    assert found["lazy"] == []  # a call that succeeds first time loads no retry machinery, and no paginator


def test_every_model_still_builds_and_is_exported() -> None:
    names = [name for name in types.__all__ if isinstance(getattr(types, name), type)]
    models = [getattr(types, name) for name in names if issubclass(getattr(types, name), (BaseModel, ResponseShape))]
    assert len(models) >= 180
    for model in models:
        assert model.__name__ in dir(types)
        if issubclass(model, BaseModel):
            assert isinstance(model.model_json_schema(), dict)  # the deferred schema builds
        else:
            assert isinstance(TypeAdapter(model).json_schema(), dict)
            assert isinstance(model.model_validate({}), model)  # every field of a response shape is optional
        assert model.__pydantic_complete__


def test_every_enum_is_exported_from_a_module_of_its_own() -> None:
    enums = [getattr(types, name) for name in types.__all__ if isinstance(getattr(types, name), EnumMeta)]
    assert len(enums) >= 20
    for enum in enums:
        assert issubclass(enum, WireEnum)
        assert enum.__name__ in dir(types)
        assert enum.__module__ == f"licensemanager_sdk.types._enums.{xform_name(enum.__name__)}"
    assert types.LicenseStatus("AVAILABLE") is types.LicenseStatus.AVAILABLE


def test_a_spec_resolves_its_models_by_name_once() -> None:
    assert GET_LICENSE.input_model is types.GetLicenseRequest
    assert GET_LICENSE.output_model is types.GetLicenseResponse
    assert GET_LICENSE.output_model is GET_LICENSE.output_model
    for spec in OPERATIONS.values():
        assert spec.output_model.__name__ == spec.output_name
        assert spec.input_model is None or spec.input_model.__name__ == spec.input_name


def test_unknown_names_are_attribute_errors() -> None:
    try:
        types.NoSuchShape  # noqa: B018
    except AttributeError as err:
        assert "NoSuchShape" in str(err)
    else:
        raise AssertionError("types.NoSuchShape should not exist")


class _Shape:
    def __init__(self, name: str) -> None:
        self.name = name


def test_the_fast_parser_leaves_another_operation_answered_inside_a_marked_call_to_botocore() -> None:
    response = {"status_code": 200, "headers": {}, "body": b'{"License": {}}'}
    with fastparse.fast_calls(types.GetLicenseResponse):
        assert fastparse.fast_result(response, _Shape("SomeOtherServiceResponse")) is None
        fast = fastparse.fast_result(response, _Shape("GetLicenseResponse"))
    assert fast is not None and isinstance(fast[fastparse.FAST_RESULT], types.GetLicenseResponse)
    assert fastparse.fast_result(response, _Shape("GetLicenseResponse")) is None  # outside the block: not marked


def test_a_handed_in_client_loads_the_same_models() -> None:
    plain = boto3.client(
        "license-manager",
        region_name="us-east-1",
        endpoint_url="http://localhost.invalid",
        config=Config(retries={"total_max_attempts": 1}),
    )
    CannedWire().attach(plain).ok({"License": {"LicenseArn": "arn:x"}})
    result = LicenseManager(boto3_client=plain).api.get_license(license_arn="arn:x")
    assert isinstance(result, types.GetLicenseResponse)
