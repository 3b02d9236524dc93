"""The seam between the engine and a service: a responses object with one method per implemented operation.

A method is found by the name botocore gives the operation (`botocore.xform_name("CreateLicense")` ->
`create_license`); it takes the caller and the validated wire parameters and returns the wire body. Which
operations a service implements is which methods it has; the rest of its model answers NotImplementedException.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from botocore import xform_name

from .caller import Caller
from .faults import ServiceFault
from .model import idempotent_operations, operations

__all__ = ["Handler", "OperationTable", "ServiceResponses"]

Handler = Callable[[Caller, dict[str, Any]], dict[str, Any]]


class ServiceResponses:
    """Base of a service's responses: wire parameters -> backend calls -> wire body."""

    #: The botocore service name (`license-manager`, `kms`, `sts`, `iam`, ...).
    service: ClassVar[str]
    #: Whether the engine validates input against the model before calling the method.
    validates_input: ClassVar[bool] = True

    def shape_fault(self, operation: str, fault: ServiceFault) -> ServiceFault:  # noqa: ARG002 (for overrides)
        """The error answered for a fault raised while handling `operation` (as it is, unless overridden)."""
        return fault


@dataclass(frozen=True, slots=True)
class OperationTable:
    """A service's implemented operations and which of them replay by idempotency token, read from its model."""

    responses: ServiceResponses
    handlers: Mapping[str, Handler]
    idempotent: frozenset[str]

    @classmethod
    def of(cls, responses: ServiceResponses) -> OperationTable:
        """The table of `responses`: every model operation whose `xform_name` is one of its methods."""
        handlers: dict[str, Handler] = {}
        for operation in sorted(operations(responses.service)):
            method = getattr(responses, xform_name(operation), None)
            if callable(method):
                handlers[operation] = method
        return cls(responses, handlers, idempotent_operations(responses.service) & handlers.keys())
