"""In-memory secondary indexes of License Manager's stored objects, for lookups and keyset pagination.

A `PositionIndex` maps a group (an issuer account, a principal, a license, ...) to the keys of its members in
store position order (creation order, `Store.position`), so that a List* page starts with a binary search after
the last position the previous page returned instead of walking everything before it. Indexes are derived from
the store (built at start and on reset); an entry whose value was rolled back is skipped by the reader, which
finds no stored value under its key.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

from .formats import parse_principal

__all__ = ["PositionIndex", "Principal", "principal_key"]

G = TypeVar("G", bound=Hashable)

#: A grantee principal as `parse_principal` reads it: ("account", id, None), ("organization", org-id, None),
#: ("ou", org-id, ou-id); an ARN of no known form stays itself: ("arn", arn, None).
Principal = tuple[str, str, "str | None"]


def principal_key(arn: str) -> Principal:
    """The index group of a grantee principal ARN."""
    return parse_principal(arn) or ("arn", arn, None)


class _Group:
    __slots__ = ("keys", "members", "positions")

    def __init__(self) -> None:
        self.positions: list[int] = []
        self.keys: list[str] = []
        self.members: set[str] = set()


class PositionIndex(Generic[G]):
    """Keys grouped by a value that never changes, each group sorted by store position (a key is held once)."""

    __slots__ = ("_groups",)

    def __init__(self) -> None:
        self._groups: dict[G, _Group] = {}

    def add(self, group: G, position: int, key: str) -> None:
        """Index `key` (stored at `position`) under `group`; no-op when already there."""
        entry = self._groups.get(group)
        if entry is None:
            entry = self._groups[group] = _Group()
        if key in entry.members:
            return
        entry.members.add(key)
        positions = entry.positions
        if not positions or position > positions[-1]:
            positions.append(position)
            entry.keys.append(key)
        else:  # an older value joins the group (a grant on an old license): keep the order
            at = bisect_right(positions, position)
            positions.insert(at, position)
            entry.keys.insert(at, key)

    def after(self, group: G, position: int = 0) -> Iterator[tuple[int, str]]:
        """(position, key) of the group's members stored after `position`, oldest first."""
        entry = self._groups.get(group)
        if entry is None:
            return
        positions, keys = entry.positions, entry.keys
        at = bisect_right(positions, position)
        while at < len(positions):
            yield positions[at], keys[at]
            at += 1

    def size(self, group: G) -> int:
        """Number of keys in a group (rolled-back ones included)."""
        entry = self._groups.get(group)
        return 0 if entry is None else len(entry.keys)

    def __contains__(self, group: object) -> bool:
        return group in self._groups
