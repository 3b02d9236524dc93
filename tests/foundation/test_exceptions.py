"""The whole error tree lives in `licensemanager_sdk._exceptions`, is exported, and is drawn completely in the docs."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import licensemanager_sdk
import licensemanager_sdk.entitlements
import licensemanager_sdk.resources
from licensemanager_sdk import _exceptions
from licensemanager_sdk._generated._errors import ERRORS_BY_CODE

ROOT = Path(__file__).resolve().parents[2]


def _tree_classes() -> list[type[BaseException]]:
    return [
        value
        for name in _exceptions.__all__
        if isinstance(value := getattr(_exceptions, name), type) and issubclass(value, BaseException)
    ]


def _package_modules() -> list[str]:
    """Every module of the package outside the local service (which has its own wire-level exceptions)."""
    skip = "licensemanager_sdk.local"
    names = ["licensemanager_sdk"]
    for info in pkgutil.walk_packages(licensemanager_sdk.__path__, "licensemanager_sdk."):
        if not info.name.startswith(skip) and not info.name.endswith("__main__"):
            names.append(info.name)
    return names


def test_every_exception_class_of_the_package_is_defined_in_or_generated_for_the_one_module() -> None:
    homes = {"licensemanager_sdk._exceptions", "licensemanager_sdk._generated._errors", "licensemanager_sdk"}
    found = {}
    for name in _package_modules():
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__.startswith("licensemanager_sdk"):
                found[value.__qualname__] = value
    assert found, "no exception class found: the walk is broken"
    assert {n: c.__module__ for n, c in found.items() if c.__module__ not in homes} == {}
    assert set(found.values()) == set(_tree_classes())


def test_the_generated_classes_are_re_exported_from_the_one_module() -> None:
    for code, cls in ERRORS_BY_CODE.items():
        assert getattr(_exceptions, cls.__name__) is cls
        assert cls.code == code


def test_every_error_is_importable_from_the_package_and_from_its_old_homes() -> None:
    for cls in _tree_classes():
        assert getattr(licensemanager_sdk, cls.__name__) is cls
        assert issubclass(cls, _exceptions.LicenseManagerError)
    for name in ("EntitlementLostError", "EntitlementNotHeldError", "TokenVerificationError", "LostReason"):
        assert getattr(licensemanager_sdk.entitlements, name) is getattr(_exceptions, name)
    assert licensemanager_sdk.entitlements.VerifyReason is _exceptions.VerifyReason
    assert licensemanager_sdk.resources.WaiterError is _exceptions.WaiterError
    assert licensemanager_sdk.resources.WaitTimeoutError is _exceptions.WaitTimeoutError


def _drawn(text: str) -> set[str]:
    tree = text.split("```", 2)[1]
    return set(re.findall(r"^[─└├│ ]*([A-Z][A-Za-z]+Error)\b", tree, re.MULTILINE))


def test_the_tree_drawn_in_the_module_names_every_class() -> None:
    assert _drawn(_exceptions.__doc__ or "") >= {cls.__name__ for cls in _tree_classes()}


def test_the_tree_drawn_in_docs_errors_md_names_every_class() -> None:
    assert _drawn((ROOT / "docs" / "errors.md").read_text()) >= {cls.__name__ for cls in _tree_classes()}


def test_a_waiter_error_says_where_the_resource_was() -> None:
    err = _exceptions.WaitTimeoutError(
        "arn:l did not become AVAILABLE", resource="arn:l", wanted=("AVAILABLE",), last_status="PENDING", elapsed=2.0
    )
    assert isinstance(err, _exceptions.WaiterError)
    assert (err.resource, err.wanted, err.last_status, err.elapsed) == ("arn:l", ("AVAILABLE",), "PENDING", 2.0)
