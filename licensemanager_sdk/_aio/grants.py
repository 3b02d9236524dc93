"""`lm.grants` of `AsyncLicenseManager`: get, list, and `distribute` (on asyncio tasks)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from licensemanager_sdk._aio.distribution import distribute
from licensemanager_sdk._exceptions import ResponseValidationError
from licensemanager_sdk.pagination import AsyncPaginator
from licensemanager_sdk.resources.distribution.run import DEFAULT_CONCURRENCY, DEFAULT_RATE_LIMIT
from licensemanager_sdk.types import Filter

if TYPE_CHECKING:
    from licensemanager_sdk._aio.licenses import AsyncLicense
    from licensemanager_sdk._async_client import AsyncLicenseManager
    from licensemanager_sdk.resources.distribution.report import DistributionReport, PrincipalOutcome
    from licensemanager_sdk.types import AllowedOperation, GrantData, ListDistributedGrantsResponse

__all__ = ["AsyncGrants"]


class AsyncGrants:
    """`lm.grants` of the async client."""

    def __init__(self, lm: AsyncLicenseManager) -> None:
        self._lm = lm

    async def get(self, arn: str) -> GrantData:
        """The grant `arn` (`GetGrant`)."""
        found = (await self._lm.api.get_grant(grant_arn=arn)).grant
        if found is None:
            raise ResponseValidationError(f"GetGrant answered without a Grant for {arn}")
        return found

    def list_distributed(self, *, license_arn: str | None = None) -> AsyncPaginator[GrantData, Any]:
        """Grants you distributed (of `license_arn`, if given), `async for`."""
        filters = [Filter(name="LicenseArn", values=[license_arn])] if license_arn else None
        pager: AsyncPaginator[GrantData, ListDistributedGrantsResponse] = self._lm.api.paginate_list_distributed_grants(
            filters=filters
        )
        return pager

    async def distribute(
        self,
        license: AsyncLicense,
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
            license,
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
