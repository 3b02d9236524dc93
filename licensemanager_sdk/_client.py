"""`LicenseManager`, the entry point."""

from __future__ import annotations

import dataclasses
from functools import cached_property
from typing import TYPE_CHECKING, Any

from licensemanager_sdk._config import ClientConfig, RetryConfig
from licensemanager_sdk._exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import boto3
    from mypy_boto3_license_manager import LicenseManagerClient
    from pydantic import SecretStr

    from licensemanager_sdk._core.invoke import Invoker
    from licensemanager_sdk._generated._api import Api
    from licensemanager_sdk.entitlements import Entitlements
    from licensemanager_sdk.resources.grants import Grants
    from licensemanager_sdk.resources.licenses import Licenses
    from licensemanager_sdk.resources.tokens import Tokens

__all__ = ["LicenseManager"]


class LicenseManager:
    """A typed AWS License Manager client. Immutable and safe to share across threads.

    Args:
        session: the boto3 session to take credentials and region from (default: a new `boto3.Session()`).
        region_name: the region to call (default: the session's).
        endpoint_url: a non-default endpoint, e.g. the local service `http://127.0.0.1:4566`.
        boto3_client: a ready `license-manager` boto3 client to use instead of building one (its retry and
            parsing settings are kept; see docs/client.md).
        config: timeouts, retries and redirect handling.

    Example:
        >>> lm = LicenseManager(region_name="us-east-1")
        >>> lm.api.get_license(license_arn=arn).license.status  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        session: boto3.Session | None = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        boto3_client: LicenseManagerClient | None = None,
        config: ClientConfig | None = None,
    ) -> None:
        self._config = config or ClientConfig()
        self._session = session
        self._endpoint_url = endpoint_url
        if boto3_client is not None:
            if session is not None or region_name is not None or endpoint_url is not None:
                raise ConfigurationError(
                    "pass either boto3_client= or session=/region_name=/endpoint_url=, not both: "
                    "a handed-in client already has its session, region and endpoint"
                )
            service = boto3_client.meta.service_model.service_name
            if service != "license-manager":
                raise ConfigurationError(f"boto3_client must be a 'license-manager' client, got a '{service}' client")
            from licensemanager_sdk._core.transport import warn_if_retrying

            warn_if_retrying(boto3_client)
            self._client = boto3_client
            self._built = False
        else:
            from licensemanager_sdk._core.transport import build_client

            self._client = build_client(
                session=session, region_name=region_name, endpoint_url=endpoint_url, config=self._config
            )
            self._built = True

    @classmethod
    def from_refresh_token(
        cls,
        refresh_token: str | SecretStr,
        *,
        role_arn: str,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        session_name: str | None = None,
        token_properties: Sequence[str] | None = None,
        config: ClientConfig | None = None,
    ) -> LicenseManager:
        """A client for software outside AWS: credentials from a refresh token (GetAccessToken, then STS
        AssumeRoleWithWebIdentity, both unsigned), refreshed before they expire. Arguments as for
        `licensemanager_sdk.credentials.refresh_token_session`; see docs/software-outside-aws.md."""
        from licensemanager_sdk.credentials import refresh_token_session

        session = refresh_token_session(
            refresh_token,
            role_arn=role_arn,
            region_name=region_name,
            endpoint_url=endpoint_url,
            session_name=session_name,
            token_properties=token_properties,
        )
        return cls(session=session, region_name=session.region_name, endpoint_url=endpoint_url, config=config)

    @property
    def boto3_client(self) -> LicenseManagerClient:
        """The underlying boto3 `license-manager` client."""
        return self._client

    @property
    def config(self) -> ClientConfig:
        return self._config

    @property
    def region_name(self) -> str:
        return str(self._client.meta.region_name)

    @cached_property
    def api(self) -> Api:
        """The complete, generated 1:1 operation layer: `lm.api.<snake_case_operation>(**fields)`."""
        from licensemanager_sdk._generated._api import Api

        return Api(self._invoker)

    @cached_property
    def entitlements(self) -> Entitlements:
        """Runtime entitlement checks: `checkout()` a `Lease`, `tier()`, `borrow()`."""
        from licensemanager_sdk.entitlements import Entitlements

        return Entitlements(self)

    @cached_property
    def licenses(self) -> Licenses:
        """Licenses as resources: `lm.licenses.create/get/list/list_received/versions`."""
        from licensemanager_sdk.resources.licenses import Licenses

        return Licenses(self)

    @cached_property
    def grants(self) -> Grants:
        """Grants as resources: `lm.grants.create/get/list_received/list_distributed/distribute`."""
        from licensemanager_sdk.resources.grants import Grants

        return Grants(self)

    @cached_property
    def tokens(self) -> Tokens:
        """Refresh tokens as resources: `lm.tokens.create/get/list/get_access_token`."""
        from licensemanager_sdk.resources.tokens import Tokens

        return Tokens(self)

    @cached_property
    def _invoker(self) -> Invoker:
        from licensemanager_sdk._core.invoke import Invoker

        redirect = self._redirect_client if self._config.follow_redirects else None
        return Invoker(self._client, self._config.retry, fast=self._built, redirect=redirect)

    def _redirect_client(self, region: str) -> Any:
        clients: dict[str, Any] = self.__dict__.setdefault("_redirect_clients", {})
        if region not in clients:
            from licensemanager_sdk._core.transport import build_client

            clients[region] = build_client(
                session=self._session, region_name=region, endpoint_url=None, config=self._config
            )
        return clients[region]

    def _kms_client(self) -> Any:
        """A KMS client on this client's session, region and (non-default) endpoint, made once (for `verify`)."""
        if "_kms" not in self.__dict__:
            from licensemanager_sdk._core.transport import build_neighbour

            self.__dict__["_kms"] = build_neighbour(
                "kms", session=self._session, region_name=self.region_name, endpoint_url=self._endpoint_url
            )
        return self.__dict__["_kms"]

    def with_options(self, *, retry: RetryConfig | None = None, follow_redirects: bool | None = None) -> LicenseManager:
        """A copy with other retry or redirect options that shares this client's boto3 client."""
        changes: dict[str, Any] = {}
        if retry is not None:
            changes["retry"] = retry
        if follow_redirects is not None:
            changes["follow_redirects"] = follow_redirects
        clone = object.__new__(LicenseManager)
        clone._config = dataclasses.replace(self._config, **changes)
        clone._session = self._session
        clone._endpoint_url = self._endpoint_url
        clone._client = self._client
        clone._built = self._built
        return clone

    def __repr__(self) -> str:
        return f"LicenseManager(region_name={self.region_name!r})"
