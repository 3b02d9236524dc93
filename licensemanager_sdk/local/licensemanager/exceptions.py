"""License Manager's error rules: only errors modelled for an operation are answered, with their HTTP status."""

from __future__ import annotations

from ..core.faults import NOT_IMPLEMENTED_CODE, SERIALIZATION_CODE, UNKNOWN_OPERATION_CODE, ServiceFault, status_for
from ..core.model import modelled_errors
from ..core.settings import Settings

__all__ = ["SERVICE", "shape_fault"]

SERVICE = "license-manager"
_PROTOCOL_CODES = frozenset({SERIALIZATION_CODE, NOT_IMPLEMENTED_CODE, UNKNOWN_OPERATION_CODE})


def shape_fault(operation: str, fault: ServiceFault, settings: Settings) -> ServiceFault:
    """Keep only errors modelled for the operation (ValidationException, else InvalidParameterValueException,
    otherwise) and set the HTTP status from the code."""
    code = fault.code
    modelled = modelled_errors(SERVICE, operation)
    if code not in modelled and code not in _PROTOCOL_CODES and code != settings.unknown_grant_error:
        code = "ValidationException" if "ValidationException" in modelled else "InvalidParameterValueException"
    return ServiceFault(
        code, fault.message, status=status_for(code, legacy=settings.legacy_status_codes), extra=fault.extra
    )
