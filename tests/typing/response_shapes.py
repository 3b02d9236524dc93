"""Checked by mypy (`make typecheck`), never run: the shapes a response nests are typed like the models (fields,
constructor by field name, the model methods) and frozen for the type checker too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from typing_extensions import assert_type

from licensemanager_sdk.types import Entitlement, EntitlementUnit, LicenseData

__all__ = ["check"]


def check(data: LicenseData) -> None:
    assert_type(data.entitlements, list[Entitlement])
    assert_type(data.create_time, datetime | None)
    entitlement = Entitlement(name="Users", max_count=5, unit=EntitlementUnit.COUNT)
    assert_type(entitlement.model_copy(update={"max_count": 6}), Entitlement)
    assert_type(LicenseData.model_validate({"LicenseName": "x"}), LicenseData)
    assert_type(LicenseData.model_validate_json(b"{}"), LicenseData)
    assert_type(data.model_dump(mode="json"), dict[str, Any])
    assert_type(data.model_dump_json(), str)
    assert_type(data.model_extra, dict[str, Any])
    entitlement.max_count = 6  # type: ignore[misc]  # frozen (an unneeded ignore would fail: warn_unused_ignores)
    Entitlement(nmae="Users")  # type: ignore[call-arg]  # fields by name only
