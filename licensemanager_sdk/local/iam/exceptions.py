"""IAM's error answers (query protocol): code, HTTP status and message."""

from __future__ import annotations

__all__ = [
    "DeleteConflict",
    "EntityAlreadyExists",
    "IamError",
    "InvalidAction",
    "InvalidInput",
    "MalformedPolicyDocument",
    "NoSuchEntity",
    "ValidationError",
]


class IamError(Exception):
    """An IAM error answer; subclasses fix `code` and `status`."""

    code = "ServiceFailure"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(f"{self.code}: {message}")
        self.message = message


class EntityAlreadyExists(IamError):
    code = "EntityAlreadyExists"
    status = 409


class NoSuchEntity(IamError):
    code = "NoSuchEntity"
    status = 404


class MalformedPolicyDocument(IamError):
    code = "MalformedPolicyDocument"
    status = 400


class DeleteConflict(IamError):
    code = "DeleteConflict"
    status = 409


class ValidationError(IamError):
    code = "ValidationError"
    status = 400


class InvalidInput(IamError):
    code = "InvalidInput"
    status = 400


class InvalidAction(IamError):
    code = "InvalidAction"
    status = 400
