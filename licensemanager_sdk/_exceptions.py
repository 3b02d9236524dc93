"""The whole error tree, in one module. Catch `LicenseManagerError` to catch everything the SDK raises.

```
LicenseManagerError
├── ConfigurationError            bad client options, raised at construction
├── RequestValidationError        the request failed validation, nothing was sent (also a ValueError); .field .problems
├── ResponseValidationError       a response did not fit its model
├── TransportError                no answer from the service (connect error, read timeout, reset); .attempts
├── PaginationError               the service repeated a NextToken
├── WaiterError                   a waiter gave up: the status can never become the wanted one; .last_status
│   └── WaitTimeoutError          the waiter's timeout passed first
├── EntitlementLostError          a lease no longer grants its entitlements; .reason (LostReason)
├── EntitlementNotHeldError       lease.check(name) named an entitlement the lease does not hold (also a LookupError)
├── TokenVerificationError        verify() refused a SignedToken; .reason (VerifyReason)
├── RefreshTokenError             a refresh token gave no AWS credentials; .reason (RefreshTokenReason)
└── ServiceError                  the service answered with an error: .error_code .message .operation .request_id
    │                             .status_code .attempts .response; botocore's ClientError is __cause__
    │   one generated subclass per modelled error code (licensemanager_sdk/_generated/_errors.py):
    ├── AccessDeniedError                       AccessDeniedException
    ├── AuthorizationError                      AuthorizationException
    ├── ConflictError                           ConflictException
    ├── EntitlementNotAllowedError              EntitlementNotAllowedException
    ├── FailedDependencyError                   FailedDependencyException (.dependency_error_code)
    ├── FilterLimitExceededError                FilterLimitExceededException
    ├── InvalidParameterValueError              InvalidParameterValueException
    ├── InvalidResourceStateError               InvalidResourceStateException
    ├── LicenseUsageError                       LicenseUsageException
    ├── NoEntitlementsAllowedError              NoEntitlementsAllowedException
    ├── RateLimitExceededError                  RateLimitExceededException
    ├── RedirectError                           RedirectException (.location)
    ├── ResourceLimitExceededError              ResourceLimitExceededException
    ├── ResourceNotFoundError                   ResourceNotFoundException
    ├── ServerInternalError                     ServerInternalException
    ├── ServiceValidationError                  ValidationException
    └── UnsupportedDigitalSignatureMethodError  UnsupportedDigitalSignatureMethodException
```

An error code the model does not declare is a plain `ServiceError` with `.error_code` set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

__all__ = [
    "AccessDeniedError",
    "AuthorizationError",
    "ConfigurationError",
    "ConflictError",
    "EntitlementLostError",
    "EntitlementNotAllowedError",
    "EntitlementNotHeldError",
    "FailedDependencyError",
    "FilterLimitExceededError",
    "InvalidParameterValueError",
    "InvalidResourceStateError",
    "LicenseManagerError",
    "LicenseUsageError",
    "LostReason",
    "NoEntitlementsAllowedError",
    "PaginationError",
    "RateLimitExceededError",
    "RedirectError",
    "RefreshTokenError",
    "RefreshTokenReason",
    "RequestValidationError",
    "ResourceLimitExceededError",
    "ResourceNotFoundError",
    "ResponseValidationError",
    "ServerInternalError",
    "ServiceError",
    "ServiceValidationError",
    "TokenVerificationError",
    "TransportError",
    "UnsupportedDigitalSignatureMethodError",
    "VerifyReason",
    "WaitTimeoutError",
    "WaiterError",
]

LostReason = Literal["extend_refused", "expired", "released"]
"""Why a lease stopped granting its entitlements."""

VerifyReason = Literal[
    "malformed", "algorithm", "key", "signature", "claims", "expired", "not_yet_valid", "license_arn", "node_id"
]
"""Why a signed token was refused."""


class LicenseManagerError(Exception):
    """Root of every error the SDK raises."""


class ConfigurationError(LicenseManagerError):
    """The client was given options it cannot work with."""


class RequestValidationError(LicenseManagerError, ValueError):
    """A request failed validation before anything was sent.

    `field` is the dotted path of the first offending field (`"entitlements[0].unit"`), `problems` every problem found.
    """

    def __init__(self, operation: str, field: str, message: str, problems: tuple[str, ...] = ()) -> None:
        self.operation = operation
        self.field = field
        self.problems = problems or (f"{field}: {message}",)
        detail = "; ".join(self.problems)
        super().__init__(f"{operation}: invalid request, nothing was sent: {detail}")


class ResponseValidationError(LicenseManagerError):
    """A response from the service did not fit its model."""


class PaginationError(LicenseManagerError):
    """Pagination cannot go on (the service repeated a NextToken)."""


class TransportError(LicenseManagerError):
    """The service gave no answer: a connection error, a timeout or a reset."""

    def __init__(self, operation: str, message: str, *, attempts: int = 1) -> None:
        self.operation = operation
        self.attempts = attempts
        super().__init__(f"{operation} got no answer after {_attempts(attempts)}: {message}")


class ServiceError(LicenseManagerError):
    """The service answered with an error. Subclasses are mapped by AWS error code."""

    code: ClassVar[str] = ""
    """The AWS error code a subclass stands for."""

    def __init__(
        self,
        *,
        operation: str,
        error_code: str,
        message: str,
        request_id: str | None = None,
        status_code: int | None = None,
        attempts: int = 1,
        response: Mapping[str, Any] | None = None,
    ) -> None:
        self.operation = operation
        self.error_code = error_code
        self.message = message
        self.request_id = request_id
        self.status_code = status_code
        self.attempts = attempts
        self.response: Mapping[str, Any] = response or {}
        super().__init__()

    def member(self, name: str) -> str | None:
        """An extra member of the error body (`"Location"` of a RedirectException, ...)."""
        value = self.response.get(name, self.response.get("Error", {}).get(name))
        return None if value is None else str(value)

    def __str__(self) -> str:
        request = f", request {self.request_id}" if self.request_id else ""
        return (
            f"{self.operation} failed ({self.error_code}, HTTP {self.status_code}{request}, "
            f"{_attempts(self.attempts)}): {self.message}"
        )


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


class WaiterError(LicenseManagerError):
    """A waiter gave up: the resource is in a status from which the wanted one cannot be reached.

    Attributes:
        resource: the ARN or id waited on.
        wanted: the statuses waited for.
        last_status: the status last seen (None if the service sent none).
        elapsed: seconds spent waiting.
    """

    def __init__(
        self, message: str, *, resource: str, wanted: tuple[str, ...], last_status: str | None, elapsed: float
    ) -> None:
        self.resource = resource
        self.wanted = wanted
        self.last_status = last_status
        self.elapsed = elapsed
        super().__init__(message)


class WaitTimeoutError(WaiterError):
    """The timeout passed before the resource reached the wanted status; `last_status` says where it was."""


class EntitlementLostError(LicenseManagerError):
    """A lease no longer grants its entitlements; the service error that caused it, if any, is `__cause__`.

    `reason`: `"extend_refused"` (the service refused ExtendLicenseConsumption: license deactivated, grant
    disabled, token unknown), `"expired"` (the expiration passed without a successful extension) or `"released"`
    (the application released or checked in the lease).
    """

    def __init__(self, reason: LostReason, license_arn: str | None, detail: str) -> None:
        self.reason: LostReason = reason
        self.license_arn = license_arn
        super().__init__(
            f"the lease on {license_arn or 'the license'} is lost ({reason}): {detail}. "
            "Stop using the licensed feature, or check out again with lm.entitlements.checkout(...)."
        )


class EntitlementNotHeldError(LicenseManagerError, LookupError):
    """`lease.check(name)` named an entitlement the lease does not hold."""

    def __init__(self, names: list[str], held: list[str]) -> None:
        self.names = names
        super().__init__(
            f"entitlement(s) {', '.join(names)} not held by this lease (held: {', '.join(held) or 'none'}); "
            "check them out with lm.entitlements.checkout(entitlements=...)"
        )


class TokenVerificationError(LicenseManagerError):
    """A SignedToken was refused by `verify()`. `reason` names the failed check (see `VerifyReason`)."""

    def __init__(self, reason: VerifyReason, message: str) -> None:
        self.reason: VerifyReason = reason
        super().__init__(f"signed token refused ({reason}): {message}")


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


# The generated classes subclass ServiceError above, so they are imported (and re-exported) after it.
from licensemanager_sdk._generated._errors import (  # noqa: E402
    AccessDeniedError,
    AuthorizationError,
    ConflictError,
    EntitlementNotAllowedError,
    FailedDependencyError,
    FilterLimitExceededError,
    InvalidParameterValueError,
    InvalidResourceStateError,
    LicenseUsageError,
    NoEntitlementsAllowedError,
    RateLimitExceededError,
    RedirectError,
    ResourceLimitExceededError,
    ResourceNotFoundError,
    ServerInternalError,
    ServiceValidationError,
    UnsupportedDigitalSignatureMethodError,
)
