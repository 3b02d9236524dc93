"""The resource layer: `License`, `Grant`, `Token` snapshots and the `lm.licenses`, `lm.grants`, `lm.tokens` namespaces.

It loads the models (`licensemanager_sdk.types`) when imported; `licensemanager_sdk` imports it on first use only.
"""

from licensemanager_sdk._exceptions import WaiterError, WaitTimeoutError
from licensemanager_sdk.resources._fingerprints import MARKETPLACE_KEY_FINGERPRINT, key_fingerprint
from licensemanager_sdk.resources.distribution import DistributionReport, PrincipalOutcome
from licensemanager_sdk.resources.grants import Grant, Grants
from licensemanager_sdk.resources.licenses import License, Licenses, ReceivedLicense
from licensemanager_sdk.resources.tokens import CreatedToken, Token, Tokens

__all__ = [
    "MARKETPLACE_KEY_FINGERPRINT",
    "CreatedToken",
    "DistributionReport",
    "Grant",
    "Grants",
    "License",
    "Licenses",
    "PrincipalOutcome",
    "ReceivedLicense",
    "Token",
    "Tokens",
    "WaitTimeoutError",
    "WaiterError",
    "key_fingerprint",
]
