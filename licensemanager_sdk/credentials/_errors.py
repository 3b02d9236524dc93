"""Errors of refresh-token credentials. Each says which check failed and what to do next."""

from __future__ import annotations

from typing import Literal

from licensemanager_sdk._exceptions import LicenseManagerError

__all__ = ["RefreshTokenError", "RefreshTokenReason"]

RefreshTokenReason = Literal[
    "deleted",
    "expired",
    "forged",
    "token_properties",
    "role_missing",
    "role_not_trusted",
    "role_not_in_token",
    "unavailable",
]
"""Why the refresh token could not be turned into AWS credentials."""

_ADVICE: dict[RefreshTokenReason, str] = {
    "deleted": "the refresh token was deleted (DeleteToken). Ask the license holder for a new token (CreateToken).",
    "expired": "the refresh token has expired. Ask the license holder for a new token (CreateToken).",
    "forged": (
        "License Manager does not recognise the refresh token: it is altered, truncated, or was issued by another "
        "environment (a local-service token sent to AWS, or the reverse). Check the token and endpoint_url."
    ),
    "token_properties": (
        "token_properties names properties the refresh token does not carry. Pass only the TokenProperties the "
        "token was created with, or none."
    ),
    "role_missing": "the role does not exist. Check role_arn, or ask the license holder to create the role.",
    "role_not_trusted": (
        "the role does not exist, or its trust policy does not allow Federated "
        "'openid-license-manager.amazonaws.com' sts:AssumeRoleWithWebIdentity for this token (check its conditions "
        "on :amr, :sub, :aud). Check role_arn and the trust policy (docs/software-outside-aws.md)."
    ),
    "role_not_in_token": (
        "the refresh token was created with RoleArns that do not include this role. Use one of the token's roles, "
        "or ask for a token created with this role."
    ),
    "unavailable": "License Manager or STS did not answer usefully. Retry later; the cause is attached.",
}


class RefreshTokenError(LicenseManagerError):
    """A refresh token could not be exchanged for AWS credentials (GetAccessToken, then AssumeRoleWithWebIdentity).

    `reason` says which check failed, `operation` which call refused it and `error_code` the service's code (if any).
    The refresh token itself never appears in the message.
    """

    def __init__(
        self, reason: RefreshTokenReason, *, operation: str, role_arn: str, error_code: str | None = None
    ) -> None:
        self.reason: RefreshTokenReason = reason
        self.operation = operation
        self.role_arn = role_arn
        self.error_code = error_code
        code = f" ({error_code})" if error_code else ""
        super().__init__(
            f"no AWS credentials from the refresh token for role {role_arn}: {operation} refused{code}: "
            f"{_ADVICE[reason]}"
        )
