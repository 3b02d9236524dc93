"""`License` (a license snapshot), `ReceivedLicense` and the `lm.licenses` namespace."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from licensemanager_sdk._exceptions import ResponseValidationError
from licensemanager_sdk._generated._api import Api
from licensemanager_sdk._models import ResponseShape
from licensemanager_sdk.pagination import Paginator
from licensemanager_sdk.resources._base import Resource
from licensemanager_sdk.resources._listing import FilterOn, Listing, OneOrMany
from licensemanager_sdk.resources._waiters import DEFAULT_TIMEOUT, wait_for
from licensemanager_sdk.types import (
    AllowedOperation,
    ConsumptionConfiguration,
    DatetimeRange,
    DeleteLicenseResponse,
    Entitlement,
    GrantedLicense,
    Issuer,
    LicenseData,
    LicenseStatus,
    LicenseUsage,
    ListLicensesResponse,
    ListLicenseVersionsResponse,
    ListReceivedLicensesResponse,
    Metadata,
    ReceivedMetadata,
    Tag,
)

if TYPE_CHECKING:  # annotations only: grants.py and tokens.py import this module
    from licensemanager_sdk._client import LicenseManager
    from licensemanager_sdk.resources.grants import Grant
    from licensemanager_sdk.resources.tokens import CreatedToken

__all__ = [
    "License",
    "Licenses",
    "Received",
    "ReceivedLicense",
    "default_grant_name",
    "license_data",
    "seen_version",
    "version_fields",
]


class _HasArn(Protocol):
    @property
    def arn(self) -> str: ...


LicenseT = TypeVar("LicenseT", bound=_HasArn)

_NOT_AVAILABLE_EVER = ("DEACTIVATED", "SUSPENDED", "EXPIRED", "PENDING_DELETE", "DELETED")


class License(Resource["LicenseData"]):
    """A license, identified by its ARN. `.data` (a `LicenseData`) loads with one `GetLicense`, once.

    Every action returns a new snapshot and leaves this one as it is. Version-gated writes (`create_version`,
    `delete`) send the version of THIS snapshot (`.data.version`); if the license changed since, the service's
    `ConflictError` reaches you; `reload()` and decide.
    """

    __slots__ = ()

    @property
    def arn(self) -> str:
        return self._id

    @property
    def status(self) -> LicenseStatus | str | None:
        """`data.status`."""
        return self.data.status

    @property
    def version(self) -> str | None:
        """`data.version`: the version version-gated writes send."""
        return self.data.version

    def _load(self) -> LicenseData:
        found = self._lm.api.get_license(license_arn=self._id).license
        if found is None:
            raise ResponseValidationError(f"GetLicense answered without a License for {self._id}")
        return found

    def reload(self) -> License:
        """A new snapshot with the license's current data (`GetLicense`)."""
        return License(self._lm, self._id, data=self._load())

    def create_version(
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
    ) -> License:
        """Create a new version with only the given changes; every other field is carried over from this snapshot.

        `CreateLicenseVersion` replaces the whole license on the wire; this sends this snapshot's license name,
        product name, issuer (name and sign key), home region, validity, entitlements, consumption configuration,
        status and metadata for whatever you do not pass, and `SourceVersion` = `self.data.version`. A carried-over
        `PENDING_AVAILABLE` status is sent as `AVAILABLE` (the only status a new version can start from).

        Returns:
            A new, not yet loaded snapshot (its first `.data` access reads the new version).

        Raises:
            ConflictError: the license has a newer version than this snapshot; `reload()` and retry if you meant to.
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
        response = self._lm.api.create_license_version(
            license_arn=self._id, **fields, reset_usage=reset_usage, client_token=client_token
        )
        return License(self._lm, response.license_arn or self._id)

    def delete(self) -> DeleteLicenseResponse:
        """Delete the license (`DeleteLicense` with `SourceVersion` = `self.data.version`).

        Returns:
            The service's answer: `status` (PENDING_DELETE or DELETED) and `deletion_date`.

        Raises:
            ConflictError: the license has a newer version than this snapshot.
        """
        return self._lm.api.delete_license(license_arn=self._id, source_version=seen_version(self.data))

    def usage(self) -> LicenseUsage:
        """What is consumed of each entitlement now (`GetLicenseUsage`)."""
        return self._lm.api.get_license_usage(license_arn=self._id).license_usage or LicenseUsage()

    def create_grant(
        self,
        principal: str,
        allowed_operations: Sequence[AllowedOperation | str],
        *,
        grant_name: str | None = None,
        home_region: str | None = None,
        tags: list[Tag] | None = None,
        client_token: str | None = None,
    ) -> Grant:
        """Grant this license to one principal; the same as `lm.grants.create(self, ...)`."""
        return self._lm.grants.create(
            self,
            principal,
            allowed_operations,
            grant_name=grant_name,
            home_region=home_region,
            tags=tags,
            client_token=client_token,
        )

    def create_token(
        self,
        *,
        role_arns: list[str] | None = None,
        expiration_in_days: int | None = None,
        token_properties: list[str] | None = None,
        client_token: str | None = None,
    ) -> CreatedToken:
        """Create a refresh token for this license; the same as `lm.tokens.create(self, ...)`."""
        return self._lm.tokens.create(
            self,
            role_arns=role_arns,
            expiration_in_days=expiration_in_days,
            token_properties=token_properties,
            client_token=client_token,
        )

    def wait_until_available(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> License:
        """Poll `GetLicense` until the license is AVAILABLE (0.5 s, 1 s, 2 s, ... at most 5 s apart).

        Returns:
            The first snapshot that is AVAILABLE.

        Raises:
            WaitTimeoutError: not AVAILABLE within `timeout` seconds (names the last status seen).
            WaiterError: the license is DEACTIVATED, SUSPENDED, EXPIRED or deleted, so waiting cannot help.
        """
        return wait_for(
            self.reload,
            lambda snapshot: snapshot.data.status,
            resource=self._id,
            wanted=("AVAILABLE",),
            hopeless=_NOT_AVAILABLE_EVER,
            timeout=timeout,
            sleep=sleep,
            clock=clock,
        )


class Received(Generic[LicenseT]):
    """What `ReceivedLicense` and the async `AsyncReceivedLicense` share: a received license snapshot, how it was
    received, the raw item; identified (`==`, hash) by type and ARN."""

    __slots__ = ("data", "license", "received_metadata")

    def __init__(self, license: LicenseT, received_metadata: ReceivedMetadata | None, data: GrantedLicense) -> None:
        self.license = license
        self.received_metadata = received_metadata
        self.data = data

    @property
    def arn(self) -> str:
        return self.license.arn

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.arn == self.arn

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.arn))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(arn={self.arn!r})"


class ReceivedLicense(Received[License]):
    """One item of `licenses.list_received()`: a license received through a grant, and how it was received.

    Attributes:
        license: the `License` (its data is this item's license fields, no extra call).
        received_metadata: `ReceivedMetadata`: received status and the operations the grant allows you.
        data: the raw `GrantedLicense` item.
    """

    __slots__ = ()


class Licenses:
    """`lm.licenses`: create, get and list licenses. Resource methods live on `License`."""

    def __init__(self, client: LicenseManager) -> None:
        self._lm = client

    def create(
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
    ) -> License:
        """Create a license (`CreateLicense`; the ClientToken is made for you unless you pass one).

        Args:
            issuer: an `Issuer`, or just the issuer name.
            home_region: default: the client's region (the service only accepts its own region here).

        Returns:
            A not yet loaded `License`; call `wait_until_available()` before relying on its status.
        """
        response = self._lm.api.create_license(
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
        return License(self._lm, _required(response.license_arn, "LicenseArn"))

    def get(self, arn: str) -> License:
        """The license `arn`, loaded now (`GetLicense`); use `License(lm, arn)` for a handle that loads lazily."""
        return License(self._lm, arn).reload()

    def list(
        self,
        *,
        status: OneOrMany[LicenseStatus | str] | None = None,
        product_sku: OneOrMany[str] | None = None,
        fingerprint: OneOrMany[str] | None = None,
        beneficiary: OneOrMany[str] | None = None,
        license_arns: list[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Paginator[License, ListLicensesResponse]:
        """Licenses issued by this account (`ListLicenses`), lazily, page by page.

        Each filter takes one value or several (a list, tuple or set); several values mean one call per value
        (per combination, for several such filters), merged and de-duplicated by ARN. Nothing is sent before you
        iterate.
        """
        return _LIST.paginate(
            self._lm.api,
            self._license,
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
    ) -> Paginator[ReceivedLicense, ListReceivedLicensesResponse]:
        """Licenses granted to this account (`ListReceivedLicenses`), as `ReceivedLicense` items, lazily.

        Filters as in `list()`; `status` is the license's status (the received status is in each item's
        `received_metadata`).
        """
        return _LIST_RECEIVED.paginate(
            self._lm.api,
            self._received,
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
        self, license: License | str, *, page_size: int | None = None, max_items: int | None = None
    ) -> Paginator[License, ListLicenseVersionsResponse]:
        """Every version of a license, oldest first (`ListLicenseVersions`), each as a `License` snapshot.

        All items have the same ARN (so they compare equal); each one's `.data.version` tells them apart.
        """
        arn = license.arn if isinstance(license, License) else license
        return _VERSIONS.paginate(
            self._lm.api, self._license, license_arn=arn, page_size=page_size, max_items=max_items
        )

    def _license(self, data: LicenseData) -> License:
        return License(self._lm, _required(data.license_arn, "LicenseArn"), data=data)

    def _received(self, item: GrantedLicense) -> ReceivedLicense:
        license = License(self._lm, _required(item.license_arn, "LicenseArn"), data=license_data(item))
        return ReceivedLicense(license, item.received_metadata, item)


_LIST: Listing[LicenseData, ListLicensesResponse] = Listing(
    Api.list_licenses,
    lambda response: response.licenses,
    {
        "status": FilterOn("Status", LicenseStatus),
        "product_sku": FilterOn("ProductSKU"),
        "fingerprint": FilterOn("Fingerprint"),
        "beneficiary": FilterOn("Beneficiary"),
    },
)
_LIST_RECEIVED: Listing[GrantedLicense, ListReceivedLicensesResponse] = Listing(
    Api.list_received_licenses,
    lambda response: response.licenses,
    {
        "status": FilterOn("Status", LicenseStatus),
        "product_sku": FilterOn("ProductSKU"),
        "fingerprint": FilterOn("Fingerprint"),
        "issuer_name": FilterOn("IssuerName"),
        "beneficiary": FilterOn("Beneficiary"),
    },
)
_VERSIONS: Listing[LicenseData, ListLicenseVersionsResponse] = Listing(
    Api.list_license_versions, lambda response: response.licenses
)


_LICENSE_FIELDS = tuple(name for name in LicenseData.model_fields if name in GrantedLicense.model_fields)
"""The fields a received item (`GrantedLicense`) shares with `LicenseData`."""


def license_data(item: GrantedLicense) -> LicenseData:
    """The license fields of a received item, as `LicenseData` (shared with the async client)."""
    return LicenseData.model_validate({name: getattr(item, name) for name in _LICENSE_FIELDS})


def version_fields(
    data: LicenseData,
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
) -> dict[str, Any]:
    """`CreateLicenseVersion`'s fields: the given changes, everything else carried over from `data` (see
    `License.create_version`; shared with the async client)."""
    if issuer is None:
        if data.issuer is None or not data.issuer.name:
            raise ResponseValidationError(f"{data.license_arn} has no Issuer.Name to carry over; pass issuer=")
        issuer = Issuer(name=data.issuer.name, sign_key=data.issuer.sign_key)
    if status is None:
        current = data.status
        status = "AVAILABLE" if current in (None, "PENDING_AVAILABLE") else current
    return {
        "license_name": license_name if license_name is not None else _required(data.license_name, "license_name"),
        "product_name": product_name if product_name is not None else _required(data.product_name, "product_name"),
        "issuer": issuer,
        "home_region": home_region if home_region is not None else _required(data.home_region, "home_region"),
        "validity": validity if validity is not None else _known(_required(data.validity, "validity")),
        "entitlements": entitlements if entitlements is not None else [_known(e) for e in data.entitlements],
        "consumption_configuration": (
            consumption_configuration
            if consumption_configuration is not None
            else _known(_required(data.consumption_configuration, "consumption_configuration"))
        ),
        "status": LicenseStatus(getattr(status, "value", status)),
        "license_metadata": license_metadata
        if license_metadata is not None
        else [_known(m) for m in data.license_metadata],
        "source_version": seen_version(data),
    }


def seen_version(data: LicenseData) -> str:
    """The version a version-gated write sends: `data.version`."""
    if not data.version:
        raise ResponseValidationError(
            f"{data.license_arn} has no Version in its data; cannot send a version-gated write"
        )
    return data.version


class _Named(Protocol):
    """What `default_grant_name` reads: a sync or async license snapshot."""

    @property
    def arn(self) -> str: ...
    @property
    def data(self) -> LicenseData: ...


def default_grant_name(license: _Named) -> str:
    """The name a grant of `license` gets when none is given: the license's name (one `GetLicense` if not loaded)."""
    name = license.data.license_name
    if not name:
        raise ResponseValidationError(f"{license.arn} has no LicenseName to name the grant after; pass grant_name=")
    return name


def _required(value: Any, name: str) -> Any:
    if value is None:
        raise ResponseValidationError(f"the service's answer has no {name}")
    return value


def _known(shape: ResponseShape) -> Any:
    """A copy of a response shape without fields it did not model, so it can be sent back in a request."""
    cls = type(shape)
    return cls.model_validate({name: _known_value(getattr(shape, name)) for name in cls.__pydantic_fields__})


def _known_value(value: Any) -> Any:
    if isinstance(value, ResponseShape):
        return _known(value)
    if isinstance(value, list):
        return [_known_value(item) for item in value]
    return value
