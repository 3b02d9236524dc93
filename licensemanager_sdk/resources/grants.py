"""`Grant` (a grant snapshot) and the `lm.grants` namespace."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from licensemanager_sdk._exceptions import ResponseValidationError
from licensemanager_sdk._generated._api import Api
from licensemanager_sdk.pagination import Paginator
from licensemanager_sdk.resources._base import Resource
from licensemanager_sdk.resources._listing import FilterOn, Listing, OneOrMany
from licensemanager_sdk.resources._principals import principal_arn
from licensemanager_sdk.resources._waiters import DEFAULT_TIMEOUT, wait_for
from licensemanager_sdk.resources.distribution import (
    DEFAULT_CONCURRENCY,
    DEFAULT_RATE_LIMIT,
    DistributionReport,
    PrincipalOutcome,
    distribute,
)
from licensemanager_sdk.resources.licenses import License, default_grant_name
from licensemanager_sdk.types import (
    AllowedOperation,
    GrantData,
    GrantStatus,
    ListDistributedGrantsResponse,
    ListReceivedGrantsResponse,
    Options,
    Tag,
)

if TYPE_CHECKING:
    from licensemanager_sdk._client import LicenseManager

__all__ = ["Grant", "Grants", "after_action", "changed_data", "statuses", "version_fields"]

_FINAL = frozenset({"REJECTED", "DELETED", "FAILED_WORKFLOW"})
"""Grant statuses nothing leaves."""

_LIST_RECEIVED: Listing[GrantData, ListReceivedGrantsResponse] = Listing(
    Api.list_received_grants,
    lambda response: response.grants,
    {
        "status": FilterOn("GrantStatus", GrantStatus),
        "product_sku": FilterOn("ProductSKU"),
        "license_arn": FilterOn("LicenseArn"),
        "license_issuer_name": FilterOn("LicenseIssuerName"),
        "granter_account_id": FilterOn("GranterAccountId"),
    },
)
_LIST_DISTRIBUTED: Listing[GrantData, ListDistributedGrantsResponse] = Listing(
    Api.list_distributed_grants,
    lambda response: response.grants,
    {
        "status": FilterOn("GrantStatus", GrantStatus),
        "license_arn": FilterOn("LicenseArn"),
        "grantee_principal_arn": FilterOn("GranteePrincipalARN", convert=principal_arn),
        "product_sku": FilterOn("ProductSKU"),
        "license_issuer_name": FilterOn("LicenseIssuerName"),
    },
)


class Grant(Resource["GrantData"]):
    """A grant, identified by its ARN. `.data` (a `GrantData`) loads with one `GetGrant`, once.

    Grantee actions: `accept()`, `activate()`, `deactivate()`, `reject()`, or `accept_and_activate()` for the
    common path. Grantor actions: `create_version()`, `delete()`. Every action returns a new snapshot.
    """

    __slots__ = ()

    @property
    def arn(self) -> str:
        return self._id

    @property
    def status(self) -> GrantStatus | str | None:
        """`data.grant_status`."""
        return self.data.grant_status

    @property
    def version(self) -> str | None:
        """`data.version`: the version `delete()` sends."""
        return self.data.version

    def _load(self) -> GrantData:
        found = self._lm.api.get_grant(grant_arn=self._id).grant
        if found is None:
            raise ResponseValidationError(f"GetGrant answered without a Grant for {self._id}")
        return found

    def reload(self) -> Grant:
        """A new snapshot with the grant's current data (`GetGrant`)."""
        return Grant(self._lm, self._id, data=self._load())

    def _after(self, status: GrantStatus | str | None, version: str | None, **changes: object) -> Grant:
        """The snapshot after an action: this data with the answered status and version (if this data is loaded)."""
        if self._data is None:
            return Grant(self._lm, self._id)
        return Grant(self._lm, self._id, data=after_action(self._data, status, version, **changes))

    def accept(self) -> Grant:
        """Accept the grant as its grantee (`AcceptGrant`): PENDING_ACCEPT -> DISABLED (accepted, not active)."""
        response = self._lm.api.accept_grant(grant_arn=self._id)
        return self._after(response.status, response.version)

    def reject(self) -> Grant:
        """Reject the grant as its grantee (`RejectGrant`). A rejected grant can never be activated."""
        response = self._lm.api.reject_grant(grant_arn=self._id)
        return self._after(response.status, response.version)

    def activate(self, options: Options | None = None) -> Grant:
        """Activate an accepted grant as its grantee (`CreateGrantVersion` with Status ACTIVE).

        Args:
            options: `Options(activation_override_behavior=...)`, for AWS Marketplace licenses only.
        """
        return self.create_version(status=GrantStatus.ACTIVE, options=options)

    def deactivate(self) -> Grant:
        """Deactivate an active grant as its grantee (`CreateGrantVersion` with Status DISABLED)."""
        return self.create_version(status=GrantStatus.DISABLED)

    def accept_and_activate(self, options: Options | None = None) -> Grant:
        """Accept (unless already accepted) and activate: the one call a grantee needs. Safe to call again.

        Looks at this snapshot's status (loading it if needed): ACTIVE -> nothing to do; DISABLED -> activate only;
        anything else -> `AcceptGrant`, then activate. A REJECTED or DELETED grant fails with the service's error.
        """
        status = self.data.grant_status
        if status == "ACTIVE":
            return self
        accepted = self if status == "DISABLED" else self.accept()
        return accepted.activate(options)

    def create_version(
        self,
        *,
        grant_name: str | None = None,
        allowed_operations: Sequence[AllowedOperation | str] | None = None,
        status: GrantStatus | str | None = None,
        status_reason: str | None = None,
        options: Options | None = None,
        client_token: str | None = None,
    ) -> Grant:
        """Change the grant (`CreateGrantVersion`): only what you pass is sent.

        The grantor may change the name and allowed operations; the grantee may set the status (ACTIVE/DISABLED).
        Not version-gated: no `SourceVersion` is sent.
        """
        fields = version_fields(grant_name, allowed_operations, status, status_reason, options)
        response = self._lm.api.create_grant_version(grant_arn=self._id, **fields, client_token=client_token)
        return self._after(response.status, response.version, **changed_data(fields))

    def delete(self, status_reason: str | None = None) -> Grant:
        """Delete the grant as its grantor (`DeleteGrant` with Version = `self.data.version`).

        Raises:
            ServiceValidationError: the grant has a newer version than this snapshot (the service answers a
                ValidationException here); `reload()` and decide.
        """
        version = self.data.version
        if not version:
            raise ResponseValidationError(f"{self._id} has no Version in its data; cannot send DeleteGrant")
        response = self._lm.api.delete_grant(grant_arn=self._id, version=version, status_reason=status_reason)
        return self._after(response.status, response.version)

    def wait_until(
        self,
        status: GrantStatus | str | Iterable[GrantStatus | str],
        timeout: float = DEFAULT_TIMEOUT,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> Grant:
        """Poll `GetGrant` until the grant's status is `status` (or one of several), with backoff.

        Returns:
            The first snapshot in a wanted status.

        Raises:
            WaitTimeoutError: not there within `timeout` seconds (names the last status seen).
            WaiterError: the grant is REJECTED, DELETED or FAILED_WORKFLOW (and that is not wanted).
        """
        wanted, hopeless = statuses(status)
        return wait_for(
            self.reload,
            lambda snapshot: snapshot.data.grant_status,
            resource=self._id,
            wanted=wanted,
            hopeless=hopeless,
            timeout=timeout,
            sleep=sleep,
            clock=clock,
        )

    def wait_until_active(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> Grant:
        """`wait_until("ACTIVE", timeout)`."""
        return self.wait_until("ACTIVE", timeout, sleep=sleep, clock=clock)


def after_action(
    data: GrantData, status: GrantStatus | str | None, version: str | None, **changes: object
) -> GrantData:
    """A grant's data after an action: the answered status and version, and the changes sent (None: unchanged)."""
    update = {"grant_status": status, "version": version, **{k: v for k, v in changes.items() if v is not None}}
    return data.model_copy(update=update)


def version_fields(
    grant_name: str | None,
    allowed_operations: Sequence[AllowedOperation | str] | None,
    status: GrantStatus | str | None,
    status_reason: str | None,
    options: Options | None,
) -> dict[str, Any]:
    """`CreateGrantVersion`'s fields for `create_version()` (shared with the async client)."""
    return {
        "grant_name": grant_name,
        "allowed_operations": None
        if allowed_operations is None
        else [AllowedOperation(op) for op in allowed_operations],
        "status": None if status is None else GrantStatus(status),
        "status_reason": status_reason,
        "options": options,
    }


def changed_data(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The `GrantData` changes `version_fields` make (the status comes from the answer)."""
    return {
        "grant_name": fields["grant_name"],
        "granted_operations": fields["allowed_operations"],
        "status_reason": fields["status_reason"],
        "options": fields["options"],
    }


def statuses(status: GrantStatus | str | Iterable[GrantStatus | str]) -> tuple[tuple[str, ...], frozenset[str]]:
    """What `wait_until(status)` waits for, and the final statuses that make waiting hopeless."""
    wanted_raw = [status] if isinstance(status, str) else list(status)
    wanted = tuple(GrantStatus(item).value for item in wanted_raw)
    return wanted, _FINAL - set(wanted)


class Grants:
    """`lm.grants`: create, get, list and distribute grants. Resource methods live on `Grant`."""

    def __init__(self, client: LicenseManager) -> None:
        self._lm = client

    def create(
        self,
        license: License | str,
        principal: str,
        allowed_operations: Sequence[AllowedOperation | str],
        *,
        grant_name: str | None = None,
        home_region: str | None = None,
        tags: list[Tag] | None = None,
        client_token: str | None = None,
    ) -> Grant:
        """Grant a license to ONE principal (`CreateGrant`).

        Args:
            license: a `License` or a license ARN.
            principal: a 12-digit account id (sent as `arn:aws:iam::<id>:root`) or an account/organization/OU ARN.
            allowed_operations: what the grantee may do, e.g. `[AllowedOperation.CHECKOUT_LICENSE]`.
            grant_name: default: the license's name (one `GetLicense` if the license is not loaded yet).
            home_region: default: the client's region (the service only creates grants in the license's home region).

        Returns:
            A not yet loaded `Grant` (new grants read PENDING_ACCEPT until the grantee accepts).
        """
        target = license if isinstance(license, License) else License(self._lm, license)
        response = self._lm.api.create_grant(
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
        return Grant(self._lm, response.grant_arn)

    def get(self, arn: str) -> Grant:
        """The grant `arn`, loaded now (`GetGrant`); use `Grant(lm, arn)` for a handle that loads lazily."""
        return Grant(self._lm, arn).reload()

    def list_received(
        self,
        *,
        status: OneOrMany[GrantStatus | str] | None = None,
        product_sku: OneOrMany[str] | None = None,
        license_arn: OneOrMany[License | str] | None = None,
        license_issuer_name: OneOrMany[str] | None = None,
        granter_account_id: OneOrMany[str] | None = None,
        grant_arns: list[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Paginator[Grant, ListReceivedGrantsResponse]:
        """Grants to this account, its organization or OU (`ListReceivedGrants`), lazily.

        Each filter takes one value or several (a list, tuple or set); several values mean one call per value
        (per combination), merged and de-duplicated by ARN. Nothing is sent before you iterate.
        """
        return _LIST_RECEIVED.paginate(
            self._lm.api,
            self._grant,
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
        license_arn: OneOrMany[License | str] | None = None,
        grantee_principal_arn: OneOrMany[str] | None = None,
        product_sku: OneOrMany[str] | None = None,
        license_issuer_name: OneOrMany[str] | None = None,
        grant_arns: list[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Paginator[Grant, ListDistributedGrantsResponse]:
        """Grants this account created (`ListDistributedGrants`), lazily; filters as in `list_received()`.

        `grantee_principal_arn` also takes 12-digit account ids (sent as `arn:aws:iam::<id>:root`).
        """
        return _LIST_DISTRIBUTED.paginate(
            self._lm.api,
            self._grant,
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

    def distribute(
        self,
        license: License | str,
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
        """Grant a license to many principals, safely re-runnable; see `licensemanager_sdk.resources.distribution`.

        Args:
            license: a `License` or a license ARN.
            principals: 12-digit account ids and/or principal ARNs (account root, organization, OU).
            allowed_operations: what every grantee may do.
            grant_name: default: the license's name. Part of each grant's ClientToken.
            home_region: default: the client's region.
            concurrency: CreateGrant calls in flight at once (threads).
            rate_limit: None (default): adaptive, no cap until the service shows congestion (throttling, retried
                calls), then a cap that backs off and recovers; a number: a fixed ceiling in CreateGrant calls per
                second that backs off the same way. See docs/grant-distribution.md.
            attempts_per_principal: tries per principal when a call still fails with throttling, a 5xx or a
                transport error after the client's own retries (same ClientToken every time).
            dry_run: list what exists and return the plan; nothing is written.
            progress: called as `progress(done, total, outcome)` after each principal, from the calling thread.
            report_path: stream the outcomes to this file as they complete (JSON lines; CSV for a `.csv` name),
                created or rewritten; the report then keeps only counts in memory. Default: kept in memory.

        Returns:
            A `DistributionReport` with every principal exactly once: created, already present, failed (or, in a
            dry run, would create).
        """
        return distribute(
            self._lm,
            license if isinstance(license, License) else License(self._lm, license),
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

    def _grant(self, data: GrantData) -> Grant:
        if not data.grant_arn:
            raise ResponseValidationError("a listed grant has no GrantArn")
        return Grant(self._lm, data.grant_arn, data=data)
