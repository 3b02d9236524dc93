"""Read botocore's License Manager model and overrides.toml into the facts the renderers need."""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore
import botocore.session
import tomllib
from botocore import xform_name

SERVICE = "license-manager"
OVERRIDES_PATH = Path(__file__).with_name("overrides.toml")

# Names a generated field may not take: they shadow pydantic's BaseModel API or our own bases.
_RESERVED_FIELDS = {
    "copy",
    "dict",
    "json",
    "schema",
    "schema_json",
    "construct",
    "validate",
    "fields",
    "parse_obj",
    "parse_raw",
    "parse_file",
    "from_orm",
    "update_forward_refs",
    "to_wire",
    "response_metadata",
}
_ISO_SHAPES = {"ISO8601DateTime"}


@dataclass(frozen=True)
class Member:
    wire: str
    name: str
    shape: str
    required: bool
    doc: str


@dataclass(frozen=True)
class Structure:
    shape: str
    cls: str
    kind: str  # "request" | "response" | "input" | "shape"
    members: tuple[Member, ...]
    doc: str
    numeric: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()

    @property
    def strict(self) -> bool:
        return self.kind in ("request", "input")


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    input: str | None
    output: str | None
    doc: str
    idempotency_member: str | None
    safe_to_retry: bool
    result_key: str | None
    errors: tuple[str, ...]


@dataclass(frozen=True)
class ErrorShape:
    shape: str
    cls: str
    doc: str
    members: tuple[tuple[str, str], ...]  # (wire, attribute) beyond Message
    status: int | None
    fault: bool


@dataclass
class ServiceFacts:
    botocore_version: str
    api_version: str
    model_sha256: str
    overrides_sha256: str
    shapes: dict[str, dict[str, Any]]
    structures: dict[str, Structure] = field(default_factory=dict)
    enums: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    enum_docs: dict[str, str] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)
    errors: list[ErrorShape] = field(default_factory=list)


def plain_text(doc: str, limit: int = 400) -> str:
    """The first paragraph of an HTML doc string, as one line of plain text."""
    first = re.split(r"</p>|<br\s*/?>|\n\s*\n", doc, maxsplit=1)[0]
    text = html.unescape(re.sub(r"<[^>]+>", "", first))
    text = re.sub(r"\s+", " ", text).strip().replace('"""', "'''").replace("\\", "\\\\")
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0]
        text = cut.rstrip(" ,;:") + " ..."
    return text


def enum_member_name(value: str, overrides: dict[str, str]) -> str:
    if value in overrides:
        return overrides[value]
    name = xform_name(value.replace("/", "_per_").replace("-", "_").replace(" ", "_")).upper()
    name = re.sub(r"[^A-Z0-9_]", "_", name)
    name = re.sub(r"_+", "_", name).strip("_")
    return name if not name[0].isdigit() else "V_" + name


