"""Request validation driven by botocore's service model, answering the way AWS (Coral) services do.

Checks what botocore's client-side validator does not: maximum lengths and values, list sizes, enums and
patterns (Java regexes, matched against the whole value), plus required members and JSON types.
Constraint violations -> ValidationException with a Coral-style message; wrong JSON types ->
SerializationException. Members unknown to the model are ignored, as AWS JSON services do.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from .faults import SERIALIZATION_CODE, ServiceFault
from .model import operation_model

__all__ = ["MAX_PROBLEMS", "format_value", "validate"]

# A compiled check appends Coral messages ("Value ... at 'path' failed to satisfy constraint: ...") to a list.
_Check = Callable[[Any, str, list[str]], None]

#: (operation, member) whose enum is checked by the operation itself, with a more specific error.
_ENUM_EXEMPT = {("CheckoutBorrowLicense", "DigitalSignatureMethod")}

MAX_PROBLEMS = 10
"""Violations reported in one ValidationException; past that, validation stops and says so."""
_MAX_SHOWN = 256  # characters of an offending value quoted in a message

#: JSON integer ranges of `integer` and `long` shapes whose model gives no min/max.
_INT_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


def validate(service: str, operation: str, params: Mapping[str, Any]) -> None:
    """Raise ServiceFault unless `params` satisfy the operation's input shape."""
    _compiled(service, operation)(params, "", [])


