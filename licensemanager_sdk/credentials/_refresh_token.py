"""AWS credentials from a License Manager refresh token: GetAccessToken, then STS AssumeRoleWithWebIdentity.

Both calls are sent unsigned (the token is the credential). botocore's refreshable credentials fetch them on first use
and again before they expire (thread-safe); a call the service refuses as signed with expired credentials (its clock
ran ahead of ours) forces one refresh and is sent once more.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, cast

import boto3
import botocore.session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.credentials import CredentialProvider, CredentialResolver, DeferredRefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import SecretStr

from licensemanager_sdk._exceptions import ConfigurationError, RefreshTokenError, RefreshTokenReason
from licensemanager_sdk._version import __version__

__all__ = ["DEFAULT_REGION", "refresh_token_session"]

#: The region AWS's own on-premises credential provider falls back to when none is configured.
DEFAULT_REGION = "us-east-1"
_METHOD = "license-manager-refresh-token"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_EXPIRED_CODES = frozenset({"ExpiredTokenException", "ExpiredToken"})
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=timezone.utc)
_STS_REASONS: dict[str, RefreshTokenReason] = {
    "InvalidIdentityToken": "forged",
    "ExpiredTokenException": "expired",
    "IDPRejectedClaim": "deleted",
}


def refresh_token_session(
    refresh_token: str | SecretStr,
    *,
    role_arn: str,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    session_name: str | None = None,
    token_properties: Sequence[str] | None = None,
    prepare_session: Callable[[botocore.session.Session], None] | None = None,
) -> boto3.Session:
    """A boto3 `Session` whose credentials come from a License Manager refresh token, refreshed before they expire.

    Args:
        refresh_token: the token from `CreateToken` (a `str` or `SecretStr`; never logged or shown).
        role_arn: the role to assume; its trust policy must allow Federated `openid-license-manager.amazonaws.com`.
        region_name: the license home region (default: the AWS config chain, then `us-east-1`).
        endpoint_url: one endpoint answering both License Manager and STS (the local service); default AWS.
        session_name: the role session name (default `licensemanager-sdk-<random>`).
        token_properties: properties GetAccessToken checks against the token's (`TokenProperties`).
        prepare_session: called with each of the two botocore sessions (the returned session's, and the one the
            unsigned exchange calls are made from) before either makes a client; `LocalLicenseManager` attaches
            its in-process service there (`refresh_token_client`).

    Nothing is sent until a client of the session first needs credentials; a refusal raises `RefreshTokenError` there.

    Example:
        >>> session = refresh_token_session(token, role_arn="arn:aws:iam::111122223333:role/Consumer")  # doctest: +SKIP
        >>> session.client("license-manager").list_received_licenses()  # doctest: +SKIP
    """
    secret = refresh_token if isinstance(refresh_token, SecretStr) else SecretStr(refresh_token)
    if not secret.get_secret_value().strip():
        raise ConfigurationError("refresh_token is empty: pass the Token that CreateToken returned")
    if not _ROLE_ARN.match(role_arn):
        raise ConfigurationError(f"role_arn {role_arn!r} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
    name = session_name or f"licensemanager-sdk-{secrets.token_hex(6)}"
    if not _SESSION_NAME.match(name):
        raise ConfigurationError(f"session_name {name!r} must be 2-64 characters of letters, digits and +=,.@_-")
    session = botocore.session.Session()
    fetcher_session = _fetcher_session()
    fetcher_session.register_component("data_loader", session.get_component("data_loader"))  # models load once
    if prepare_session is not None:
        prepare_session(session)
        prepare_session(fetcher_session)
    region = region_name or fetcher_session.get_config_variable("region") or DEFAULT_REGION
    exchange = _Exchange(secret, role_arn, name, list(token_properties or ()), region, endpoint_url, fetcher_session)
    credentials = RefreshTokenCredentials(exchange.fetch)
    session.register_component("credential_provider", CredentialResolver(providers=[_Provider(credentials)]))
    session.register("needs-retry", cast("Any", credentials.retry_if_expired))
    return boto3.Session(botocore_session=session, region_name=region)


def _fetcher_session() -> botocore.session.Session:
    """The botocore session of the two unsigned calls: no credential lookup at all (no env, files or IMDS)."""
    session = botocore.session.Session()
    session.register_component("credential_provider", CredentialResolver(providers=[]))
    return session


class RefreshTokenCredentials(DeferredRefreshableCredentials):
    """botocore refreshable credentials that are also refreshed on the service's word (an expired-token answer)."""

    def __init__(self, fetch: Callable[[], dict[str, str]]) -> None:
        self._fetch = fetch
        self._stale = False
        super().__init__(refresh_using=self._refetch, method=_METHOD, time_fetcher=self._clock)

    def _refetch(self) -> dict[str, str]:
        self._stale = False
        return self._fetch()

    def _clock(self) -> datetime:
        # Stale credentials look expired to botocore, so the next signing must refresh them first.
        return _FAR_FUTURE if self._stale else datetime.now(timezone.utc)

    def retry_if_expired(self, response: Any = None, attempts: int = 1, **_: Any) -> float | None:
        """`needs-retry` handler: after a first answer `ExpiredTokenException`, mark stale and resend at once."""
        parsed = response[1] if isinstance(response, tuple) and len(response) == 2 else None
        code = parsed.get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        if attempts != 1 or code not in _EXPIRED_CODES:
            return None
        self._stale = True
        return 0

    def __repr__(self) -> str:
        return f"RefreshTokenCredentials(method={_METHOD!r})"


