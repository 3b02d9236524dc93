"""STS's wire answers (the transport renders them as XML)."""

from __future__ import annotations

from typing import Any

from ..core.caller import Caller
from ..core.responses import ServiceResponses

__all__ = ["StsResponses"]


class StsResponses(ServiceResponses):
    """GetCallerIdentity for the emulated accounts (each caller is its account's root user)."""

    service = "sts"
    validates_input = False

    def get_caller_identity(self, caller: Caller, _params: dict[str, Any]) -> dict[str, Any]:
        return {"UserId": caller.account, "Account": caller.account, "Arn": f"arn:aws:iam::{caller.account}:root"}
