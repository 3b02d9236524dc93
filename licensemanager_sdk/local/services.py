"""The one place the local services are registered: their backends over the shared store, and their responses.

Adding a service (IAM next) means adding its folder (`iam/models.py`, `backend.py`, `responses.py`,
`exceptions.py`) and one line in `Services.build` and `responses` below.
"""

from __future__ import annotations

from dataclasses import dataclass

from .core.clock import Clock
from .core.responses import ServiceResponses
from .core.settings import Settings
from .core.store import Store
from .kms.backend import Kms
from .kms.responses import KmsResponses
from .licensemanager.backend import Backend
from .licensemanager.responses import LicenseManagerResponses
from .sts.responses import StsResponses

__all__ = ["Services"]


@dataclass(frozen=True, slots=True)
class Services:
    """The backends of the local services (License Manager signs with KMS keys)."""

    kms: Kms
    license_manager: Backend

    @classmethod
    def build(cls, store: Store, clock: Clock, settings: Settings) -> Services:
        """Backends over one store, clock and settings."""
        kms = Kms(store, clock, settings)
        return cls(kms=kms, license_manager=Backend(store, clock, settings, kms))

    def responses(self) -> tuple[ServiceResponses, ...]:
        """What answers each service's wire calls."""
        return (LicenseManagerResponses(self.license_manager), KmsResponses(self.kms), StsResponses())
