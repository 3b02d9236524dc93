"""Typed SDK for AWS License Manager managed entitlements, built on boto3."""

import importlib as _importlib
import typing as _typing

from licensemanager_sdk._client import LicenseManager
from licensemanager_sdk._config import ClientConfig, RetryConfig
from licensemanager_sdk._exceptions import (
    ConfigurationError,
    LicenseManagerError,
    PaginationError,
    RequestValidationError,
    ResponseValidationError,
    ServiceError,
    TransportError,
)
from licensemanager_sdk._generated import _errors as _generated_errors
from licensemanager_sdk._generated._errors import *  # noqa: F403
from licensemanager_sdk._version import __version__

if _typing.TYPE_CHECKING:
    from licensemanager_sdk.entitlements import (
        BorrowedLease,
        EntitlementLostError,
        EntitlementNotHeldError,
        Lease,
        TokenVerificationError,
        VerifiedToken,
    )
    from licensemanager_sdk.resources import (
        MARKETPLACE_KEY_FINGERPRINT,
        DistributionReport,
        Grant,
        License,
        Token,
        WaiterError,
        WaitTimeoutError,
        key_fingerprint,
    )

# Names of the high-level layer, imported on first use so that `import licensemanager_sdk` stays as cheap as boto3's.
_LAZY = {
    **dict.fromkeys(
        [
            "BorrowedLease",
            "EntitlementLostError",
            "EntitlementNotHeldError",
            "Lease",
            "TokenVerificationError",
            "VerifiedToken",
        ],
        "licensemanager_sdk.entitlements",
    ),
    **dict.fromkeys(
        [
            "MARKETPLACE_KEY_FINGERPRINT",
            "DistributionReport",
            "Grant",
            "License",
            "Token",
            "WaiterError",
            "WaitTimeoutError",
            "key_fingerprint",
        ],
        "licensemanager_sdk.resources",
    ),
}

__all__ = [
    "MARKETPLACE_KEY_FINGERPRINT",
    "BorrowedLease",
    "ClientConfig",
    "ConfigurationError",
    "DistributionReport",
    "EntitlementLostError",
    "EntitlementNotHeldError",
    "Grant",
    "Lease",
    "License",
    "LicenseManager",
    "LicenseManagerError",
    "PaginationError",
    "RequestValidationError",
    "ResponseValidationError",
    "RetryConfig",
    "ServiceError",
    "Token",
    "TokenVerificationError",
    "TransportError",
    "VerifiedToken",
    "WaitTimeoutError",
    "WaiterError",
    "__version__",
    "key_fingerprint",
]
__all__ += _generated_errors.__all__


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'licensemanager_sdk' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


for _name in __all__:
    _value = globals().get(_name)
    if isinstance(_value, type):
        _value.__module__ = "licensemanager_sdk"  # tracebacks say licensemanager_sdk.ResourceNotFoundError
del _name, _value
