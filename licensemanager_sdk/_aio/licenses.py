"""`AsyncLicense` (a license snapshot, data loaded), `AsyncReceivedLicense` and `lm.licenses` of `AsyncLicenseManager`.
The same methods and parameters as the sync `License`, `ReceivedLicense` and `Licenses`; listings yield snapshots."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from licensemanager_sdk._aio._base import AsyncSnapshot
from licensemanager_sdk._aio._waiters import DEFAULT_TIMEOUT, AsyncSleep, wait_for
from licensemanager_sdk._exceptions import ResponseValidationError
from licensemanager_sdk.resources.licenses import (
    _LIST,
    _LIST_RECEIVED,
    _NOT_AVAILABLE_EVER,
    _VERSIONS,
    Received,
    license_data,
    seen_version,
    version_fields,
)
from licensemanager_sdk.types import Issuer, LicenseUsage

if TYPE_CHECKING:
    from licensemanager_sdk._aio.grants import AsyncGrant
    from licensemanager_sdk._aio.tokens import AsyncCreatedToken
    from licensemanager_sdk._async_client import AsyncLicenseManager
    from licensemanager_sdk.pagination import AsyncPaginator
    from licensemanager_sdk.resources._listing import OneOrMany
    from licensemanager_sdk.types import (
        AllowedOperation,
        ConsumptionConfiguration,
        DatetimeRange,
        DeleteLicenseResponse,
        Entitlement,
        GrantedLicense,
        LicenseData,
        LicenseStatus,
        ListLicensesResponse,
        ListLicenseVersionsResponse,
        ListReceivedLicensesResponse,
        Metadata,
        Tag,
    )

__all__ = ["AsyncLicense", "AsyncLicenses", "AsyncReceivedLicense"]


class AsyncLicense(AsyncSnapshot["LicenseData"]):
    """A license snapshot: `.data` (a `LicenseData`) as read when it was made; actions return new snapshots.

    Version-gated writes (`create_version`, `delete`) send THIS snapshot's `data.version`.
    """

    _noun, _wire_id = "license", "LicenseArn"
    __slots__ = ()

    @staticmethod
    def _identity_of(data: LicenseData) -> str | None:
        return data.license_arn

    @property
    def arn(self) -> str:
        return self._identity

    @property
    def status(self) -> LicenseStatus | str | None:
        return self.data.status

    @property
    def version(self) -> str | None:
        return self.data.version

    async def reload(self) -> AsyncLicense:
        """A new snapshot with the license's current data (`GetLicense`)."""
        return await self._lm.licenses.get(self.arn)

    async def create_version(
        self,
        *,
        license_name: str | None = None,
        product_name: str | None = None,
        issuer: Issuer | None = None,
        home_region: str | None = None,
        validity: DatetimeRange | None = None,
        entitlements: list[Entitlement] | None = None,
        consumption_configuration: ConsumptionConfiguration | None = None,
        status: LicenseStatus | str | None = None,
        license_metadata: list[Metadata] | None = None,
        reset_usage: bool | None = None,
        client_token: str | None = None,
    ) -> AsyncLicense:
        """A new version with only the given changes, the rest carried over (see `License.create_version`).

        Returns the new version, read back (`GetLicense`).

        Raises:
            ConflictError: the license has a newer version than this snapshot.
        """
        fields = version_fields(
            self.data,
            license_name=license_name,
            product_name=product_name,
            issuer=issuer,
            home_region=home_region,
            validity=validity,
            entitlements=entitlements,
            consumption_configuration=consumption_configuration,
            status=status,
            license_metadata=license_metadata,
        )
        response = await self._lm.api.create_license_version(
            license_arn=self.arn, **fields, reset_usage=reset_usage, client_token=client_token
        )
        return await self._lm.licenses.get(response.license_arn or self.arn)

    async def delete(self) -> DeleteLicenseResponse:
        """DeleteLicense, gated on this snapshot's version."""
        return await self._lm.api.delete_license(license_arn=self.arn, source_version=seen_version(self.data))

    async def usage(self) -> LicenseUsage:
        """What is consumed of each entitlement now (`GetLicenseUsage`)."""
        return (await self._lm.api.get_license_usage(license_arn=self.arn)).license_usage or LicenseUsage()

    async def create_grant(
        self,
        principal: str,
        allowed_operations: Sequence[AllowedOperation | str],
        *,
        grant_name: str | None = None,
        home_region: str | None = None,
        tags: list[Tag] | None = None,
        client_token: str | None = None,
    ) -> AsyncGrant:
        """Grant this license to one principal; the same as `lm.grants.create(self, ...)`."""
        return await self._lm.grants.create(
            self,
            principal,
            allowed_operations,
            grant_name=grant_name,
            home_region=home_region,
            tags=tags,
            client_token=client_token,
        )

    async def create_token(
        self,
        *,
        role_arns: list[str] | None = None,
        expiration_in_days: int | None = None,
        token_properties: list[str] | None = None,
        client_token: str | None = None,
    ) -> AsyncCreatedToken:
        """Create a refresh token for this license; the same as `lm.tokens.create(self, ...)`."""
        return await self._lm.tokens.create(
            self,
            role_arns=role_arns,
            expiration_in_days=expiration_in_days,
            token_properties=token_properties,
            client_token=client_token,
        )

    async def wait_until_available(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        sleep: AsyncSleep | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> AsyncLicense:
        """Poll `GetLicense` until the license is AVAILABLE (0.5 s, 1 s, 2 s, ... at most 5 s apart)."""
        return await wait_for(
            self.reload,
            lambda snapshot: snapshot.status,
            resource=self.arn,
            wanted=("AVAILABLE",),
            hopeless=_NOT_AVAILABLE_EVER,
            timeout=timeout,
            clock=clock,
            **({} if sleep is None else {"sleep": sleep}),
        )

    def __repr__(self) -> str:
        return f"AsyncLicense({self.arn!r}, status={self.status!s})"


class AsyncReceivedLicense(Received[AsyncLicense]):
    """One item of `lm.licenses.list_received()`: a license received through a grant, and how it was received.

    Attributes:
        license: the `AsyncLicense` (its data is this item's license fields, no extra call).
        received_metadata: `ReceivedMetadata`: received status and the operations the grant allows you.
        data: the raw `GrantedLicense` item.
    """

    __slots__ = ()


class AsyncLicenses:
    """`lm.licenses` of the async client: create, get and list licenses."""

    def __init__(self, lm: AsyncLicenseManager) -> None:
        self._lm = lm

    async def create(
        self,
        *,
        license_name: str,
        product_name: str,
        product_sku: str,
        issuer: Issuer | str,
        validity: DatetimeRange,
        entitlements: list[Entitlement],
        beneficiary: str,
        consumption_configuration: ConsumptionConfiguration,
        home_region: str | None = None,
        license_metadata: list[Metadata] | None = None,
        tags: list[Tag] | None = None,
        client_token: str | None = None,
    ) -> AsyncLicense:
        """Create a license (`CreateLicense`), as `LicenseManager.licenses.create`; returns it read back."""
        created = await self._lm.api.create_license(
            license_name=license_name,
            product_name=product_name,
            product_sku=product_sku,
            issuer=Issuer(name=issuer) if isinstance(issuer, str) else issuer,
            home_region=home_region or self._lm.region_name,
            validity=validity,
            entitlements=entitlements,
            beneficiary=beneficiary,
            consumption_configuration=consumption_configuration,
            license_metadata=license_metadata,
            tags=tags,
            client_token=client_token,
        )
        if created.license_arn is None:
            raise ResponseValidationError("CreateLicense answered without a LicenseArn")
        return await self.get(created.license_arn)

    async def get(self, arn: str) -> AsyncLicense:
        """The license `arn` (`GetLicense`)."""
        found = (await self._lm.api.get_license(license_arn=arn)).license
        if found is None:
            raise ResponseValidationError(f"GetLicense answered without a License for {arn}")
        return AsyncLicense(self._lm, found)

    def list(
        self,
        *,
        status: OneOrMany[LicenseStatus | str] | None = None,
        product_sku: OneOrMany[str] | None = None,
        fingerprint: OneOrMany[str] | None = None,
        beneficiary: OneOrMany[str] | None = None,
        license_arns: builtins.list[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPaginator[AsyncLicense, ListLicensesResponse]:
        """Licenses issued by this account (`ListLicenses`), `async for`, as `AsyncLicense` snapshots; filters as in
        `LicenseManager.licenses.list` (several values: one call each, merged by ARN)."""
        return _LIST.paginate_async(
            self._lm.api,
            self._license,
            key=lambda item: item.arn,
            filters={
                "status": status,
                "product_sku": product_sku,
                "fingerprint": fingerprint,
                "beneficiary": beneficiary,
            },
            license_arns=license_arns,
            page_size=page_size,
            max_items=max_items,
        )

    def list_received(
        self,
        *,
        status: OneOrMany[LicenseStatus | str] | None = None,
        product_sku: OneOrMany[str] | None = None,
        fingerprint: OneOrMany[str] | None = None,
        issuer_name: OneOrMany[str] | None = None,
        beneficiary: OneOrMany[str] | None = None,
        license_arns: builtins.list[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPaginator[AsyncReceivedLicense, ListReceivedLicensesResponse]:
        """Licenses granted to this account (`ListReceivedLicenses`), `async for`, as `AsyncReceivedLicense` items
        (`.license` to act on, `.received_metadata`); filters as in `list()`."""
        return _LIST_RECEIVED.paginate_async(
            self._lm.api,
            self._received,
            key=lambda item: item.arn,
            filters={
                "status": status,
                "product_sku": product_sku,
                "fingerprint": fingerprint,
                "issuer_name": issuer_name,
                "beneficiary": beneficiary,
            },
            license_arns=license_arns,
            page_size=page_size,
            max_items=max_items,
        )

    def versions(
        self, license: AsyncLicense | str, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPaginator[AsyncLicense, ListLicenseVersionsResponse]:
        """Every version of a license, oldest first (`ListLicenseVersions`), each as an `AsyncLicense` snapshot (all
        with the same ARN, so they compare equal; `.version` tells them apart)."""
        arn = license.arn if isinstance(license, AsyncLicense) else license
        return _VERSIONS.paginate_async(
            self._lm.api,
            self._license,
            key=lambda item: item.version,
            license_arn=arn,
            page_size=page_size,
            max_items=max_items,
        )

    def _license(self, data: LicenseData) -> AsyncLicense:
        return AsyncLicense(self._lm, data)

    def _received(self, item: GrantedLicense) -> AsyncReceivedLicense:
        return AsyncReceivedLicense(AsyncLicense(self._lm, license_data(item)), item.received_metadata, item)
