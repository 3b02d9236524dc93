"""The one registry of the local services: which AWS services are emulated, the protocol each speaks, and what
answers its calls. The engine, the HTTP dispatcher, the in-process attach and fault injection all read it.

Adding a service means adding its folder (`<service>/models.py`, `backend.py`, `responses.py`, `exceptions.py`)
and one `Registration` line in `REGISTRY` below; its operation table and idempotent operations follow from
botocore's model, its X-Amz-Target prefix (JSON) from the model's metadata.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .core.clock import Clock
from .core.model import service_model
from .core.responses import ServiceResponses
from .core.settings import Settings
from .core.store import Store
from .iam.backend import Iam
from .iam.responses import IamResponses
from .kms.backend import Kms
from .kms.responses import KmsResponses
from .licensemanager.backend import Backend
from .licensemanager.responses import LicenseManagerResponses
from .sts.backend import Sts
from .sts.responses import StsResponses

__all__ = [
    "QUERY_SERVICES",
    "REGISTRY",
    "SERVICE_NAMES",
    "Protocol",
    "Registration",
    "Services",
    "json_targets",
]

Protocol = Literal["json", "query"]


@dataclass(frozen=True, slots=True)
class Services:
    """The backends the registered services share: one store, clock and settings (License Manager signs with
    KMS keys; STS verifies License Manager access tokens and assumes IAM roles). Every backend with state is
    built here."""

    store: Store
    clock: Clock
    settings: Settings
    kms: Kms
    license_manager: Backend
    iam: Iam
    sts: Sts

    @classmethod
    def build(cls, store: Store, clock: Clock, settings: Settings) -> Services:
        """Backends over one store, clock and settings."""
        kms = Kms(store, clock, settings)
        license_manager = Backend(store, clock, settings, kms)
        iam = Iam(store, clock)
        return cls(store, clock, settings, kms, license_manager, iam, Sts(store, clock, iam, license_manager))

    def responses(self) -> tuple[ServiceResponses, ...]:
        """What answers each registered service's wire calls."""
        return tuple(registration.responses(self) for registration in REGISTRY)

    def prune(self, limit: int) -> None:
        """Delete up to `limit` expired records per backend (the engine calls this during writes)."""
        self.license_manager.prune(limit)


@dataclass(frozen=True, slots=True)
class Registration:
    """An emulated service: its botocore name, its wire protocol (AWS JSON 1.1 with X-Amz-Target, or awsQuery
    with `Action=`), and how its responses object is made from the shared backends."""

    name: str
    protocol: Protocol
    responses: Callable[[Services], ServiceResponses]

    @property
    def target_prefix(self) -> str | None:
        """The X-Amz-Target prefix of a JSON service (from its model), None for a query service."""
        if self.protocol != "json":
            return None
        prefix: str = service_model(self.name).metadata["targetPrefix"]
        return prefix


REGISTRY: tuple[Registration, ...] = (
    Registration("license-manager", "json", lambda s: LicenseManagerResponses(s.license_manager)),
    Registration("kms", "json", lambda s: KmsResponses(s.kms)),
    Registration("sts", "query", lambda s: StsResponses(s.sts)),
    Registration("iam", "query", lambda s: IamResponses(s.iam)),
)

#: Every registered service name.
SERVICE_NAMES: frozenset[str] = frozenset(r.name for r in REGISTRY)


@functools.cache
def json_targets() -> dict[str, str]:
    """X-Amz-Target prefix -> service, for the JSON services (read from their models on first use)."""
    return {r.target_prefix: r.name for r in REGISTRY if r.target_prefix is not None}


#: The awsQuery services, in registration order (the first answers a query request that names no service).
QUERY_SERVICES: tuple[str, ...] = tuple(r.name for r in REGISTRY if r.protocol == "query")
