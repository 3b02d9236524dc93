"""`Sts`: AssumeRoleWithWebIdentity with the emulator's own verifier (License Manager access tokens, IAM roles),
and the temporary credentials it issued, kept in the store (SERVICE.md §8.4)."""

from __future__ import annotations

import secrets
from typing import Any

from ..core.clock import Clock
from ..core.store import KindMapping, Store
from ..iam.backend import Iam
from ..licensemanager.backend import Backend
from ..licensemanager.tokens import refresh_token_active, signed_claims
from .models import SESSION_KEY, SESSIONS
from .web_identity import AssumedRole, CredentialStore, WebIdentity

__all__ = ["SESSION_RETENTION_S", "Sts"]

#: Expired credentials are forgotten this long after they expire (when later credentials are issued); their session
#: tokens still read as expired afterwards.
SESSION_RETENTION_S = 86400.0
_PRUNE_PER_ISSUE = 16


class Sts:
    """STS over the shared store: role sessions for License Manager access tokens."""

    def __init__(self, store: Store, clock: Clock, iam: Iam, license_manager: Backend) -> None:
        self._store = store
        self._clock = clock
        self._iam = iam
        self._license_manager = license_manager

    def assume_role_with_web_identity(
        self, *, role_arn: str, session_name: str, web_identity_token: str, duration_seconds: int | None
    ) -> dict[str, Any]:
        """The AssumeRoleWithWebIdentity result (`Expiration` as epoch seconds); `StsError` when refused."""
        credentials = self._credentials(create=True)
        credentials.prune(self._clock.timestamp() - SESSION_RETENTION_S, _PRUNE_PER_ISSUE)
        web_identity = WebIdentity(
            verify=self._access_token_claims,
            refresh_token_active=lambda token_id: refresh_token_active(self._license_manager, token_id),
            find_role=self._iam.role,
            clock=self._clock.timestamp,
            store=credentials,
        )
        return web_identity.assume_role(
            role_arn=role_arn,
            session_name=session_name,
            web_identity_token=web_identity_token,
            duration_seconds=duration_seconds,
        )

    def resolve(self, access_key_id: str, session_token: str | None) -> AssumedRole:
        """Who a call signed with temporary credentials acts as; `StsError` (invalid or expired) otherwise."""
        return self._credentials(create=False).resolve(access_key_id, session_token, self._clock.timestamp())

    def _access_token_claims(self, token: str) -> dict[str, Any] | None:
        try:
            return signed_claims(self._license_manager, token)
        except ValueError:
            return None

    def _credentials(self, *, create: bool) -> CredentialStore:
        key = self._store.get(SESSION_KEY, "session-key")
        if key is None:
            key = secrets.token_hex(32)
            if create:
                self._store.put(SESSION_KEY, "session-key", key)
        return CredentialStore(key=key, sessions=KindMapping(self._store, SESSIONS))
