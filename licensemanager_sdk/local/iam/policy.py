"""Trust-policy evaluation: may a federated principal perform an action, given the request's condition keys?

Statements: `Effect` Allow/Deny (an applicable Deny wins), `Principal` `"*"` or `{"Federated": str | list, ...}`,
`Action` str/list with `*`/`?` wildcards. Conditions: `String(Not)Equals`, `String(Not)EqualsIgnoreCase`,
`String(Not)Like`, with `ForAnyValue:`/`ForAllValues:` and `...IfExists`; several values of one key are OR-ed, several
keys and operators AND-ed; keys and actions are case-insensitive, as IAM does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

__all__ = ["ConditionContext", "allows"]

ConditionContext = Mapping[str, "str | Sequence[str]"]
"""Condition keys of the request (`openid-license-manager.amazonaws.com:amr` -> list, `:sub`, `:aud` -> str)."""


def allows(document: str | Mapping[str, Any], *, federated: str, action: str, context: ConditionContext) -> bool:
    """Whether the policy allows `action` to the principal `{"Federated": federated}` under `context`."""
    parsed = json.loads(document) if isinstance(document, str) else document
    statements = parsed.get("Statement", []) if isinstance(parsed, Mapping) else []
    if isinstance(statements, Mapping):
        statements = [statements]
    keys = {key.lower(): [value] if isinstance(value, str) else list(value) for key, value in context.items()}
    allowed = False
    for statement in statements:
        if not isinstance(statement, Mapping) or not _applies(statement, federated, action, keys):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _applies(statement: Mapping[str, Any], federated: str, action: str, keys: dict[str, list[str]]) -> bool:
    return (
        _principal_matches(statement.get("Principal"), federated)
        and any(_like(str(pattern).lower(), action.lower()) for pattern in _as_list(statement.get("Action", [])))
        and _conditions_hold(statement.get("Condition", {}), keys)
    )


def _principal_matches(principal: Any, federated: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    return any(value in ("*", federated) for value in _as_list(principal.get("Federated", [])))


def _conditions_hold(conditions: Any, keys: dict[str, list[str]]) -> bool:
    if not isinstance(conditions, Mapping):
        return False
    return all(
        isinstance(block, Mapping)
        and all(_holds(operator, key.lower(), _as_list(want), keys) for key, want in block.items())
        for operator, block in conditions.items()
    )


def _holds(operator: str, key: str, wanted: list[Any], keys: dict[str, list[str]]) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    negated = "Not" in base
    match = _MATCHERS.get(base.replace("Not", ""))
    if match is None or qualifier not in ("", "ForAnyValue", "ForAllValues"):
        return False  # an operator this emulator does not know never holds (fail closed)
    patterns = [str(w) for w in wanted]
    values = keys.get(key)
    if qualifier == "ForAllValues":
        return not values or all(any(match(p, v) for p in patterns) != negated for v in values)
    if values is None:
        return if_exists or (negated and qualifier == "")
    if qualifier == "ForAnyValue":
        return any(any(match(p, v) for p in patterns) != negated for v in values)
    hit = any(match(p, v) for p in patterns for v in values)
    return hit != negated


@lru_cache(maxsize=256)
def _glob(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), flags | re.S)


def _like(pattern: str, value: str) -> bool:
    return _glob(pattern, 0).fullmatch(value) is not None


_MATCHERS = {
    "StringEquals": lambda pattern, value: pattern == value,
    "StringEqualsIgnoreCase": lambda pattern, value: pattern.lower() == value.lower(),
    "StringLike": _like,
}
