"""Typed SDK for AWS License Manager managed entitlements, built on boto3."""

import importlib as _importlib
import typing as _typing

from licensemanager_sdk._client import LicenseManager
from licensemanager_sdk._config import ClientConfig, RetryConfig
from licensemanager_sdk._exceptions import (
    AccessDeniedError,
    AuthorizationError,
    ConfigurationError,
    ConflictError,
    EntitlementLostError,
    EntitlementNotAllowedError,
    EntitlementNotHeldError,
    FailedDependencyError,
    FilterLimitExceededError,
    InvalidParameterValueError,
    InvalidResourceStateError,
    LicenseManagerError,
    LicenseUsageError,
    NoEntitlementsAllowedError,
    PaginationError,
    RateLimitExceededError,
    RedirectError,
    RefreshTokenError,
    RequestValidationError,
    ResourceLimitExceededError,
    ResourceNotFoundError,
    ResponseValidationError,
    ServerInternalError,
    ServiceError,
    ServiceValidationError,
    TokenVerificationError,
    TransportError,
    UnsupportedDigitalSignatureMethodError,
    WaiterError,
    WaitTimeoutError,
)
from licensemanager_sdk._version import __version__

if _typing.TYPE_CHECKING:
    from licensemanager_sdk._async_client import AsyncLicenseManager
    from licensemanager_sdk._generated._api import Api
    from licensemanager_sdk._generated._async_api import AsyncApi
    from licensemanager_sdk.entitlements import BorrowedLease, Lease, VerifiedToken
    from licensemanager_sdk.resources import (
        MARKETPLACE_KEY_FINGERPRINT,
        DistributionReport,
        Grant,
        License,
        Token,
        key_fingerprint,
    )

# Names whose modules load pydantic and the models (or aiobotocore, the optional [async] extra): imported on first
# use (PEP 562), so that `import licensemanager_sdk` stays cheap.
_LAZY = {
    "Api": "licensemanager_sdk._generated._api",
    "AsyncApi": "licensemanager_sdk._generated._async_api",
    "AsyncLicenseManager": "licensemanager_sdk._async_client",
    **dict.fromkeys(["BorrowedLease", "Lease", "VerifiedToken"], "licensemanager_sdk.entitlements"),
    **dict.fromkeys(
        ["MARKETPLACE_KEY_FINGERPRINT", "DistributionReport", "Grant", "License", "Token", "key_fingerprint"],
        "licensemanager_sdk.resources",
    ),
}

__all__ = [
    "MARKETPLACE_KEY_FINGERPRINT",
    "AccessDeniedError",
    "Api",
    "AsyncApi",
    "AsyncLicenseManager",
    "AuthorizationError",
    "BorrowedLease",
    "ClientConfig",
    "ConfigurationError",
    "ConflictError",
    "DistributionReport",
    "EntitlementLostError",
    "EntitlementNotAllowedError",
    "EntitlementNotHeldError",
    "FailedDependencyError",
    "FilterLimitExceededError",
    "Grant",
    "InvalidParameterValueError",
    "InvalidResourceStateError",
    "Lease",
    "License",
    "LicenseManager",
    "LicenseManagerError",
    "LicenseUsageError",
    "NoEntitlementsAllowedError",
    "PaginationError",
    "RateLimitExceededError",
    "RedirectError",
    "RefreshTokenError",
    "RequestValidationError",
    "ResourceLimitExceededError",
    "ResourceNotFoundError",
    "ResponseValidationError",
    "RetryConfig",
    "ServerInternalError",
    "ServiceError",
    "ServiceValidationError",
    "Token",
    "TokenVerificationError",
    "TransportError",
    "UnsupportedDigitalSignatureMethodError",
    "VerifiedToken",
    "WaitTimeoutError",
    "WaiterError",
    "__version__",
    "key_fingerprint",
]


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'licensemanager_sdk' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


for _name in __all__:
    _value = globals().get(_name)
    if isinstance(_value, type):
        _value.__module__ = "licensemanager_sdk"  # tracebacks say licensemanager_sdk.ResourceNotFoundError
del _name, _value
