"""STS AssumeRoleWithWebIdentity for License Manager access tokens, and the temporary credentials it issues
(SERVICE.md §8.4).

Pure logic over injected pieces: `verify` (the access token's claims if the emulator signed it, else None),
`refresh_token_active` (its refresh token not deleted), `find_role` (the IAM role an ARN names), the clock, and a
`CredentialStore` (JSON-serialisable state) that later maps signed calls to the assumed role with `resolve`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import secrets
import string
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from ..iam.models import Role
from ..iam.policy import allows
from .models import TemporaryCredentials

__all__ = [
    "FEDERATED_PRINCIPAL",
    "AssumedRole",
    "CredentialStore",
    "StsError",
    "WebIdentity",
]

FEDERATED_PRINCIPAL = "openid-license-manager.amazonaws.com"
_ACTION = "sts:AssumeRoleWithWebIdentity"
_NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
_EXPIRED = "The security token included in the request is expired"
_UPPER = string.ascii_uppercase + string.digits
_SECRET = string.ascii_letters + string.digits + "+/"
_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_ROLE_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]+)$")


class StsError(Exception):
    """An STS (or AWS-wide auth) error answer."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class AssumedRole:
    """Who a call signed with temporary credentials acts as."""

    account: str
    arn: str
    assumed_role_id: str
    expiration: float


def _mac(key: str, access_key_id: str, nonce: str, expiry: str) -> str:
    return hmac.new(key.encode(), f"{access_key_id}.{nonce}.{expiry}".encode(), hashlib.sha256).hexdigest()


