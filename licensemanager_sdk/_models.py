"""Bases and field types that the generated models in `licensemanager_sdk.types` build on.

- `RequestModel`: strict writer. Unknown fields and unknown enum values are errors naming the field, also inside nested
  shapes that are shared with responses.
- `ResponseModel`: tolerant reader. Unknown fields are kept, unknown enum values stay plain strings.
- `IsoDatetime`: every timestamp form License Manager uses (epoch-seconds strings, ISO 8601 with or without a zone)
  as an aware `datetime`; no zone means UTC. Serialised as ISO 8601 UTC with a `Z`, which the service accepts.
- `SecretToken`: refresh and access tokens; masked in `repr`, `str` and JSON dumps unless revealed explicitly.
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SecretStr,
    SerializationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "REVEAL_SECRETS",
    "InputShape",
    "IsoDatetime",
    "RequestModel",
    "ResponseMetadata",
    "ResponseModel",
    "SecretToken",
    "TopLevelResponse",
    "decimal_or_none",
]

REVEAL_SECRETS = "reveal_secrets"
"""Serialisation context key: `model_dump(context={REVEAL_SECRETS: True})` writes secret values in clear."""


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _format_iso(value: datetime) -> str:
    utc = _as_utc(value).astimezone(timezone.utc)
    millis = f".{utc.microsecond // 1000:03d}" if utc.microsecond else ""
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + millis + "Z"


IsoDatetime = Annotated[
    datetime,
    AfterValidator(_as_utc),
    PlainSerializer(_format_iso, return_type=str, when_used="json"),
]
"""An aware `datetime` read from any License Manager timestamp string and written as ISO 8601 UTC."""


def _dump_secret(value: SecretStr, info: SerializationInfo) -> str | SecretStr:
    context = info.context
    if isinstance(context, dict) and context.get(REVEAL_SECRETS):
        return value.get_secret_value()
    return str(value) if info.mode_is_json() else value


SecretToken = Annotated[SecretStr, PlainSerializer(_dump_secret, when_used="always")]
"""A token that never shows in `repr`, `str`, logs or JSON dumps; `.get_secret_value()` reads it."""


def decimal_or_none(value: str | None) -> Decimal | None:
    """Read a number the service sends as a string (`"12"`, `"1.5"`); `None` when absent or not numeric."""
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class _Shape(BaseModel):
    # Spelled out (not passed as **kwargs) so that pydantic's mypy plugin sees them and types __init__ by field name.
    model_config = ConfigDict(
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        protected_namespaces=(),
        defer_build=True,
    )


class ResponseModel(_Shape):
    """Base of every generated shape: frozen, tolerant of fields and enum values it does not know."""

    model_config = ConfigDict(extra="allow")


class InputShape(_Shape):
    """Base of nested shapes that only ever appear in requests: frozen and strict."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class ResponseMetadata:
    """What the call path learned about one call: request id, HTTP status and attempts made."""

    request_id: str | None = None
    http_status_code: int | None = None
    attempts: int = 1


class TopLevelResponse(ResponseModel):
    """Base of every operation's output model."""

    response_metadata: ResponseMetadata | None = Field(default=None, exclude=True, repr=False)
    """Request id, HTTP status and number of attempts; filled by the client, never part of dumps."""


_ENUM_FIELDS: dict[type[BaseModel], dict[str, type[enum.Enum]]] = {}


def _enum_in(annotation: Any) -> type[enum.Enum] | None:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _enum_in(typing.get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        for arg in typing.get_args(annotation):
            found = _enum_in(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation
    return None


def _enum_fields(cls: type[BaseModel]) -> dict[str, type[enum.Enum]]:
    found = _ENUM_FIELDS.get(cls)
    if found is None:
        found = {}
        for name, info in cls.model_fields.items():
            enum_cls = _enum_in(info.annotation)
            if enum_cls is not None:
                found[name] = enum_cls
        _ENUM_FIELDS[cls] = found
    return found


def _not_in_enum(path: str, value: str, enum_cls: type[enum.Enum]) -> str:
    allowed = ", ".join(str(m.value) for m in enum_cls)
    return f"{path}: {value!r} is not a valid {enum_cls.__name__} (expected one of: {allowed})"


def _strict_problem(value: Any, path: str) -> str | None:
    """Find the first unknown field or unknown enum value below `value`, as a message naming its path."""
    if isinstance(value, BaseModel):
        extra = value.model_extra
        if extra:
            return f"{path}: unknown field {next(iter(extra))!r}"
        enums = _enum_fields(type(value))
        for name in type(value).model_fields:
            item = getattr(value, name)
            here = f"{path}.{name}" if path else name
            enum_cls = enums.get(name)
            if enum_cls is not None:
                members = item if isinstance(item, list) else [item]
                for index, member in enumerate(members):
                    if isinstance(member, str) and not isinstance(member, enum.Enum):
                        where = f"{here}[{index}]" if isinstance(item, list) else here
                        return _not_in_enum(where, member, enum_cls)
            problem = _strict_problem(item, here)
            if problem is not None:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = _strict_problem(item, f"{path}[{index}]")
            if problem is not None:
                return problem
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = _strict_problem(item, f"{path}[{key!r}]")
            if problem is not None:
                return problem
    return None


class RequestModel(InputShape):
    """Base of every operation's input model: frozen and strict, down to nested shapes."""

    @model_validator(mode="after")
    def _reject_unknown(self) -> RequestModel:
        problem = _strict_problem(self, "")
        if problem is not None:
            raise PydanticCustomError("strict_request", "{problem}", {"problem": problem})
        return self

    def to_wire(self) -> dict[str, Any]:
        """The request as boto3 takes it: wire names, no `None` values, secrets in clear."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, context={REVEAL_SECRETS: True})
