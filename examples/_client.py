"""Where the examples get their clients: the embedded local License Manager by default, real AWS on request.

Set `LMSDK_EXAMPLES_LIVE=1` (plus your usual AWS profile/region settings) to run an example against AWS itself.
"""

from __future__ import annotations

import os
from functools import cache

from licensemanager_sdk import LicenseManager
from licensemanager_sdk.local import LocalLicenseManager

SELLER = "111111111111"
BUYER = "222222222222"
LIVE = os.environ.get("LMSDK_EXAMPLES_LIVE") == "1"


@cache
def local_service() -> LocalLicenseManager:
    """One embedded local License Manager shared by the example's clients."""
    return LocalLicenseManager()


def client(account: str = SELLER) -> LicenseManager:
    """An SDK client acting as `account` (locally), or your AWS identity (live)."""
    if LIVE:
        return LicenseManager()
    return local_service().client(account=account)
