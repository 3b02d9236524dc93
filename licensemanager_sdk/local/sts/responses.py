"""STS GetCallerIdentity for the emulated accounts (the transport renders the XML)."""

from __future__ import annotations

from typing import Any

from ..core.faults import ServiceFault

__all__ = ["STS_OPERATIONS", "handle_sts"]

STS_OPERATIONS = frozenset({"GetCallerIdentity"})


def handle_sts(operation: str, account: str) -> dict[str, Any]:
    """Answer an STS operation for the calling account (treated as its root user)."""
    if operation != "GetCallerIdentity":
        raise ServiceFault("NotImplementedException", f"The local emulator does not implement sts {operation}.")
    return {"UserId": account, "Account": account, "Arn": f"arn:aws:iam::{account}:root"}
