"""Bases and field types that the generated models in `licensemanager_sdk.types` build on.

- `RequestModel`: strict writer. Unknown fields and unknown enum values are errors naming the field, also inside nested
  shapes that are shared with responses.
- `TopLevelResponse` (operation outputs, `BaseModel`s) and `ResponseShape` (the shapes they nest, slotted
  dataclasses with a pydantic schema of their own): tolerant readers. Unknown fields are kept, unknown enum values
  stay plain strings.
- `IsoDatetime`: every timestamp form License Manager uses (epoch-seconds strings, ISO 8601 with or without a zone)
  as a `datetime` in `timezone.utc`; no zone means UTC. Serialised as ISO 8601 UTC with a `Z`, which the service
  accepts.
- `SecretToken`: refresh and access tokens; masked in `repr`, `str` and JSON dumps unless revealed explicitly.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import sys
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    SecretStr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaValue, SkipJsonSchema
from pydantic.main import IncEx
from pydantic_core import (
    ArgsKwargs,
    PydanticCustomError,
    PydanticUndefined,
    SchemaSerializer,
    SchemaValidator,
    core_schema,
)
from typing_extensions import dataclass_transform

__all__ = [
    "REVEAL_SECRETS",
    "InputShape",
    "IsoDatetime",
    "RequestModel",
    "ResponseMetadata",
    "ResponseShape",
    "SecretToken",
    "TopLevelResponse",
    "decimal_or_none",
    "empty_dict",
    "empty_list",
    "response_shape",
]

REVEAL_SECRETS = "reveal_secrets"
"""Serialisation context key: `model_dump(context={REVEAL_SECRETS: True})` writes secret values in clear."""


def _as_utc(value: datetime) -> datetime:
    # Every aware value is moved to the shared `timezone.utc` (pydantic makes a `TzInfo` per value): one object for
    # all timestamps of a page instead of one each for the garbage collector to track.
    tzinfo = value.tzinfo
    if tzinfo is timezone.utc:
        return value
    return value.replace(tzinfo=timezone.utc) if tzinfo is None else value.astimezone(timezone.utc)


def _format_iso(value: datetime) -> str:
    utc = _as_utc(value).astimezone(timezone.utc)
    millis = f".{utc.microsecond // 1000:03d}" if utc.microsecond else ""
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + millis + "Z"


_from_epoch_seconds = functools.partial(datetime.fromtimestamp, tz=timezone.utc)


class _WireTimestamp:
    """Fast paths for reading timestamps from JSON, in front of the general one (pydantic's datetime, then `_as_utc`).

    A page holds hundreds of timestamps, and the general path costs a Python call per value. The two forms
    License Manager sends most, ISO 8601 in UTC (`"...T13:33:36.000Z"`) and epoch seconds (`"1696945150"`), are
    read by C functions pydantic-core calls directly, into the shared `timezone.utc`. Any other form (a zone offset,
    no zone, milliseconds) falls through to the general path, so the result is the same datetime either way.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        general = handler(source)
        fast = []
        if sys.version_info >= (3, 11):  # 3.10's fromisoformat does not read a `Z`
            # A string ending in `Z` that `fromisoformat` reads is in `timezone.utc`; tried first, as a page holds
            # two of these for each epoch value. One that it cannot read falls through to the general path.
            fast.append(
                core_schema.chain_schema(
                    [
                        core_schema.str_schema(pattern=r"Z$"),
                        core_schema.no_info_plain_validator_function(datetime.fromisoformat),
                    ]
                )
            )
        fast.append(
            core_schema.chain_schema(
                [
                    core_schema.str_schema(pattern=r"^[0-9]{1,10}$"),  # speedate reads 11+ digits as milliseconds
                    core_schema.int_schema(),
                    core_schema.no_info_plain_validator_function(_from_epoch_seconds),
                ]
            )
        )
        from_json = core_schema.union_schema(
            [*fast, general],
            mode="left_to_right",
            custom_error_type="datetime_parsing",
            custom_error_context={"error": "expected ISO 8601 or epoch seconds"},
        )
        return core_schema.json_or_python_schema(
            json_schema=from_json, python_schema=general, serialization=general.get("serialization")
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(core_schema.datetime_schema())  # the paths above are how, not what: a date-time string


IsoDatetime = Annotated[
    datetime,
    AfterValidator(_as_utc),
    PlainSerializer(_format_iso, return_type=str, when_used="json"),
    _WireTimestamp,
]
"""An aware `datetime` read from any License Manager timestamp string and written as ISO 8601 UTC."""


def _dump_secret(value: SecretStr, info: SerializationInfo) -> str | SecretStr:
    context = info.context
    if isinstance(context, dict) and context.get(REVEAL_SECRETS):
        return value.get_secret_value()
    return str(value) if info.mode_is_json() else value


SecretToken = Annotated[SecretStr, PlainSerializer(_dump_secret, when_used="always")]
"""A token that never shows in `repr`, `str`, logs or JSON dumps; `.get_secret_value()` reads it."""


def empty_list() -> list[Any]:
    """`default_factory` of list fields. A Python function rather than `list`: pydantic reads a factory's signature,
    and the builtin's costs a cold start the tokenizer (about 3 ms) where a function's costs microseconds."""
    return []


def empty_dict() -> dict[str, Any]:
    """`default_factory` of map fields (see `empty_list`)."""
    return {}


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


class InputShape(_Shape):
    """Base of nested shapes that only ever appear in requests: frozen and strict."""

    model_config = ConfigDict(extra="forbid")


_SelfShape = TypeVar("_SelfShape", bound="ResponseShape")
_T = TypeVar("_T")


@dataclass_transform(frozen_default=True, field_specifiers=(Field,))
def response_shape(cls: type[_SelfShape]) -> type[_SelfShape]:
    """Make a generated `ResponseShape` subclass a slotted dataclass whose fields are its `model_fields`.

    `dataclasses` only lays out the slots (it generates no method, so it compiles nothing); `ResponseShape` brings
    `__init__`, equality, `repr` and the pydantic schema, which is built from `model_fields` when first needed.
    """
    fields: dict[str, FieldInfo] = {}
    for name, annotation in inspect.get_annotations(cls).items():
        default = cls.__dict__.get(name, PydanticUndefined)
        fields[name] = FieldInfo.from_annotated_attribute(annotation, default)
        if default is not PydanticUndefined:
            delattr(cls, name)  # the default lives in the FieldInfo; the class attribute would shadow the slot
    shape = dataclasses.dataclass(init=False, repr=False, eq=False, slots=True)(cls)
    shape.__pydantic_fields__ = shape.model_fields = fields
    return shape


class _BuiltOnFirstUse(Generic[_T]):
    """A `ResponseShape` class attribute (validator, serializer) that builds the shape's own on first read.

    A response never needs them: its model's schema nests the shape's. Constructing, validating or dumping a shape
    on its own does, once per class; the built ones then sit in the class's `__dict__`, where pydantic's
    `TypeAdapter` finds them too.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, instance: object, owner: type[ResponseShape]) -> _T:
        from pydantic import TypeAdapter  # only for shapes used on their own

        adapter = TypeAdapter(owner)
        owner.__pydantic_core_schema__ = adapter.core_schema
        owner.__pydantic_validator__ = adapter.validator  # type: ignore[assignment]  # replaces this descriptor
        owner.__pydantic_serializer__ = adapter.serializer  # type: ignore[assignment]
        owner.__pydantic_complete__ = True
        built: _T = owner.__dict__[self._name]
        return built


class ResponseShape:
    """Base of every nested shape a response can hold. The generated subclasses are frozen, slotted dataclasses:
    one object each where a `BaseModel` is three (instance, `__dict__`, fields-set), which is what the garbage
    collector walks on a large page. They keep `BaseModel`'s methods below, and pydantic validates and dumps them
    through the schema `__get_pydantic_core_schema__` builds (also inside a user's own models).

    No `__slots__` here on purpose: a field the SDK does not know (a newer service) lands in the instance `__dict__`,
    which Python only creates when such a field arrives; `model_extra` reads it and dumps include it.
    """

    __pydantic_fields__: ClassVar[dict[str, FieldInfo]]
    model_fields: ClassVar[dict[str, FieldInfo]]
    """The fields by Python name, as on a `BaseModel` class."""
    __pydantic_core_schema__: ClassVar[core_schema.CoreSchema]
    __pydantic_validator__ = _BuiltOnFirstUse[SchemaValidator]()
    __pydantic_serializer__ = _BuiltOnFirstUse[SchemaSerializer]()
    __pydantic_complete__: ClassVar[bool] = False
    """Whether the shape's own validator is built (`BaseModel`'s flag); responses never need it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Validate the fields, by Python or wire name, into a new shape: `Entitlement(name="Users", max_count=5)`."""
        self.__pydantic_validator__.validate_python(ArgsKwargs(args, kwargs), self_instance=self)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        """The shape's dataclass schema; pydantic makes each field's from its annotation, as for any field."""
        fields = []
        for name, info in cls.__pydantic_fields__.items():
            annotation: Any = info.annotation
            if info.metadata:  # constraints pydantic moved off the annotation into the FieldInfo
                params = (annotation, *info.metadata)
                annotation = Annotated[params]
            schema: core_schema.CoreSchema = handler(annotation)
            if info.default_factory is not None:
                schema = core_schema.with_default_schema(schema, default_factory=info.default_factory)
            elif info.default is not PydanticUndefined:
                schema = core_schema.with_default_schema(schema, default=info.default)
            fields.append(
                core_schema.dataclass_field(
                    name,
                    schema,
                    kw_only=False,
                    validation_alias=info.validation_alias,  # type: ignore[arg-type]  # generated: always a str
                    serialization_alias=info.serialization_alias,
                )
            )
        return core_schema.dataclass_schema(
            cls,
            core_schema.dataclass_args_schema(cls.__name__, fields, collect_init_only=False),
            list(cls.__pydantic_fields__),
            slots=True,
            config=core_schema.CoreConfig(
                title=cls.__name__,
                extra_fields_behavior="allow",
                validate_by_name=True,
                validate_by_alias=True,
                serialize_by_alias=True,
            ),
            ref=f"{cls.__module__}.{cls.__qualname__}:{id(cls)}",
            serialization=core_schema.wrap_serializer_function_ser_schema(_dump_with_extra),
        )

    @classmethod
    def model_validate(cls: type[_SelfShape], obj: Any, *, context: dict[str, Any] | None = None) -> _SelfShape:
        """Validate a mapping (wire or field names) or an instance into this shape."""
        shape: _SelfShape = cls.__pydantic_validator__.validate_python(obj, context=context)
        return shape

    @classmethod
    def model_validate_json(
        cls: type[_SelfShape], data: str | bytes, *, context: dict[str, Any] | None = None
    ) -> _SelfShape:
        """Validate JSON text (wire names) into this shape."""
        shape: _SelfShape = cls.__pydantic_validator__.validate_json(data, context=context)
        return shape

    @property
    def model_extra(self) -> dict[str, Any]:
        """Fields the service sent that this SDK version does not model, by wire name."""
        return dict(vars(self))

    def model_dump(
        self,
        *,
        mode: Literal["python", "json"] = "python",
        include: IncEx | None = None,
        exclude: IncEx | None = None,
        context: dict[str, Any] | None = None,
        by_alias: bool | None = None,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        round_trip: bool = False,
    ) -> dict[str, Any]:
        """The shape as a dict (wire names unless `by_alias=False`), unknown fields included; as `BaseModel`'s."""
        dumped: dict[str, Any] = self.__pydantic_serializer__.to_python(
            self,
            mode=mode,
            include=include,
            exclude=exclude,
            context=context,
            by_alias=by_alias,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            round_trip=round_trip,
        )
        return dumped

    def model_dump_json(
        self,
        *,
        indent: int | None = None,
        include: IncEx | None = None,
        exclude: IncEx | None = None,
        context: dict[str, Any] | None = None,
        by_alias: bool | None = None,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        round_trip: bool = False,
    ) -> str:
        """The shape as JSON text, unknown fields included; as `BaseModel`'s."""
        return self.__pydantic_serializer__.to_json(
            self,
            indent=indent,
            include=include,
            exclude=exclude,
            context=context,
            by_alias=by_alias,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            round_trip=round_trip,
        ).decode()

    def model_copy(self: _SelfShape, *, update: Mapping[str, Any] | None = None) -> _SelfShape:
        """A copy with the fields in `update` (by Python name) replaced; the copy is validated, unknown fields kept."""
        copied = dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]  # a dataclass (response_shape)
        vars(copied).update(vars(self))
        return copied

    # Frozenness, equality, hash and repr are written once here rather than generated for every class by `dataclasses`,
    # which compiles each generated method at import: that was most of a cold start's cost of building the shapes.
    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}; use model_copy(update=...)")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__pydantic_fields__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResponseShape) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.__class__, self._values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__pydantic_fields__)
        return f"{self.__class__.__qualname__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        # copy, deepcopy and pickle: the dataclass default would drop the unknown fields
        fields = {name: getattr(self, name) for name in self.__pydantic_fields__}
        return _rebuild_shape, (type(self), fields, dict(vars(self)))


