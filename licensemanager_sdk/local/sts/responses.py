"""STS's wire answers (the transport renders them as XML): GetCallerIdentity and AssumeRoleWithWebIdentity."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..core.caller import Caller
from ..core.faults import ServiceFault
from ..core.responses import ServiceResponses
from .backend import Sts
from .web_identity import StsError

__all__ = ["StsResponses"]


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not value:
        member = name[0].lower() + name[1:]
        raise ServiceFault(
            "ValidationError",
            f"1 validation error detected: Value null at '{member}' failed to satisfy constraint: "
            "Member must not be null",
        )
    return str(value)


def _duration(params: dict[str, Any]) -> int | None:
    raw = params.get("DurationSeconds")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ServiceFault("ValidationError", f"DurationSeconds {raw!r} is not a whole number of seconds.") from None


class StsResponses(ServiceResponses):
    """Callers are their account's root user, or the role session their temporary credentials belong to."""

    service = "sts"
    validates_input = False  # query parameters arrive as flat strings; the methods check what they read

    def __init__(self, sts: Sts) -> None:
        self._sts = sts

    def get_caller_identity(self, caller: Caller, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            "UserId": caller.user_id or caller.account,
            "Account": caller.account,
            "Arn": caller.arn or f"arn:aws:iam::{caller.account}:root",
        }

    def assume_role_with_web_identity(self, _caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        try:
            result = self._sts.assume_role_with_web_identity(
                role_arn=_required(params, "RoleArn"),
                session_name=_required(params, "RoleSessionName"),
                web_identity_token=_required(params, "WebIdentityToken"),
                duration_seconds=_duration(params),
            )
        except StsError as error:
            raise ServiceFault(error.code, error.message, status=error.status) from None
        expiration = datetime.fromtimestamp(result["Credentials"]["Expiration"], tz=timezone.utc)
        result["Credentials"]["Expiration"] = expiration.strftime("%Y-%m-%dT%H:%M:%SZ")
        return result
