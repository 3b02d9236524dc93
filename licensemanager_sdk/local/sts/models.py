"""STS state: the temporary credentials AssumeRoleWithWebIdentity issued, and the key that makes their session
tokens tamper-evident, as store kinds (they survive a restart with `--state`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..core.store import Kind

__all__ = ["SESSIONS", "SESSION_KEY", "TemporaryCredentials"]


@dataclass(frozen=True, slots=True)
class TemporaryCredentials:
    """One issued role session; `secret_access_key` and `session_token` are secrets (kept out of repr)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: float
    account: str
    role_arn: str
    assumed_role_arn: str
    assumed_role_id: str


def _load(data: dict[str, Any]) -> TemporaryCredentials:
    return TemporaryCredentials(**data)


#: Issued credentials by access key id (`ASIA...`).
SESSIONS: Kind[TemporaryCredentials] = Kind("sts-sessions", _load, dataclasses.asdict)
#: The HMAC key of session tokens (one value, under the key "session-key").
SESSION_KEY: Kind[str] = Kind("sts-key", str, str)
