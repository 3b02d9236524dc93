"""What botocore's installed service models say: operations, input shapes, idempotency tokens, modelled errors.

Read once per service and cached; the operation tables of the local services are derived from here, never
written out by hand.
"""

from __future__ import annotations

import functools

import botocore.session
from botocore.model import OperationModel, ServiceModel

__all__ = ["idempotent_operations", "modelled_errors", "operation_model", "operations", "service_model"]

#: The member License Manager's model uses as idempotency token (its model carries no `idempotencyToken` trait).
CLIENT_TOKEN = "ClientToken"


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def service_model(service: str) -> ServiceModel:
    """botocore's model of a service (`license-manager`, `kms`, `sts`, ...)."""
    return _session().get_service_model(service)


@functools.cache
def operation_model(service: str, operation: str) -> OperationModel | None:
    """The operation's model, or None when the service has no such operation."""
    model = service_model(service)
    if operation not in model.operation_names:
        return None
    return model.operation_model(operation)


@functools.cache
def operations(service: str) -> frozenset[str]:
    """Every operation name of `service` in botocore's model."""
    return frozenset(service_model(service).operation_names)


@functools.cache
def idempotent_operations(service: str) -> frozenset[str]:
    """Operations whose input has an idempotency token: a member with the `idempotencyToken` trait, or one
    named ClientToken."""
    found = set()
    for name in operations(service):
        shape = service_model(service).operation_model(name).input_shape
        members = shape.members if shape is not None else {}
        if any(m == CLIENT_TOKEN or s.metadata.get("idempotencyToken") for m, s in members.items()):
            found.add(name)
    return frozenset(found)


@functools.cache
def modelled_errors(service: str, operation: str) -> frozenset[str]:
    """The error codes the model lists for an operation (empty when it is no operation of the service)."""
    op = operation_model(service, operation)
    return frozenset(e.name for e in op.error_shapes) if op is not None else frozenset()
