"""`AsyncGrant` (a grant snapshot, data loaded) and `lm.grants` of `AsyncLicenseManager`: create, get, list,
`distribute` (on asyncio tasks). The same methods and parameters as the sync `Grant` and `Grants`."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from licensemanager_sdk._aio._base import AsyncSnapshot
from licensemanager_sdk._aio._waiters import DEFAULT_TIMEOUT, AsyncSleep, wait_for
from licensemanager_sdk._aio.distribution import distribute
from licensemanager_sdk._aio.licenses import AsyncLicense
from licensemanager_sdk._exceptions import ResponseValidationError
from licensemanager_sdk.resources._principals import principal_arn
from licensemanager_sdk.resources.distribution.run import DEFAULT_CONCURRENCY, DEFAULT_RATE_LIMIT
from licensemanager_sdk.resources.grants import (
    _LIST_DISTRIBUTED,
    _LIST_RECEIVED,
    after_action,
    changed_data,
    statuses,
    version_fields,
)
from licensemanager_sdk.resources.licenses import default_grant_name
from licensemanager_sdk.types import AllowedOperation, GrantStatus

if TYPE_CHECKING:
    from licensemanager_sdk._async_client import AsyncLicenseManager
    from licensemanager_sdk.pagination import AsyncPaginator
    from licensemanager_sdk.resources._listing import OneOrMany
    from licensemanager_sdk.resources.distribution.report import DistributionReport, PrincipalOutcome
    from licensemanager_sdk.types import (
        GrantData,
        ListDistributedGrantsResponse,
        ListReceivedGrantsResponse,
        Options,
        Tag,
    )

__all__ = ["AsyncGrant", "AsyncGrants"]


class AsyncGrant(AsyncSnapshot["GrantData"]):
    """A grant snapshot: `.data` (a `GrantData`) as read when it was made; every action returns a new snapshot.

    Grantee actions: `accept()`, `activate()`, `deactivate()`, `reject()`, `accept_and_activate()`. Grantor
    actions: `create_version()`, `delete()`. Waiters: `wait_until(status)`, `wait_until_active()`.
    """

    _noun, _wire_id = "grant", "GrantArn"
    __slots__ = ()

    @staticmethod
    def _identity_of(data: GrantData) -> str | None:
        return data.grant_arn

    @property
    def arn(self) -> str:
        return self._identity

    @property
    def status(self) -> GrantStatus | str | None:
        """`data.grant_status`."""
        return self.data.grant_status

    @property
    def version(self) -> str | None:
        """`data.version`: the version `delete()` sends."""
        return self.data.version

    async def reload(self) -> AsyncGrant:
        """A new snapshot with the grant's current data (`GetGrant`)."""
        return await self._lm.grants.get(self.arn)

    async def accept(self) -> AsyncGrant:
        """Accept the grant as its grantee (`AcceptGrant`): PENDING_ACCEPT -> DISABLED (accepted, not active)."""
        response = await self._lm.api.accept_grant(grant_arn=self.arn)
        return self._after(response.status, response.version)

    async def reject(self) -> AsyncGrant:
        """Reject the grant as its grantee (`RejectGrant`). A rejected grant can never be activated."""
        response = await self._lm.api.reject_grant(grant_arn=self.arn)
        return self._after(response.status, response.version)

    async def activate(self, options: Options | None = None) -> AsyncGrant:
        """Activate an accepted grant as its grantee (`CreateGrantVersion` with Status ACTIVE)."""
        return await self.create_version(status=GrantStatus.ACTIVE, options=options)

    async def deactivate(self) -> AsyncGrant:
        """Deactivate an active grant as its grantee (`CreateGrantVersion` with Status DISABLED)."""
        return await self.create_version(status=GrantStatus.DISABLED)

    async def accept_and_activate(self, options: Options | None = None) -> AsyncGrant:
        """Accept (unless already accepted) and activate: the one call a grantee needs. Safe to call again."""
        status = self.data.grant_status
        if status == "ACTIVE":
            return self
        accepted = self if status == "DISABLED" else await self.accept()
        return await accepted.activate(options)

    async def create_version(
        self,
        *,
        grant_name: str | None = None,
        allowed_operations: Sequence[AllowedOperation | str] | None = None,
        status: GrantStatus | str | None = None,
        status_reason: str | None = None,
        options: Options | None = None,
        client_token: str | None = None,
    ) -> AsyncGrant:
        """Change the grant (`CreateGrantVersion`): only what you pass is sent (see `Grant.create_version`)."""
        fields = version_fields(grant_name, allowed_operations, status, status_reason, options)
        response = await self._lm.api.create_grant_version(grant_arn=self.arn, **fields, client_token=client_token)
        return self._after(response.status, response.version, **changed_data(fields))

    async def delete(self, status_reason: str | None = None) -> AsyncGrant:
        """Delete the grant as its grantor (`DeleteGrant` with Version = `self.data.version`)."""
        if not self.version:
            raise ResponseValidationError(f"{self.arn} has no Version in its data; cannot send DeleteGrant")
        response = await self._lm.api.delete_grant(
            grant_arn=self.arn, version=self.version, status_reason=status_reason
        )
        return self._after(response.status, response.version)

    async def wait_until(
        self,
        status: GrantStatus | str | Iterable[GrantStatus | str],
        timeout: float = DEFAULT_TIMEOUT,
        *,
        sleep: AsyncSleep | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> AsyncGrant:
        """Poll `GetGrant` until the grant's status is `status` (or one of several), with backoff.

        Raises:
            WaitTimeoutError: not there within `timeout` seconds (names the last status seen).
            WaiterError: the grant is REJECTED, DELETED or FAILED_WORKFLOW (and that is not wanted).
        """
        wanted, hopeless = statuses(status)
        return await wait_for(
            self.reload,
            lambda snapshot: snapshot.status,
            resource=self.arn,
            wanted=wanted,
            hopeless=hopeless,
            timeout=timeout,
            clock=clock,
            **({} if sleep is None else {"sleep": sleep}),
        )

    async def wait_until_active(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        sleep: AsyncSleep | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> AsyncGrant:
        """`wait_until("ACTIVE", timeout)`."""
        return await self.wait_until("ACTIVE", timeout, sleep=sleep, clock=clock)

    def _after(self, status: GrantStatus | str | None, version: str | None, **changes: object) -> AsyncGrant:
        return AsyncGrant(self._lm, after_action(self.data, status, version, **changes))

    def __repr__(self) -> str:
        return f"AsyncGrant(arn={self.arn!r}, status={self.status!s})"


class AsyncGrants:
    """`lm.grants` of the async client: create, get, list and distribute grants."""

    def __init__(self, lm: AsyncLicenseManager) -> None:
        self._lm = lm

    async def create(
        self,
        license: AsyncLicense | str,
        principal: str,
        allowed_operations: Sequence[AllowedOperation | str],
        *,
        grant_name: str | None = None,
        home_region: str | None = None,
        tags: list[Tag] | None = None,
        client_token: str | None = None,
    ) -> AsyncGrant:
        """Grant a license to ONE principal (`CreateGrant`), as `LicenseManager.grants.create`.

        Returns the new grant, read back (`GetGrant`): an async snapshot always has its data.
        """
        target = license if isinstance(license, AsyncLicense) else await self._lm.licenses.get(license)
        response = await self._lm.api.create_grant(
            grant_name=grant_name or default_grant_name(target),
            license_arn=target.arn,
            principals=[principal_arn(principal)],
            home_region=home_region or self._lm.region_name,
            allowed_operations=[AllowedOperation(op) for op in allowed_operations],
            tags=tags,
            client_token=client_token,
        )
        if not response.grant_arn:
            raise ResponseValidationError("CreateGrant answered without a GrantArn")
        return await self.get(response.grant_arn)

    async def get(self, arn: str) -> AsyncGrant:
        """The grant `arn` (`GetGrant`)."""
        found = (await self._lm.api.get_grant(grant_arn=arn)).grant
        if found is None:
            raise ResponseValidationError(f"GetGrant answered without a Grant for {arn}")
        return AsyncGrant(self._lm, found)

    def list_received(
        self,
        *,
        status: OneOrMany[GrantStatus | str] | None = None,
        product_sku: OneOrMany[str] | None = None,
        license_arn: OneOrMany[AsyncLicense | str] | None = None,
        license_issuer_name: OneOrMany[str] | None = None,
        granter_account_id: OneOrMany[str] | None = None,
        grant_arns: list[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPaginator[AsyncGrant, ListReceivedGrantsResponse]:
        """Grants to this account, its organization or OU (`ListReceivedGrants`), `async for`, as `AsyncGrant`
        snapshots to act on (`await grant.accept_and_activate()`).

        Filters as in `LicenseManager.grants.list_received` (several values: one call each, merged by ARN).
        """
        return _LIST_RECEIVED.paginate_async(
            self._lm.api,
            self._grant,
            key=lambda item: item.arn,
            filters={
                "status": status,
                "product_sku": product_sku,
                "license_arn": license_arn,
                "license_issuer_name": license_issuer_name,
                "granter_account_id": granter_account_id,
            },
            grant_arns=grant_arns,
            page_size=page_size,
            max_items=max_items,
        )

    def list_distributed(
        self,
        *,
        status: OneOrMany[GrantStatus | str] | None = None,
        license_arn: OneOrMany[AsyncLicense | str] | None = None,
        grantee_principal_arn: OneOrMany[str] | None = None,
        product_sku: OneOrMany[str] | None = None,
        license_issuer_name: OneOrMany[str] | None = None,
        grant_arns: list[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPaginator[AsyncGrant, ListDistributedGrantsResponse]:
        """Grants this account created (`ListDistributedGrants`), `async for`, as `AsyncGrant` snapshots; filters as
        in `list_received()` (`grantee_principal_arn` also takes 12-digit account ids)."""
        return _LIST_DISTRIBUTED.paginate_async(
            self._lm.api,
            self._grant,
            key=lambda item: item.arn,
            filters={
                "status": status,
                "license_arn": license_arn,
                "grantee_principal_arn": grantee_principal_arn,
                "product_sku": product_sku,
                "license_issuer_name": license_issuer_name,
            },
            grant_arns=grant_arns,
            page_size=page_size,
            max_items=max_items,
        )

    async def distribute(
        self,
        license: AsyncLicense | str,
        principals: Iterable[str],
        allowed_operations: Sequence[AllowedOperation | str],
        *,
        grant_name: str | None = None,
        home_region: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate_limit: float | None = DEFAULT_RATE_LIMIT,
        attempts_per_principal: int = 3,
        dry_run: bool = False,
        progress: Callable[[int, int, PrincipalOutcome], None] | None = None,
        report_path: str | os.PathLike[str] | None = None,
    ) -> DistributionReport:
        """Grant `license` to many accounts at once; as `LicenseManager.grants.distribute`, on asyncio tasks.

        Idempotent: a re-run (after a failure or a cancellation) creates only the missing grants.
        """
        return await distribute(
            self._lm,
            license if isinstance(license, AsyncLicense) else await self._lm.licenses.get(license),
            principals,
            allowed_operations,
            grant_name=grant_name,
            home_region=home_region,
            concurrency=concurrency,
            rate_limit=rate_limit,
            attempts_per_principal=attempts_per_principal,
            dry_run=dry_run,
            progress=progress,
            report_path=report_path,
        )

    def _grant(self, data: GrantData) -> AsyncGrant:
        return AsyncGrant(self._lm, data)
