"""Which requests the transports route where: JSON target prefixes, and the operations that may be unsigned."""

from __future__ import annotations

import functools

from ..core.model import service_model
from .wire import LICENSE_MANAGER, STS

__all__ = [
    "ANONYMOUS_OPERATIONS",
    "KMS_TARGET_PREFIX",
    "LICENSE_MANAGER_TARGET_PREFIX",
    "unsigned_allowed",
]

LICENSE_MANAGER_TARGET_PREFIX = "AWSLicenseManager"
KMS_TARGET_PREFIX = "TrentService"

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
    """License Manager GetAccessToken, and the STS calls the model marks as unauthenticated."""
    if (service, operation) in ANONYMOUS_OPERATIONS:
        return True
    return service == STS and operation in _no_auth_operations(STS)
