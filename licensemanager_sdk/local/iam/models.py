"""IAM state as typed dataclasses, serialisable to JSON (`to_json` / `from_json`), one `IamState` per account in
the store kind `ACCOUNTS` (so it survives a restart with `--state`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..core.store import Kind

__all__ = ["ACCOUNTS", "AWS_MANAGED_POLICY_PREFIX", "IamState", "ManagedPolicy", "Role"]

#: AWS managed policies live under this ARN prefix; they can be attached without being created.
AWS_MANAGED_POLICY_PREFIX = "arn:aws:iam::aws:policy/"


@dataclass
class Role:
    name: str
    path: str
    arn: str
    role_id: str
    create_date: float
    assume_role_policy_document: str
    max_session_duration: int = 3600
    description: str | None = None
    attached_policy_arns: list[str] = field(default_factory=list)


@dataclass
class ManagedPolicy:
    name: str
    path: str
    arn: str
    policy_id: str
    document: str
    create_date: float
    default_version_id: str = "v1"
    attachment_count: int = 0
    description: str | None = None


@dataclass
class IamState:
    """One account's roles and customer managed policies, keyed by name and by ARN."""

    roles: dict[str, Role] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IamState:
        return cls(
            roles={k: Role(**v) for k, v in data.get("roles", {}).items()},
            policies={k: ManagedPolicy(**v) for k, v in data.get("policies", {}).items()},
        )


#: One `IamState` per account id. A stored state is never changed in place: a call works on a copy and puts it.
ACCOUNTS: Kind[IamState] = Kind("iam", IamState.from_json, IamState.to_json)
