"""Sample wire values for a shape, for the generated smoke tests (valid for botocore, not for the real service)."""

from __future__ import annotations

from typing import Any

from codegen.model import _ISO_SHAPES, ServiceFacts


def sample_value(facts: ServiceFacts, shape_name: str, *, required_only: bool, path: tuple[str, ...] = ()) -> Any:
    shape = facts.shapes[shape_name]
    kind = shape["type"]
    if kind == "string":
        if "enum" in shape:
            return shape["enum"][0]
        if shape_name in _ISO_SHAPES:
            return "2024-01-02T03:04:05Z"
        text = (
            "arn:aws:license-manager::123456789012:license:l-0123456789abcdef0123456789abcdef"
            if "Arn" in shape_name
            else "sample"
        )
        low, high = shape.get("min", 0), shape.get("max", 1 << 20)
        text = text.ljust(low, "x")
        return text[:high]
    if kind in ("integer", "long"):
        return max(shape.get("min", 1), 1) if shape.get("max", 1) >= 1 else shape["max"]
    if kind == "boolean":
        return True
    if kind in ("double", "float"):
        return 1.5
    if kind == "timestamp":
        return 1700000000
    if kind == "list":
        count = max(shape.get("min", 1), 1)
        return [
            sample_value(facts, shape["member"]["shape"], required_only=required_only, path=path) for _ in range(count)
        ]
    if kind == "map":
        return {"key": sample_value(facts, shape["value"]["shape"], required_only=required_only, path=path)}
    if kind == "structure":
        if shape_name in path:
            return {}
        required = set(shape.get("required", []))
        return {
            wire: sample_value(facts, ref["shape"], required_only=required_only, path=(*path, shape_name))
            for wire, ref in shape.get("members", {}).items()
            if wire in required or not required_only
        }
    raise SystemExit(f"codegen: no sample for {shape_name} ({kind})")
