"""Tags of licenses and grants on typed state: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..core.caller import Caller
from ..core.faults import fault
from .backend import Backend
from .models import TAGS, ResourceTags, Tag

__all__ = ["resource_tags", "tag_resource", "untag_resource"]


def resource_tags(b: Backend, caller: Caller, arn: str) -> tuple[Tag, ...]:
    """Current tags of a license or grant the caller owns (issuer / grantor)."""
    resource = b.license(arn) or b.grant(arn)
    if resource is None:
        raise fault("InvalidParameterValueException", f"Resource {arn} does not exist.")
    if resource.account != caller.account:
        raise fault("AccessDeniedException", f"Account {caller.account} does not own {arn}.")
    held = b.store.get(TAGS, arn)
    return () if held is None else held.tags


def tag_resource(b: Backend, caller: Caller, arn: str, tags: Sequence[tuple[str | None, str]]) -> None:
    """Add or overwrite tags ((key, value) pairs; a missing key is refused)."""
    merged = {t.key: t.value for t in resource_tags(b, caller, arn)}
    for key, value in tags:
        if key is None:
            raise fault("ValidationException", "Tag Key must not be null.")
        merged[key] = value
    b.store.put(TAGS, arn, ResourceTags(tuple(Tag(k, v) for k, v in merged.items())))


def untag_resource(b: Backend, caller: Caller, arn: str, keys: Iterable[str]) -> None:
    """Remove tags by key (unknown keys are ignored)."""
    drop = set(keys)
    kept = tuple(t for t in resource_tags(b, caller, arn) if t.key not in drop)
    b.store.put(TAGS, arn, ResourceTags(kept))
