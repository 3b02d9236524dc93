"""`LicenseManager`, the entry point."""

from __future__ import annotations

import dataclasses
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3

from licensemanager_sdk._config import ClientConfig, RetryConfig
from licensemanager_sdk._core.transport import build_client, build_neighbour, warn_if_retrying
from licensemanager_sdk._exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_kms import KMSClient
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
        region_name: the region to call (default: the session's explicit region, then `AWS_REGION`, then
            `AWS_DEFAULT_REGION` and the profile's `region`; see docs/client.md).
        endpoint_url: a non-default endpoint, e.g. the local service `http://127.0.0.1:4566`.
        boto3_client: a ready `license-manager` boto3 client to use instead of building one (its retry and
            parsing settings are kept; see docs/client.md).
        config: timeouts, retries, redirect handling and extra botocore options (`ClientConfig.botocore_config`).

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
        _copy_of: LicenseManager | None = None,
    ) -> None:
        self._config = config or ClientConfig()
        if _copy_of is not None:  # with_options(): share the boto3 client and where it came from
            session, endpoint_url = _copy_of._session, _copy_of._endpoint_url
            client, built = _copy_of.boto3_client, _copy_of._built
        elif boto3_client is not None:
            if session is not None or region_name is not None or endpoint_url is not None:
                raise ConfigurationError(
                    "pass either boto3_client= or session=/region_name=/endpoint_url=, not both: "
                    "a handed-in client already has its session, region and endpoint"
                )
            service = boto3_client.meta.service_model.service_name
            if service != "license-manager":
                raise ConfigurationError(f"boto3_client must be a 'license-manager' client, got a '{service}' client")
            warn_if_retrying(boto3_client)
            client, built = boto3_client, False
        else:
            client = build_client(
                session=session, region_name=region_name, endpoint_url=endpoint_url, config=self._config
            )
            built = True
        self._session: boto3.Session | None = session
        self._endpoint_url: str | None = endpoint_url
        self._client: LicenseManagerClient = client
        self._built: bool = built

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
        from licensemanager_sdk.credentials import refresh_token_session  # lazy: only this path needs it

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
        from licensemanager_sdk._generated._api import Api  # lazy: loads pydantic and the models on first use

        return Api(self._invoker)

    @cached_property
    def entitlements(self) -> Entitlements:
        """Runtime entitlement checks: `checkout()` a `Lease`, `tier()`, `borrow()`."""
        from licensemanager_sdk.entitlements import Entitlements  # lazy: loads pydantic and the models on first use

        return Entitlements(self)

    @cached_property
    def licenses(self) -> Licenses:
        """Licenses as resources: `lm.licenses.create/get/list/list_received/versions`."""
        from licensemanager_sdk.resources.licenses import Licenses  # lazy: loads pydantic and the models on first use

        return Licenses(self)

    @cached_property
    def grants(self) -> Grants:
        """Grants as resources: `lm.grants.create/get/list_received/list_distributed/distribute`."""
        from licensemanager_sdk.resources.grants import Grants  # lazy: loads pydantic and the models on first use

        return Grants(self)

    @cached_property
    def tokens(self) -> Tokens:
        """Refresh tokens as resources: `lm.tokens.create/get/list/get_access_token`."""
        from licensemanager_sdk.resources.tokens import Tokens  # lazy: loads pydantic and the models on first use

        return Tokens(self)

    @cached_property
    def _invoker(self) -> Invoker:
        from licensemanager_sdk._core.invoke import Invoker  # lazy: the call path loads pydantic and the models

        redirect = self._redirect_client if self._config.follow_redirects else None
        return Invoker(self._client, self._config.retry, fast=self._built, redirect=redirect)

    def _redirect_client(self, region: str) -> Any:
        clients: dict[str, Any] = self.__dict__.setdefault("_redirect_clients", {})
        if region not in clients:
            clients[region] = build_client(
                session=self._session, region_name=region, endpoint_url=None, config=self._config
            )
        return clients[region]

    def _kms_client(self) -> KMSClient:
        """A KMS client on this client's session, region and (non-default) endpoint, made once (for `verify`)."""
        if "_kms" not in self.__dict__:
            self.__dict__["_kms"] = build_neighbour(
                "kms", session=self._session, region_name=self.region_name, endpoint_url=self._endpoint_url
            )
        kms: KMSClient = self.__dict__["_kms"]
        return kms

    def with_options(self, *, retry: RetryConfig | None = None, follow_redirects: bool | None = None) -> LicenseManager:
        """A copy with other retry or redirect options that shares this client's boto3 client."""
        changes: dict[str, Any] = {}
        if retry is not None:
            changes["retry"] = retry
        if follow_redirects is not None:
            changes["follow_redirects"] = follow_redirects
        return LicenseManager(config=dataclasses.replace(self._config, **changes), _copy_of=self)

    def __repr__(self) -> str:
        return f"LicenseManager(region_name={self.region_name!r})"