def _closure(shapes: dict[str, dict[str, Any]], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        if shape["type"] == "structure":
            stack.extend(m["shape"] for m in shape.get("members", {}).values())
        elif shape["type"] == "list":
            stack.append(shape["member"]["shape"])
        elif shape["type"] == "map":
            stack.extend([shape["key"]["shape"], shape["value"]["shape"]])
    return seen


def load() -> ServiceFacts:
    loader = botocore.session.get_session().get_component("data_loader")
    raw = loader.load_service_model(SERVICE, "service-2")
    overrides_bytes = OVERRIDES_PATH.read_bytes()
    overrides = tomllib.loads(overrides_bytes.decode())
    shapes: dict[str, dict[str, Any]] = raw["shapes"]
    facts = ServiceFacts(
        botocore_version=botocore.__version__,
        api_version=raw["metadata"]["apiVersion"],
        model_sha256=hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest(),
        overrides_sha256=hashlib.sha256(overrides_bytes).hexdigest(),
        shapes=shapes,
    )
    renames: dict[str, str] = overrides["renames"]
    op_inputs = {op["input"]["shape"] for op in raw["operations"].values() if "input" in op}
    op_outputs = {op["output"]["shape"] for op in raw["operations"].values() if "output" in op}
    if op_inputs & op_outputs:
        raise SystemExit(f"codegen: shapes used as both input and output: {sorted(op_inputs & op_outputs)}")
    input_side = _closure(shapes, sorted(op_inputs))
    output_side = _closure(shapes, sorted(op_outputs))

    for name, shape in sorted(shapes.items()):
        if shape["type"] == "string" and "enum" in shape:
            members = tuple((enum_member_name(v, overrides["enum_members"]), v) for v in shape["enum"])
            names = [m for m, _ in members]
            if len(set(names)) != len(names):
                raise SystemExit(f"codegen: enum {name} has colliding member names {names}")
            facts.enums[name] = members
            facts.enum_docs[name] = plain_text(shape.get("documentation", ""))
        if shape["type"] != "structure" or shape.get("exception"):
            continue  # error shapes become ServiceError subclasses (below), not models
        if name in op_inputs:
            kind = "request"
        elif name in op_outputs:
            kind = "response"
        elif name in input_side and name not in output_side:
            kind = "input"
        else:
            kind = "shape"
        required = set(shape.get("required", []))
        members = []
        for wire, ref in shape.get("members", {}).items():
            attr = xform_name(wire)
            if attr in _RESERVED_FIELDS or attr.startswith("model_") or not attr.isidentifier():
                raise SystemExit(f"codegen: {name}.{wire} would be named {attr!r}, which is reserved; add a rename")
            members.append(Member(wire, attr, ref["shape"], wire in required, plain_text(ref.get("documentation", ""))))
        attrs = [m.name for m in members]
        if len(set(attrs)) != len(attrs):
            raise SystemExit(f"codegen: {name} has colliding field names {attrs}")
        cls = renames.get(name, name)
        facts.structures[name] = Structure(
            shape=name,
            cls=cls,
            kind=kind,
            members=tuple(members),
            doc=plain_text(shape.get("documentation", "")) or f"The `{name}` shape.",
            numeric=tuple(overrides["numeric_strings"].get(name, [])),
            secrets=tuple(overrides["secrets"].get(name, [])),
        )
        for wire in facts.structures[name].numeric + facts.structures[name].secrets:
            if wire not in shape.get("members", {}):
                raise SystemExit(f"codegen: overrides name {name}.{wire}, which the model does not have")

    pagination: dict[str, str] = overrides["pagination"]
    safe: dict[str, str] = overrides["safe_to_retry"]
    inferred: set[str] = set()
    for name, op in sorted(raw["operations"].items()):
        in_members = shapes[op["input"]["shape"]].get("members", {}) if "input" in op else {}
        out_members = shapes[op["output"]["shape"]].get("members", {}) if "output" in op else {}
        result_key = None
        if "NextToken" in in_members and "NextToken" in out_members:
            lists = [k for k, v in out_members.items() if shapes[v["shape"]]["type"] == "list"]
            if len(lists) != 1 or pagination.get(name) != lists[0]:
                raise SystemExit(f"codegen: pagination of {name} inferred as {lists}; confirm it in overrides.toml")
            result_key = lists[0]
            inferred.add(name)
        idempotency = "ClientToken" if "ClientToken" in in_members else None
        reads = name.startswith(("Get", "List"))
        facts.operations.append(
            Operation(
                name=name,
                method=xform_name(name),
                input=op["input"]["shape"] if "input" in op else None,
                output=op["output"]["shape"] if "output" in op else None,
                doc=plain_text(op.get("documentation", "")),
                idempotency_member=idempotency,
                safe_to_retry=reads or name in safe,
                result_key=result_key,
                errors=tuple(e["shape"] for e in op.get("errors", [])),
            )
        )
    if set(pagination) != inferred:
        raise SystemExit(
            f"codegen: overrides [pagination] disagrees with the model: {sorted(set(pagination) ^ inferred)}"
        )
    unknown_safe = set(safe) - set(raw["operations"])
    if unknown_safe:
        raise SystemExit(f"codegen: [safe_to_retry] names unknown operations {sorted(unknown_safe)}")

    error_names: dict[str, str] = overrides["errors"]
    error_members: dict[str, str] = overrides.get("error_members", {})
    for name, shape in sorted(shapes.items()):
        if not shape.get("exception"):
            continue
        cls = error_names.get(name, re.sub(r"Exception$", "", name) + "Error")
        extra = tuple(
            (wire, error_members.get(f"{name}.{wire}", xform_name(wire)))
            for wire in shape.get("members", {})
            if wire != "Message"
        )
        facts.errors.append(
            ErrorShape(
                shape=name,
                cls=cls,
                doc=plain_text(shape.get("documentation", "")),
                members=extra,
                status=shape.get("error", {}).get("httpStatusCode"),
                fault=bool(shape.get("fault")),
            )
        )
    return facts