def _dump_with_extra(shape: ResponseShape, handler: SerializerFunctionWrapHandler) -> Any:
    dumped = handler(shape)
    extra = vars(shape)
    if extra and isinstance(dumped, dict):
        dumped.update(extra)
    return dumped


def _rebuild_shape(cls: type[_SelfShape], fields: dict[str, Any], extra: dict[str, Any]) -> _SelfShape:
    shape = object.__new__(cls)
    for name, value in fields.items():
        object.__setattr__(shape, name, value)
    vars(shape).update(extra)
    return shape


@dataclass(frozen=True, slots=True)
class ResponseMetadata:
    """What the call path learned about one call: request id, HTTP status and attempts made."""

    request_id: str | None = None
    http_status_code: int | None = None
    attempts: int = 1

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        # Only the call path sets it, after validation: an instance check, not a dataclass schema per response model.
        return core_schema.is_instance_schema(cls)


class TopLevelResponse(_Shape):
    """Base of every operation's output model: frozen, tolerant of fields and enum values it does not know."""

    model_config = ConfigDict(extra="allow")

    response_metadata: SkipJsonSchema[ResponseMetadata | None] = Field(default=None, exclude=True, repr=False)
    """Request id, HTTP status and number of attempts; filled by the client, never part of dumps or JSON schemas."""


_ENUM_FIELDS: dict[type, dict[str, type[enum.Enum]]] = {}


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


def _enum_fields(cls: type[BaseModel | ResponseShape]) -> dict[str, type[enum.Enum]]:
    found = _ENUM_FIELDS.get(cls)
    if found is None:
        found = {}
        for name, info in cls.__pydantic_fields__.items():
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
    if isinstance(value, (BaseModel, ResponseShape)):
        extra = value.model_extra
        if extra:
            return f"{path}: unknown field {next(iter(extra))!r}"
        enums = _enum_fields(type(value))
        for name in type(value).__pydantic_fields__:
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
