"""Secret values (refresh, access and consumption tokens) kept out of every message the SDK raises or logs."""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["REDACTED", "SECRET_MEMBERS", "redact", "secret_members", "secret_values"]

REDACTED = "<redacted>"
"""What a secret value is replaced with."""

SECRET_MEMBERS = frozenset({"LicenseConsumptionToken"})
"""Wire members that hold secrets though their models type them `str`; `SecretToken` fields are found by type."""

_members: dict[type, Mapping[str, str]] = {}


def secret_members(model: type | None) -> Mapping[str, str]:
    """Wire name -> field name of the secret members of a request model (computed once per model)."""
    if model is None:
        return {}
    found = _members.get(model)
    if found is None:
        fields: Mapping[str, Any] = getattr(model, "model_fields", {})
        found = {
            info.serialization_alias or name: name
            for name, info in fields.items()
            if info.serialization_alias in SECRET_MEMBERS or _is_secret_type(info.annotation)
        }
        _members[model] = found
    return found


def secret_values(params: Mapping[str, Any], members: Iterable[str]) -> tuple[str, ...]:
    """The secret values of a wire request."""
    return tuple(str(params[m]) for m in members if params.get(m))


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with each secret replaced, as given, stripped, or escaped the way `repr`, `ascii` and JSON show it."""
    forms: set[str] = set()
    for secret in secrets:
        forms.update((secret, secret.strip(), repr(secret)[1:-1], ascii(secret)[1:-1], json.dumps(secret)[1:-1]))
    for form in sorted(filter(None, forms), key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text


def _is_secret_type(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_secret_type(typing.get_args(annotation)[0])
    if typing.get_args(annotation):
        return any(_is_secret_type(arg) for arg in typing.get_args(annotation))
    return isinstance(annotation, type) and hasattr(annotation, "get_secret_value")
