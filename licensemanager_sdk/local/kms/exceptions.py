"""KMS errors with the HTTP status KMS answers them with."""

from __future__ import annotations

from ..core.faults import ServiceFault

__all__ = ["kms_fault"]

_STATUS = {"KMSInternalException": 500, "DryRunOperationException": 412}


def kms_fault(code: str, message: str) -> ServiceFault:
    """A KMS error answer (400 unless KMS answers the code otherwise)."""
    return ServiceFault(code, message, status=_STATUS.get(code, 400))
