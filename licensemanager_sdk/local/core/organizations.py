"""AWS Organizations as the emulator models them (defined with `Engine.set_organization`): the store kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .store import Kind

__all__ = ["ACCOUNT_ID", "ORGANIZATIONS", "ORGANIZATION_ID", "OU_ID", "Organization"]

ACCOUNT_ID = re.compile(r"\d{12}", re.ASCII)
"""An AWS account id (match with `fullmatch`)."""
ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")
"""An organization id, `o-` and 10 to 32 lowercase letters or digits."""
OU_ID = re.compile(r"ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}")
"""An organizational unit id, `ou-<root>-<id>`."""


@dataclass(frozen=True, slots=True)
class Organization:
    """An organisation: its management account, member accounts and OUs (OU id -> accounts)."""

    id: str
    management: str
    accounts: tuple[str, ...]
    ous: dict[str, tuple[str, ...]]
    all_features: bool = True

    def arn(self) -> str:
        """`arn:aws:organizations::<management>:organization/<id>`."""
        return f"arn:aws:organizations::{self.management}:organization/{self.id}"

    def has(self, account: str) -> bool:
        """Whether `account` is the management account or a member."""
        return account == self.management or account in self.accounts

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "management": self.management,
            "accounts": list(self.accounts),
            "ous": {ou: list(members) for ou, members in self.ous.items()},
            "all_features": self.all_features,
        }

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Organization:
        return cls(
            row["id"],
            row["management"],
            tuple(row["accounts"]),
            {ou: tuple(members) for ou, members in row["ous"].items()},
            bool(row["all_features"]),
        )


ORGANIZATIONS: Kind[Organization] = Kind("org", Organization.from_json, Organization.to_json)
