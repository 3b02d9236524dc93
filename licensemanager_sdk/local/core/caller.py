"""Who is calling, as the transport derived it from the request."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Caller"]


@dataclass(frozen=True, slots=True)
class Caller:
    """The calling account and region (`anonymous`: the request was unsigned; the transport decides if it may be)."""

    account: str
    region: str
    anonymous: bool = False
