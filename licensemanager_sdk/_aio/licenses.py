"""`lm.licenses` of `AsyncLicenseManager`: `AsyncLicense` snapshots (data loaded when made) and their actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from licensemanager_sdk._aio._waiters import DEFAULT_TIMEOUT, wait_for
from licensemanager_sdk._exceptions import ResponseValidationError
from licensemanager_sdk.pagination import AsyncPaginator
from licensemanager_sdk.resources.licenses import _NOT_AVAILABLE_EVER

if TYPE_CHECKING:
    from licensemanager_sdk._async_client import AsyncLicenseManager
    from licensemanager_sdk.types import DeleteLicenseResponse, LicenseData, LicenseStatus, ListLicensesResponse

__all__ = ["AsyncLicense", "AsyncLicenses"]


class AsyncLicense:
    """A license snapshot: `.data` (a `LicenseData`) as read when it was made; actions return new snapshots."""

    __slots__ = ("_lm", "data")

    def __init__(self, lm: AsyncLicenseManager, data: LicenseData) -> None:
        self._lm = lm
        self.data = data

    @property
    def arn(self) -> str:
        return str(self.data.license_arn)

    @property
    def status(self) -> LicenseStatus | str | None:
        return self.data.status

    @property
    def version(self) -> str | None:
        return self.data.version

    async def reload(self) -> AsyncLicense:
        """A new snapshot with the license's current data (`GetLicense`)."""
        return await self._lm.licenses.get(self.arn)

    async def delete(self) -> DeleteLicenseResponse:
        """DeleteLicense, gated on this snapshot's version."""
        if not self.version:
            raise ResponseValidationError(f"{self.arn} has no Version in its data; cannot send a version-gated write")
        return await self._lm.api.delete_license(license_arn=self.arn, source_version=self.version)

    async def wait_until_available(self, *, timeout: float = DEFAULT_TIMEOUT) -> AsyncLicense:
        """Poll until the license is AVAILABLE (0.5 s .. 5 s between polls)."""
        return await wait_for(
            self.reload,
            lambda snapshot: snapshot.status,
            resource=self.arn,
            wanted=("AVAILABLE",),
            hopeless=_NOT_AVAILABLE_EVER,
            timeout=timeout,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AsyncLicense) and other.arn == self.arn

    def __hash__(self) -> int:
        return hash(self.arn)

    def __repr__(self) -> str:
        return f"AsyncLicense({self.arn!r}, status={self.status!s})"


class AsyncLicenses:
    """`lm.licenses` of the async client."""

    def __init__(self, lm: AsyncLicenseManager) -> None:
        self._lm = lm

    async def get(self, arn: str) -> AsyncLicense:
        """The license `arn` (`GetLicense`)."""
        found = (await self._lm.api.get_license(license_arn=arn)).license
        if found is None:
            raise ResponseValidationError(f"GetLicense answered without a License for {arn}")
        return AsyncLicense(self._lm, found)

    async def create(self, **fields: Any) -> AsyncLicense:
        """CreateLicense with `lm.api.create_license`'s keyword fields, then the new license."""
        created = await self._lm.api.create_license(**fields)
        if created.license_arn is None:
            raise ResponseValidationError("CreateLicense answered without a LicenseArn")
        return await self.get(created.license_arn)

    def list(self, *, page_size: int | None = None, max_items: int | None = None) -> AsyncPaginator[Any, Any]:
        """Every license you own, as `LicenseData` (`async for`)."""
        pager: AsyncPaginator[LicenseData, ListLicensesResponse] = self._lm.api.paginate_list_licenses(
            page_size=page_size, max_items=max_items
        )
        return pager