def format_value(value: Any) -> str:
    """A value the way Java's toString renders it in Coral messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


@functools.cache
def _compiled(service: str, operation: str) -> Callable[[Mapping[str, Any], str, list[str]], None]:
    op = operation_model(service, operation)
    shape = op.input_shape if op is not None else None
    check = _compile(shape, operation) if shape is not None else None

    semantic = _SEMANTIC.get(operation, ())

    def run(params: Mapping[str, Any], path: str, errors: list[str]) -> None:
        if check is None:
            return
        try:
            check(params, path, errors)
            for rule in semantic:
                rule(params, errors)
        except _TooMany:
            raise ServiceFault(
                "ValidationException",
                f"More than {MAX_PROBLEMS} validation errors detected (validation stopped there); "
                f"the first {MAX_PROBLEMS}: " + "; ".join(errors[:MAX_PROBLEMS]),
            ) from None
        if errors:
            n = len(errors)
            noun = "validation error" if n == 1 else "validation errors"
            raise ServiceFault("ValidationException", f"{n} {noun} detected: " + "; ".join(errors))

    return run


def _java_name(name: str) -> str:
    return name[:1].lower() + name[1:]


class _TooMany(Exception):
    """More than MAX_PROBLEMS violations: validation stops at once (a huge bad request costs little)."""


def _fail(value: Any, path: str, constraint: str, errors: list[str]) -> None:
    if len(errors) >= MAX_PROBLEMS:
        raise _TooMany
    shown = "null" if value is None else f"'{_shorten(format_value(value))}'"
    errors.append(f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}")


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "..."


def _type_error(value: Any, path: str, expected: str) -> ServiceFault:
    where = path or "request body"
    return ServiceFault(
        SERIALIZATION_CODE, f"Cannot deserialize value {format_value(value)!r} at '{where}' as {expected}"
    )


@functools.cache
def _pattern(java_regex: str) -> re.Pattern[str]:
    # Java's \s, \d, \w are ASCII-only by default; Java `matches()` is a full match.
    return re.compile(java_regex, re.ASCII)


def _compile(shape: Shape, operation: str, member: str = "") -> _Check:
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        return _compile_structure(shape, operation)
    if isinstance(shape, ListShape):
        return _compile_list(shape, operation)
    if isinstance(shape, MapShape):
        return _compile_map(shape, operation)
    if kind == "string":
        return _compile_string(shape, check_enum=(operation, member) not in _ENUM_EXEMPT)
    if kind in ("integer", "long"):
        return _compile_number(shape, integral=True, bounds=_INT_RANGES[kind])
    if kind in ("float", "double"):
        return _compile_number(shape, integral=False, bounds=(None, None))
    if kind == "boolean":
        return _check_boolean
    if kind == "blob":
        return _check_blob
    if kind == "timestamp":
        return _check_timestamp
    return _check_nothing


def _compile_structure(shape: StructureShape, operation: str) -> _Check:
    members = [
        (name, _java_name(name), _compile(sub, operation, name), name in shape.required_members)
        for name, sub in shape.members.items()
    ]

    def check(value: Any, path: str, errors: list[str]) -> None:
        if not isinstance(value, dict):
            raise _type_error(value, path, "a structure")
        prefix = f"{path}." if path else ""
        for wire, java, sub, required in members:
            item = value.get(wire)
            where = prefix + java
            if item is None:
                if required:
                    _fail(None, where, "Member must not be null", errors)
                continue
            sub(item, where, errors)

    return check


def _compile_list(shape: ListShape, operation: str) -> _Check:
    member = _compile(shape.member, operation)
    lo, hi = shape.metadata.get("min"), shape.metadata.get("max")

    def check(value: Any, path: str, errors: list[str]) -> None:
        if not isinstance(value, list):
            raise _type_error(value, path, "a list")
        if lo is not None and len(value) < lo:
            _fail(value, path, f"Member must have length greater than or equal to {lo}", errors)
        if hi is not None and len(value) > hi:
            _fail(value, path, f"Member must have length less than or equal to {hi}", errors)
        for i, item in enumerate(value, start=1):
            if item is None:
                _fail(None, f"{path}.{i}.member", "Member must not be null", errors)
                continue
            member(item, f"{path}.{i}.member", errors)

    return check


def _compile_map(shape: MapShape, operation: str) -> _Check:
    key_check = _compile(shape.key, operation)
    value_check = _compile(shape.value, operation)

    def check(value: Any, path: str, errors: list[str]) -> None:
        if not isinstance(value, dict):
            raise _type_error(value, path, "a map")
        for k, v in value.items():
            key_check(k, f"{path}.{k}.key", errors)
            if v is not None:
                value_check(v, f"{path}.{k}.value", errors)

    return check


def _compile_string(shape: Shape, *, check_enum: bool) -> _Check:
    lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
    raw_pattern = shape.metadata.get("pattern")
    pattern = _pattern(raw_pattern) if raw_pattern else None
    enum = shape.metadata.get("enum") if check_enum else None
    enum_set = frozenset(enum) if enum else None
    enum_text = "[" + ", ".join(enum) + "]" if enum else ""

    def check(value: Any, path: str, errors: list[str]) -> None:
        if not isinstance(value, str):
            raise _type_error(value, path, "a string")
        if lo is not None and len(value) < lo:
            _fail(value, path, f"Member must have length greater than or equal to {lo}", errors)
        if hi is not None and len(value) > hi:
            _fail(value, path, f"Member must have length less than or equal to {hi}", errors)
        if pattern is not None and pattern.fullmatch(value) is None:
            _fail(value, path, f"Member must satisfy regular expression pattern: {raw_pattern}", errors)
        if enum_set is not None and value not in enum_set:
            _fail(value, path, f"Member must satisfy enum value set: {enum_text}", errors)

    return check


def _compile_number(shape: Shape, *, integral: bool, bounds: tuple[int | None, int | None]) -> _Check:
    lo = shape.metadata.get("min", bounds[0])
    hi = shape.metadata.get("max", bounds[1])
    expected = "an integer" if integral else "a number"

    def check(value: Any, path: str, errors: list[str]) -> None:
        # JSON integers only for integer/long (2.0, true and 1e999 are not), finite numbers for float/double.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _type_error(value, path, expected)
        if (integral and not isinstance(value, int)) or (isinstance(value, float) and not math.isfinite(value)):
            raise _type_error(value, path, expected)
        if lo is not None and value < lo:
            _fail(value, path, f"Member must have value greater than or equal to {lo}", errors)
        if hi is not None and value > hi:
            _fail(value, path, f"Member must have value less than or equal to {hi}", errors)

    return check


def _check_boolean(value: Any, path: str, _errors: list[str]) -> None:
    if not isinstance(value, bool):
        raise _type_error(value, path, "a boolean")


def _check_blob(value: Any, path: str, _errors: list[str]) -> None:
    if not isinstance(value, str):
        raise _type_error(value, path, "a base64 blob")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _type_error(value, path, "a base64 blob") from None


def _check_timestamp(value: Any, path: str, _errors: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _type_error(value, path, "a timestamp")
    if isinstance(value, float) and not math.isfinite(value):
        raise _type_error(value, path, "a timestamp")


def _check_nothing(_value: Any, _path: str, _errors: list[str]) -> None:
    return None


# -- semantic checks (ValidationException) on top of the model ------------------------------------------

_Rule = Callable[[Mapping[str, Any], list[str]], None]

_ISO = re.compile(
    r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(Z|([+-])([0-9]{2}):([0-9]{2}))",
    re.ASCII,
)
_DATE_RANGE = "Member must be a date-time between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"


def _representable(text: str) -> bool:
    """Whether an ISO 8601 date-time (already pattern-checked) names an instant of years 1..9999 in UTC."""
    m = _ISO.fullmatch(text)
    if m is None:
        return True  # not date-shaped: the model's pattern check reports it
    year, month, day, hour, minute, second, zone, sign, zh, zm = m.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=timezone.utc)
        if zone != "Z":
            shift = timedelta(hours=int(zh), minutes=int(zm))
            local = local - shift if sign == "+" else local + shift
    except (ValueError, OverflowError):
        return False
    return True


def _validity_in_range(params: Mapping[str, Any], errors: list[str]) -> None:
    validity = params.get("Validity")
    if not isinstance(validity, dict):
        return
    for member in ("Begin", "End"):
        value = validity.get(member)
        if isinstance(value, str) and not _representable(value):
            _fail(value, f"validity.{member.lower()}", _DATE_RANGE, errors)


def _quantities_are_digits(params: Mapping[str, Any], errors: list[str]) -> None:
    entitlements = params.get("Entitlements")
    if not isinstance(entitlements, list):
        return
    for i, item in enumerate(entitlements, start=1):
        value = item.get("Value") if isinstance(item, dict) else None
        if isinstance(value, str) and not (value.isascii() and value.isdigit()):
            _fail(value, f"entitlements.{i}.member.value", "Member must be a whole number of ASCII digits", errors)


_SEMANTIC: dict[str, tuple[_Rule, ...]] = {
    "CreateLicense": (_validity_in_range,),
    "CreateLicenseVersion": (_validity_in_range,),
    "CheckoutLicense": (_quantities_are_digits,),
    "CheckoutBorrowLicense": (_quantities_are_digits,),
}