class _Provider(CredentialProvider):
    METHOD = _METHOD
    CANONICAL_NAME = "LicenseManagerRefreshToken"

    def __init__(self, credentials: RefreshTokenCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshTokenCredentials:
        return self._credentials


class _Exchange:
    """The two unsigned calls; the clients are built on the first fetch and reused."""

    def __init__(
        self,
        token: SecretStr,
        role_arn: str,
        session_name: str,
        token_properties: list[str],
        region: str,
        endpoint_url: str | None,
        session: botocore.session.Session,
    ) -> None:
        self._token = token
        self._role_arn = role_arn
        self._session_name = session_name
        self._token_properties = token_properties
        self._region = region
        self._endpoint_url = endpoint_url
        self._session = session
        self._clients: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"_Exchange(role_arn={self._role_arn!r}, region={self._region!r})"

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            config = Config(
                signature_version=UNSIGNED,
                connect_timeout=10,
                read_timeout=30,
                retries={"mode": "standard", "total_max_attempts": 3},
                user_agent_extra=f"aws-license-manager-sdk/{__version__}",
            )
            self._clients[service] = self._session.create_client(
                service, region_name=self._region, endpoint_url=self._endpoint_url, config=config
            )
        return self._clients[service]

    def fetch(self) -> dict[str, str]:
        """botocore credential metadata from a fresh access token and role session."""
        access_token = self._access_token()
        try:
            answer = self._client("sts").assume_role_with_web_identity(
                RoleArn=self._role_arn, RoleSessionName=self._session_name, WebIdentityToken=access_token
            )
        except ClientError as err:
            raise self._refused("AssumeRoleWithWebIdentity", err) from None
        except BotoCoreError as err:
            raise self._unavailable("AssumeRoleWithWebIdentity") from err
        credentials = answer["Credentials"]
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": _local_expiry(credentials["Expiration"], answer.get("ResponseMetadata", {})).isoformat(),
        }

    def _access_token(self) -> str:
        params: dict[str, Any] = {"Token": self._token.get_secret_value()}
        if self._token_properties:
            params["TokenProperties"] = self._token_properties
        try:
            return str(self._client("license-manager").get_access_token(**params)["AccessToken"])
        except ClientError as err:
            raise self._refused("GetAccessToken", err) from None
        except BotoCoreError as err:
            raise self._unavailable("GetAccessToken") from err

    def _refused(self, operation: str, err: ClientError) -> RefreshTokenError:
        # `from None` above: botocore's error carries the request, and the request carries the token.
        error = err.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", "")).lower()
        reason: RefreshTokenReason = "unavailable"
        if operation == "GetAccessToken":
            if code in ("ValidationException", "AccessDeniedException"):
                reason = "forged"
            elif code == "AuthorizationException":
                if "propert" in message:
                    reason = "token_properties"
                elif "expired" in message or _claim_expired(self._token):
                    reason = "expired"
                else:
                    reason = "deleted"
        elif code in _STS_REASONS:
            reason = _STS_REASONS[code]
        elif code == "AccessDenied":
            roles = _claims(self._token).get("roles")
            if isinstance(roles, list) and roles and self._role_arn not in roles:
                reason = "role_not_in_token"
            elif "does not exist" in message:
                reason = "role_missing"
            else:
                reason = "role_not_trusted"
        return RefreshTokenError(reason, operation=operation, role_arn=self._role_arn, error_code=code or None)

    def _unavailable(self, operation: str) -> RefreshTokenError:
        return RefreshTokenError("unavailable", operation=operation, role_arn=self._role_arn)


def _local_expiry(expiration: datetime, metadata: dict[str, Any]) -> datetime:
    """The expiry on this machine's clock: the service's `Expiration` less its clock's lead (from `Date`)."""
    date = metadata.get("HTTPHeaders", {}).get("date")
    if not date:
        return expiration
    try:
        served_at = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return expiration
    if served_at.tzinfo is None:
        served_at = served_at.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc) + (expiration - served_at)


def _claims(token: SecretStr) -> dict[str, Any]:
    """The refresh token's claims, unverified (the service verifies; this only words the error)."""
    parts = token.get_secret_value().split(".")
    if len(parts) != 3:
        return {}
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}


def _claim_expired(token: SecretStr) -> bool:
    expiry = _claims(token).get("exp")
    return isinstance(expiry, int | float) and expiry <= datetime.now(timezone.utc).timestamp()