@dataclass
class CredentialStore:
    """Issued temporary credentials by access key id, and the key that makes session tokens tamper-evident.

    A session token is `<nonce>.<expiry>.<HMAC of key id, nonce and expiry>`: one whose credentials were pruned
    still reads as expired (rather than invalid) once its expiry has passed. `sessions` is any mutable mapping:
    a dict, or the engine's store kind."""

    key: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    sessions: MutableMapping[str, TemporaryCredentials] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "sessions": {k: dataclasses.asdict(v) for k, v in self.sessions.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CredentialStore:
        sessions = {k: TemporaryCredentials(**v) for k, v in data.get("sessions", {}).items()}
        return cls(key=str(data["key"]), sessions=sessions)

    def issue(self, *, account: str, role: Role, session_name: str, expiration: float) -> TemporaryCredentials:
        access_key_id = "ASIA" + "".join(secrets.choice(_UPPER) for _ in range(16))
        nonce = secrets.token_urlsafe(48)
        expiry = str(int(expiration))
        credentials = TemporaryCredentials(
            access_key_id=access_key_id,
            secret_access_key="".join(secrets.choice(_SECRET) for _ in range(40)),
            session_token=f"{nonce}.{expiry}.{_mac(self.key, access_key_id, nonce, expiry)}",
            expiration=expiration,
            account=account,
            role_arn=role.arn,
            assumed_role_arn=f"arn:aws:sts::{account}:assumed-role/{role.name}/{session_name}",
            assumed_role_id=f"{role.role_id}:{session_name}",
        )
        self.sessions[access_key_id] = credentials
        return credentials

    def resolve(self, access_key_id: str, session_token: str | None, now: float) -> AssumedRole:
        """The assumed role a call signed with these credentials acts as; the AWS auth errors otherwise."""
        found = self.sessions.get(access_key_id)
        if found is None or session_token is None or not hmac.compare_digest(found.session_token, session_token):
            if found is None and session_token is not None and self._expired_token(access_key_id, session_token, now):
                raise StsError("ExpiredTokenException", _EXPIRED, 400)
            raise StsError("UnrecognizedClientException", "The security token included in the request is invalid", 400)
        if found.expiration <= now:
            raise StsError("ExpiredTokenException", _EXPIRED, 400)
        return AssumedRole(found.account, found.assumed_role_arn, found.assumed_role_id, found.expiration)

    def prune(self, before: float, limit: int | None = None) -> None:
        """Forget (up to `limit`) credentials that expired before `before`: they are only ever refused."""
        gone = [key for key, value in self.sessions.items() if value.expiration < before][:limit]
        for key in gone:
            del self.sessions[key]

    def _expired_token(self, access_key_id: str, session_token: str, now: float) -> bool:
        parts = session_token.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return False
        nonce, expiry, mac = parts
        return hmac.compare_digest(_mac(self.key, access_key_id, nonce, expiry), mac) and int(expiry) <= now


class WebIdentity:
    """AssumeRoleWithWebIdentity over injected pieces (see the module docstring)."""

    def __init__(
        self,
        *,
        verify: Callable[[str], Mapping[str, Any] | None],
        refresh_token_active: Callable[[str], bool],
        find_role: Callable[[str], Role | None],
        clock: Callable[[], float],
        store: CredentialStore,
    ) -> None:
        self._verify = verify
        self._refresh_token_active = refresh_token_active
        self._find_role = find_role
        self._clock = clock
        self.store = store

    def assume_role(
        self, *, role_arn: str, session_name: str, web_identity_token: str, duration_seconds: int | None = None
    ) -> dict[str, Any]:
        """The AssumeRoleWithWebIdentity result (wire member names; `Expiration` as epoch seconds)."""
        if not _SESSION_NAME.match(session_name):
            raise StsError(
                "ValidationError",
                f"1 validation error detected: Value '{session_name}' at 'roleSessionName' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
            )
        claims = self._verify(web_identity_token)
        if claims is None or claims.get("token_use") != "access":
            raise StsError("InvalidIdentityToken", "The web identity token could not be validated by AWS.")
        now = self._clock()
        expiry = claims.get("exp")
        if not isinstance(expiry, int | float) or expiry <= now:
            raise StsError(
                "ExpiredTokenException", "The web identity token that was passed is expired or is not valid."
            )
        subject = str(claims.get("sub", ""))
        if not self._refresh_token_active(subject):
            raise StsError("IDPRejectedClaim", "The refresh token of this access token was deleted.", 403)
        found = _ROLE_ACCOUNT.match(role_arn)
        role = self._find_role(role_arn) if found else None
        if found is None or role is None:
            raise StsError("AccessDenied", f"{_NOT_AUTHORIZED}: role {role_arn} does not exist.", 403)
        amr = claims.get("amr") or []
        context = {
            f"{FEDERATED_PRINCIPAL}:amr": [str(a) for a in amr],
            f"{FEDERATED_PRINCIPAL}:sub": subject,
            f"{FEDERATED_PRINCIPAL}:aud": str(claims.get("aud", "")),
        }
        roles = claims.get("roles") or []
        trusted = allows(
            role.assume_role_policy_document, federated=FEDERATED_PRINCIPAL, action=_ACTION, context=context
        )
        if not trusted or (roles and role_arn not in roles):
            raise StsError("AccessDenied", _NOT_AUTHORIZED, 403)
        duration = 3600 if duration_seconds is None else duration_seconds
        if not 900 <= duration <= role.max_session_duration:
            raise StsError(
                "ValidationError",
                f"The requested DurationSeconds exceeds the MaxSessionDuration set for this role: {duration} is not "
                f"between 900 and {role.max_session_duration}.",
            )
        credentials = self.store.issue(
            account=found.group(1), role=role, session_name=session_name, expiration=now + duration
        )
        return {
            "Credentials": {
                "AccessKeyId": credentials.access_key_id,
                "SecretAccessKey": credentials.secret_access_key,
                "SessionToken": credentials.session_token,
                "Expiration": credentials.expiration,
            },
            "SubjectFromWebIdentityToken": subject,
            "AssumedRoleUser": {"AssumedRoleId": credentials.assumed_role_id, "Arn": credentials.assumed_role_arn},
            "PackedPolicySize": 0,
            "Provider": FEDERATED_PRINCIPAL,
            "Audience": str(claims.get("aud", "")),
        }
