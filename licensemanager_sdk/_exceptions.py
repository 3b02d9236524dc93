"""The error tree. Catch `LicenseManagerError` to catch everything the SDK raises.

```
LicenseManagerError
├── ConfigurationError          bad client options, raised at construction
├── RequestValidationError      the request failed validation before it was sent (also a ValueError); names the field
├── ResponseValidationError     a response did not fit its model
├── TransportError              no answer from the service (connect error, read timeout, reset)
├── PaginationError             the service repeated a NextToken
└── ServiceError                the service answered with an error: .error_code .message .operation .request_id
    │                           .status_code .attempts; botocore's ClientError is __cause__
    ├── RateLimitExceededError, ServerInternalError, ResourceNotFoundError, ConflictError, RedirectError (.location),
    └── ... one class per modelled error code (generated, licensemanager_sdk/_generated/_errors.py)
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "ConfigurationError",
    "LicenseManagerError",
    "PaginationError",
    "RequestValidationError",
    "ResponseValidationError",
    "ServiceError",
    "TransportError",
]


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
