"""`AsyncLicenseManager`, the entry point for asyncio applications (the `[async]` extra: aiobotocore)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from functools import cached_property
from typing import TYPE_CHECKING, Any

from botocore.exceptions import NoRegionError

from licensemanager_sdk._config import ClientConfig
from licensemanager_sdk._core.async_invoke import AsyncInvoker
from licensemanager_sdk._core.async_transport import AioSession, client_context
from licensemanager_sdk._core.transport import NO_REGION, warn_if_retrying
from licensemanager_sdk._exceptions import ConfigurationError
from licensemanager_sdk._generated._async_api import AsyncApi

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

    from licensemanager_sdk._aio.entitlements import AsyncEntitlements
    from licensemanager_sdk._aio.grants import AsyncGrants
    from licensemanager_sdk._aio.licenses import AsyncLicenses
    from licensemanager_sdk._aio.tokens import AsyncTokens

__all__ = ["AsyncLicenseManager"]


class AsyncLicenseManager:
    """The typed AWS License Manager client for asyncio, over aiobotocore. Use it as `async with`.

    Args:
        session: the aiobotocore session (`aiobotocore.session.get_session()`) to take credentials and region from.
        region_name: the region to call (default: the session's region, then `AWS_REGION`, `AWS_DEFAULT_REGION`).
        endpoint_url: a non-default endpoint, e.g. the local service `http://127.0.0.1:4566`.
        aiobotocore_client: a ready `license-manager` aiobotocore client (already entered) to use instead of
            building one; the caller keeps closing it.
        config: timeouts, retries, redirect handling and extra botocore options, as for `LicenseManager`.

    Example:
        >>> async with AsyncLicenseManager(region_name="us-east-1") as lm:  # doctest: +SKIP
        ...     license = await lm.licenses.get(arn)
    """

    def __init__(
        self,
        *,
        session: AioSession | None = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        aiobotocore_client: Any | None = None,
        config: ClientConfig | None = None,
    ) -> None:
        self._config = config or ClientConfig()
        if aiobotocore_client is not None:
            if session is not None or region_name is not None or endpoint_url is not None:
                raise ConfigurationError(
                    "pass either aiobotocore_client= or session=/region_name=/endpoint_url=, not both: "
                    "a handed-in client already has its session, region and endpoint"
                )
            service = aiobotocore_client.meta.service_model.service_name
            if service != "license-manager":
                raise ConfigurationError(
                    f"aiobotocore_client must be a 'license-manager' client, got a '{service}' client"
                )
            warn_if_retrying(aiobotocore_client)
        self._session = session
        self._region_name = region_name
        self._endpoint_url = endpoint_url
        self._client: Any | None = aiobotocore_client
        self._built = aiobotocore_client is None
        self._stack = AsyncExitStack()
        self._neighbours: dict[tuple[str, str | None], Any] = {}

    async def __aenter__(self) -> Self:
        if self._built:
            if self._client is not None:
                raise RuntimeError("this AsyncLicenseManager is already open; make a new one for another block")
            self._client = await self._open("license-manager", self._region_name, self._endpoint_url)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the clients this object built (not a handed-in `aiobotocore_client`)."""
        self._neighbours.clear()
        await self._stack.aclose()
        if self._built:
            self._client = None

    @property
    def aiobotocore_client(self) -> Any:
        """The underlying aiobotocore `license-manager` client (only inside `async with`)."""
        return self._require_client()

    @property
    def config(self) -> ClientConfig:
        return self._config

    @property
    def region_name(self) -> str:
        return str(self._require_client().meta.region_name)

    @cached_property
    def api(self) -> AsyncApi:
        """The complete, generated 1:1 operation layer: `await lm.api.<snake_case_operation>(**fields)`."""
        redirect = self._redirect_client if self._config.follow_redirects else None
        invoker = AsyncInvoker(self._require_client, self._config.retry, fast=self._built, redirect=redirect)
        return AsyncApi(invoker)

    @cached_property
    def licenses(self) -> AsyncLicenses:
        """Licenses as resources: `await lm.licenses.get(arn)`, `create`, `list`, `list_received`, `versions`."""
        from licensemanager_sdk._aio.licenses import AsyncLicenses  # lazy: the resource layer loads on first use

        return AsyncLicenses(self)

    @cached_property
    def grants(self) -> AsyncGrants:
        """Grants as resources: `await lm.grants.get(arn)`, `create`, `list_received`, `list_distributed`,
        `distribute`."""
        from licensemanager_sdk._aio.grants import AsyncGrants  # lazy: the resource layer loads on first use

        return AsyncGrants(self)

    @cached_property
    def tokens(self) -> AsyncTokens:
        """Refresh tokens: `await lm.tokens.create(license)`, `get`, `list`, `delete`, `get_access_token`."""
        from licensemanager_sdk._aio.tokens import AsyncTokens  # lazy: the resource layer loads on first use

        return AsyncTokens(self)

    @cached_property
    def entitlements(self) -> AsyncEntitlements:
        """Runtime entitlement checks: `await lm.entitlements.checkout(...)`, `await lm.entitlements.verify(...)`."""
        from licensemanager_sdk._aio.entitlements import AsyncEntitlements  # lazy: loads on first use

        return AsyncEntitlements(self)

    def _require_client(self) -> Any:
        if self._client is None:
            raise RuntimeError(
                "AsyncLicenseManager is not open: use `async with AsyncLicenseManager(...) as lm:` "
                "(or `await lm.__aenter__()` and `await lm.close()`)"
            )
        return self._client

    async def _open(self, service: str, region: str | None, endpoint_url: str | None) -> Any:
        context = client_context(
            service, session=self._session, region_name=region, endpoint_url=endpoint_url, config=self._config
        )
        try:
            return await self._stack.enter_async_context(context)
        except NoRegionError:
            raise ConfigurationError(NO_REGION.replace("LicenseManager(", "AsyncLicenseManager(")) from None

    async def _neighbour(self, service: str, region: str | None, endpoint_url: str | None) -> Any:
        """A client of `service` on this session, made once per (service, region) and closed with this object."""
        key = (service, region)
        if key not in self._neighbours:
            self._require_client()
            self._neighbours[key] = await self._open(service, region, endpoint_url)
        return self._neighbours[key]

    async def _redirect_client(self, region: str) -> Any:
        return await self._neighbour("license-manager", region, None)

    async def _kms_client(self) -> Any:
        """A KMS client on this client's session, region and endpoint, made once (for `verify`)."""
        return await self._neighbour("kms", self.region_name, self._endpoint_url)

    def __repr__(self) -> str:
        where = repr(self._client.meta.region_name) if self._client is not None else "not open"
        return f"AsyncLicenseManager(region_name={where})"
