"""Request bodies for any operation, generated from botocore's input shapes: valid-ish and broken."""

from __future__ import annotations

import base64
import json
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape
from hypothesis import strategies as st

__all__ = ["body_for", "junk"]

_HUGE = st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**30, 1e308, -1e308, 2.0, 0.5, -1])
_TEXT = st.text(max_size=40) | st.sampled_from(["", " ", "\u0661\u0660", "\uff15", "1_0", "+5", "\ud800x", "a" * 3000])

junk: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | _HUGE | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _value(shape: Shape, depth: int) -> st.SearchStrategy[Any]:
    if depth > 5:
        return st.none()
    if isinstance(shape, StructureShape):
        return _structure(shape, depth)
    if isinstance(shape, ListShape):
        return st.lists(_value(shape.member, depth + 1), max_size=3)
    if isinstance(shape, MapShape):
        return st.dictionaries(st.text(max_size=10), _value(shape.value, depth + 1), max_size=3)
    kind = shape.type_name
    if kind in ("integer", "long"):
        return st.integers(min_value=-5, max_value=200) | _HUGE
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.binary(max_size=32).map(lambda b: base64.b64encode(b).decode()) | _TEXT
    if kind == "timestamp":
        return st.integers(min_value=-(10**12), max_value=10**12) | _TEXT
    enum = shape.metadata.get("enum")
    if enum:
        return st.sampled_from(enum) | _TEXT
    dates = ["2024-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
    return _TEXT | st.sampled_from(["arn:aws:license-manager::111122223333:license:l-" + "0" * 32, *dates])


def _structure(shape: StructureShape, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    members = {name: _value(sub, depth + 1) | junk for name, sub in shape.members.items()}
    required = [name for name in shape.required_members if name in members]
    optional = {name: strategy for name, strategy in members.items() if name not in required}
    return st.fixed_dictionaries({name: members[name] for name in required}, optional=optional) | st.dictionaries(
        st.sampled_from(list(members) or ["X"]), junk, max_size=4
    )


def body_for(shape: StructureShape | None) -> st.SearchStrategy[bytes]:
    """A JSON body for the input shape: mostly shaped, sometimes junk, deep nesting or not JSON at all."""
    shaped = (_structure(shape, 0) if shape is not None else st.just({})).map(
        lambda value: json.dumps(value).encode("utf-8", "surrogatepass")
    )
    deep = st.integers(min_value=60, max_value=5000).map(lambda n: b'{"A":' + b"[" * n + b"]" * n + b"}")
    broken = st.binary(max_size=64) | st.sampled_from([b"{", b"[]", b'"x"', b"null", b'{"MaxResults": 1e999}'])
    return st.one_of(shaped, shaped, deep, broken, junk.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")))
