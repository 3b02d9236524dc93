"""Which operations may be called unsigned (the registry in `services.py` says which service speaks which protocol)."""

from __future__ import annotations

import functools

from ..core.model import service_model
from ..services import QUERY_SERVICES
from .wire import LICENSE_MANAGER

__all__ = [
    "ANONYMOUS_OPERATIONS",
    "unsigned_allowed",
]

ANONYMOUS_OPERATIONS: frozenset[tuple[str, str]] = frozenset({(LICENSE_MANAGER, "GetAccessToken")})
"""Called without AWS credentials by AWS's own credential provider: the refresh token is the credential."""


@functools.cache
def _no_auth_operations(service: str) -> frozenset[str]:
    model = service_model(service)
    names = set()
    for name in model.operation_names:
        operation = model.operation_model(name)
        if operation.auth_type == "none" or "smithy.api#noAuth" in (operation.auth or ()):
            names.add(name)
    return frozenset(names)


def unsigned_allowed(service: str, operation: str) -> bool:
    """License Manager GetAccessToken, and the calls of a query service (STS, IAM) its model marks as
    unauthenticated."""
    if (service, operation) in ANONYMOUS_OPERATIONS:
        return True
    return service in QUERY_SERVICES and operation in _no_auth_operations(service)
