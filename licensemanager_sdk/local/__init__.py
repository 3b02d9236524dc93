"""A faithful local AWS License Manager: in process (attached to boto3 clients) or over HTTP.

    from licensemanager_sdk.local import LocalLicenseManager

    with LocalLicenseManager() as local:
        lm = local.boto3_client(account="111122223333")     # plain boto3, answered in process
        server = local.serve()                               # the same state over HTTP at server.url

Or from a shell: `python -m licensemanager_sdk.local --port 4566 [--state FILE]`. See docs/local.md.
"""

from .core.faults import ServiceFault
from .core.settings import Settings
from .emulator import LocalLicenseManager
from .marketplace import MARKETPLACE_FINGERPRINT, MarketplaceLicense
from .server.http import LocalServer

__all__ = [
    "MARKETPLACE_FINGERPRINT",
    "LocalLicenseManager",
    "LocalServer",
    "MarketplaceLicense",
    "ServiceFault",
    "Settings",
]
