"""The public surface is exactly `__all__`, every exported name imports in a fresh interpreter, imports stay cheap."""

from __future__ import annotations

import subprocess
import sys

import botocore.session

import licensemanager_sdk
import licensemanager_sdk.types as types
from licensemanager_sdk import Api, LicenseManager


def test_all_lists_exactly_the_public_names() -> None:
    submodules = {"types", "pagination", "local", "testing", "resources", "entitlements", "cli", "credentials", "aio"}
    for name in licensemanager_sdk.__all__:
        getattr(licensemanager_sdk, name)  # every listed name resolves (some on first use)
    public = {name for name in vars(licensemanager_sdk) if not name.startswith("_")} - submodules
    assert sorted(licensemanager_sdk.__all__) == sorted(public | {"__version__"})
    assert len(set(licensemanager_sdk.__all__)) == len(licensemanager_sdk.__all__)


def test_dir_lists_every_public_name_including_the_lazy_ones() -> None:
    code = "import licensemanager_sdk as m; print(sorted(set(m.__all__) - set(dir(m))))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()
    assert out == "[]"  # in a fresh interpreter: nothing lazy has been imported yet


def test_api_is_public_and_is_the_type_of_lm_api() -> None:
    lm = LicenseManager(region_name="us-east-1", endpoint_url="http://localhost.invalid")
    assert type(lm.api) is Api
    assert "Api" in licensemanager_sdk.__all__


def test_unknown_attributes_are_attribute_errors() -> None:
    assert not hasattr(licensemanager_sdk, "Licence")


def test_every_exported_name_imports_in_a_fresh_interpreter() -> None:
    names = ", ".join(licensemanager_sdk.__all__)
    subprocess.run([sys.executable, "-c", f"from licensemanager_sdk import {names}"], check=True)


def test_exported_classes_say_they_come_from_the_package() -> None:
    assert licensemanager_sdk.ResourceNotFoundError.__module__ == "licensemanager_sdk"
    assert licensemanager_sdk.LicenseManager.__module__ == "licensemanager_sdk"


def test_types_cover_every_structure_and_enum_shape_of_the_model_but_errors() -> None:
    model = botocore.session.get_session().get_service_model("license-manager")
    renames = {"License": "LicenseData", "Grant": "GrantData"}
    expected = set()
    errors = set()
    for name in model.shape_names:
        shape = model.shape_for(name)
        if shape.type_name == "structure" and shape.metadata.get("exception"):
            errors.add(name)
        elif shape.type_name == "structure" or (shape.type_name == "string" and shape.enum):
            expected.add(renames.get(name, name))
    assert set(types.__all__) == expected
    assert all(hasattr(types, name) for name in types.__all__)
    # Error shapes are ServiceError subclasses (licensemanager_sdk.ConflictError, ...), never models.
    assert {"ConflictException", "RateLimitExceededException", "ResourceNotFoundException"} <= errors
    assert not any(hasattr(types, name) for name in errors)


def test_api_has_a_method_for_every_operation() -> None:
    api = LicenseManager(region_name="us-east-1", endpoint_url="http://localhost.invalid").api
    model = botocore.session.get_session().get_service_model("license-manager")
    missing = [op for op in model.operation_names if not callable(getattr(api, botocore.xform_name(op), None))]
    assert missing == []
    assert len(model.operation_names) >= 62


def test_importing_the_package_does_not_load_models_or_pydantic() -> None:
    code = (
        "import sys, licensemanager_sdk; "
        "from licensemanager_sdk import LicenseManager; "
        "LicenseManager(region_name='us-east-1'); "
        "print(sorted(m for m in ('pydantic', 'licensemanager_sdk.types', 'licensemanager_sdk._generated._api', "
        "'licensemanager_sdk.resources', 'licensemanager_sdk.entitlements', 'cryptography') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()
    assert out == "[]"
