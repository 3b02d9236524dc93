"""What parsing a list page leaves for the garbage collector: few tracked objects, shared UTC zone."""

from __future__ import annotations

import enum
import gc
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel

from licensemanager_sdk.types import DatetimeRange, ListReceivedLicensesResponse


def _license(i: int) -> dict[str, Any]:
    return {
        "LicenseArn": f"arn:aws:license-manager::111111111111:license:l-{i:032x}",
        "Issuer": {"Name": "Example Seller", "KeyFingerprint": "aws:111111111111:Example Seller:fp"},
        "Status": "AVAILABLE",
        "Validity": {"Begin": "2024-01-01T00:00:00.000Z", "End": "2030-01-01T00:00:00.000Z"},
        "Entitlements": [
            {"Name": "Users", "Unit": "Count", "MaxCount": 100, "Overage": False},
            {"Name": "PremiumTier", "Unit": "None", "Value": "Enabled"},
        ],
        "ConsumptionConfiguration": {"RenewType": "None", "ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
        "LicenseMetadata": [{"Name": "region", "Value": "emea"}],
        "CreateTime": "1696945150",
        "ReceivedMetadata": {"ReceivedStatus": "ACTIVE", "AllowedOperations": ["CheckoutLicense"]},
    }


PAGE = json.dumps({"Licenses": [_license(i) for i in range(20)], "NextToken": "next"}).encode()


def _tracked_below(value: object, seen: set[int]) -> int:
    """GC-tracked objects the parse made for `value`: models, their dicts and field sets, lists, time zones."""
    if id(value) in seen or isinstance(value, (type, enum.Enum)) or value is timezone.utc:
        return 0
    seen.add(id(value))
    count = 1 if gc.is_tracked(value) else 0
    if isinstance(value, BaseModel):
        parts: list[object] = [value.__dict__, value.__pydantic_fields_set__, value.__pydantic_extra__]
        return (
            count
            + sum(_tracked_below(part, seen) for part in parts)
            + sum(_tracked_below(item, seen) for item in value.__dict__.values())
        )
    if isinstance(value, list):
        return count + sum(_tracked_below(item, seen) for item in value)
    if isinstance(value, datetime):
        return count + _tracked_below(value.tzinfo, seen)
    return count


def test_a_parsed_license_leaves_at_most_26_tracked_objects() -> None:
    page = ListReceivedLicensesResponse.model_validate_json(PAGE)
    per_license = [_tracked_below(item, set()) for item in page.licenses]
    # 9 models, their 9 field sets, 5 dicts holding models, lists or enum members, 3 lists; no zone per timestamp.
    assert per_license == [26] * 20


def test_parsed_utc_timestamps_share_timezone_utc() -> None:
    page = ListReceivedLicensesResponse.model_validate_json(PAGE)
    first, second = page.licenses[0], page.licenses[1]
    assert first.create_time is not None and first.create_time.tzinfo is timezone.utc
    assert first.validity is not None and second.validity is not None
    assert first.validity.begin is not None and first.validity.begin.tzinfo is timezone.utc
    assert second.validity.end == datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_offsets_and_zones_passed_in_are_kept() -> None:
    offset = DatetimeRange.model_validate_json(b'{"Begin": "2020-04-30T11:07:36+02:00"}').begin
    assert offset is not None and offset.utcoffset() == timedelta(hours=2)
    assert offset == datetime(2020, 4, 30, 9, 7, 36, tzinfo=timezone.utc)
    zone = timezone(timedelta(0), "Europe/London")
    given = DatetimeRange(begin=datetime(2024, 1, 1, tzinfo=zone)).begin
    assert given is not None and given.tzinfo is zone
