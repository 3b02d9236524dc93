"""`WireEnum`, the base of every generated enum."""

from __future__ import annotations

import enum

__all__ = ["WireEnum"]


class WireEnum(str, enum.Enum):
    """A `str` enum whose `str()` and f-string form is the wire value (`"ACTIVE"`, not `"GrantStatus.ACTIVE"`)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)
