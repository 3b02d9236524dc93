"""TagResource, UntagResource, ListTagsForResource on license and grant ARNs."""

from __future__ import annotations

from typing import Any

from ..core.caller import Caller
from ..core.faults import fault
from .backend import TAGS, Backend

__all__ = ["list_tags_for_resource", "tag_resource", "untag_resource"]


def _owned(b: Backend, caller: Caller, arn: str) -> list[dict[str, str]]:
    """Current tags of a license or grant the caller owns (issuer / grantor)."""
    resource = b.license(arn) or b.grant(arn)
    if resource is None:
        raise fault("InvalidParameterValueException", f"Resource {arn} does not exist.")
    if resource["account"] != caller.account:
        raise fault("AccessDeniedException", f"Account {caller.account} does not own {arn}.")
    doc = b.store.get(TAGS, arn)
    return [] if doc is None else list(doc["tags"])


def tag_resource(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """Add or overwrite tags."""
    tags = {t["Key"]: t["Value"] for t in _owned(b, caller, p["ResourceArn"])}
    for tag in p["Tags"]:
        if tag.get("Key") is None:
            raise fault("ValidationException", "Tag Key must not be null.")
        tags[tag["Key"]] = tag.get("Value", "")
    b.store.put(TAGS, p["ResourceArn"], {"tags": [{"Key": k, "Value": v} for k, v in tags.items()]})
    return {}


def untag_resource(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """Remove tags by key (unknown keys are ignored)."""
    drop = set(p["TagKeys"])
    kept = [t for t in _owned(b, caller, p["ResourceArn"]) if t["Key"] not in drop]
    b.store.put(TAGS, p["ResourceArn"], {"tags": kept})
    return {}


def list_tags_for_resource(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """The resource's tags."""
    return {"Tags": [dict(t) for t in _owned(b, caller, p["ResourceArn"])]}
