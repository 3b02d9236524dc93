"""The AWS error answer raised by the emulator engine, and the HTTP status each error code carries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "NOT_IMPLEMENTED_CODE",
    "SERIALIZATION_CODE",
    "UNKNOWN_OPERATION_CODE",
    "ServiceFault",
    "fault",
    "status_for",
]

#: An operation of a service's botocore model that this emulator does not implement (HTTP 400).
NOT_IMPLEMENTED_CODE = "NotImplementedException"
#: A name that is not an operation of the service at all (HTTP 400).
UNKNOWN_OPERATION_CODE = "UnknownOperationException"
#: A request member of the wrong JSON type (HTTP 400), as AWS JSON services answer.
SERIALIZATION_CODE = "SerializationException"

# Smithy `httpError` codes of License Manager's errors (SERVICE.md §11.2); every other code is 400.
_SMITHY_STATUS = {
    "AccessDeniedException": 401,
    "AuthorizationException": 403,
    "ConflictException": 409,
    "RateLimitExceededException": 429,
    "RedirectException": 308,
    "ServerInternalException": 500,
}


def status_for(code: str, *, legacy: bool = False) -> int:
    """HTTP status of a License Manager error code; `legacy` answers 400 for every client error."""
    status = _SMITHY_STATUS.get(code, 400)
    if legacy and status < 500:
        return 400
    return status


class ServiceFault(Exception):
    """An AWS error answer."""

    def __init__(self, code: str, message: str, *, status: int = 400, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra: dict[str, Any] = dict(extra or {})


def fault(code: str, message: str, **extra: Any) -> ServiceFault:
    """A ServiceFault whose HTTP status the engine sets from the code."""
    return ServiceFault(code, message, extra=extra or None)
