"""Typed SDK for AWS License Manager managed entitlements, built on boto3."""

from licensemanager_sdk._client import LicenseManager
from licensemanager_sdk._config import ClientConfig, RetryConfig
from licensemanager_sdk._errors import (
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

for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = "licensemanager_sdk"
del _name, _obj
