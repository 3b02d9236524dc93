"""Who is calling, as the transport derived it from the request."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Caller"]


@dataclass(frozen=True, slots=True)
class Caller:
    """The calling account and region (`anonymous`: the request was unsigned; the transport decides if it may be).

    `arn` and `user_id` name an assumed role session (temporary credentials); None for an account's own keys,
    which act as the account root."""

    account: str
    region: str
    anonymous: bool = False
    arn: str | None = None
    user_id: str | None = None
