"""Grant operations on typed state: create, version, read, accept, reject, delete, and the grant lists
(SERVICE.md §5). Wire parameters are read, and answers rendered, in `responses.py`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from ..core.caller import Caller
from ..core.faults import fault
from ..core.ids import account_root_arn, new_hex_id
from ..core.organizations import Organization
from .backend import Backend
from .formats import ALL_OPERATIONS, MARKETPLACE_ISSUER, account_principal, grant_arn, parse_principal
from .indexes import principal_key
from .licenses import append_grant_version, tag_new_resource
from .models import GRANTS, Grant, GrantVersion, Tag

__all__ = [
    "accept_grant",
    "create_grant",
    "create_grant_version",
    "delete_grant",
    "grant_field",
    "grant_version",
    "grants_where",
    "management_organization",
    "new_grant",
    "reject_grant",
]


def _require_grant(b: Backend, arn: str) -> Grant:
    grant = b.grant(arn)
    if grant is None:
        raise fault(b.settings.unknown_grant_error, f"Grant {arn} does not exist.")
    return grant


def _dedupe(ops: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ops))


def new_grant(
    b: Backend,
    *,
    grantor: str,
    license_arn: str,
    parent: str,
    principal: str,
    home: str,
    name: str,
    operations: Sequence[str],
    status: str,
    grant_type: str | None = None,
    activation_override: str | None = None,
) -> Grant:
    """Store a grant at version "1"."""
    version = GrantVersion(name, status, tuple(operations), "1", grant_type or None, activation_override)
    grant = Grant(grant_arn(grantor, new_hex_id()), grantor, license_arn, parent, principal, home, b.now(), (version,))
    b.add_grant(grant)
    return grant


def create_grant(
    b: Backend,
    caller: Caller,
    *,
    license_arn: str,
    name: str,
    principal: str,
    home_region: str,
    operations: Sequence[str],
    grant_type: str | None,
    activation_override: str | None,
    tags: Sequence[Tag],
) -> Grant:
    """CreateGrant by the issuer, or by a grantee redistributing through an ACTIVE grant allowing CreateGrant (§5.1).

    Returns the stored grant (PENDING_ACCEPT for an account, WORKFLOW_COMPLETED for an organisation or OU)."""
    lic = b.license(license_arn)
    if lic is None:
        raise fault("InvalidParameterValueException", f"License {license_arn} does not exist.")
    wanted = _dedupe(operations)
    parent = lic.arn
    allowed: Sequence[str] = ALL_OPERATIONS
    if lic.account != caller.account:
        via = b.usable_grant(lic.arn, caller.account, "CreateGrant")
        if via is None:
            raise fault(
                "AccessDeniedException", f"Account {caller.account} may not create grants for license {lic.arn}."
            )
        parent, allowed = via.arn, via.current.granted_operations
        if "CreateGrant" in wanted:
            raise fault("ValidationException", "A grant created from a received license cannot allow CreateGrant.")
    if lic.deletion is not None:
        raise fault("ValidationException", f"License {lic.arn} is deleted.")
    if caller.region != lic.home or home_region != lic.home:
        raise fault("ValidationException", f"Grant can only be created in resource home AWS region: {lic.home}")
    parsed = parse_principal(principal)
    if parsed is None:
        raise fault(
            "ValidationException", f"Invalid principal {principal}: use an account root, organization or OU ARN."
        )
    if parsed[0] == "account" and parsed[1] == caller.account:
        raise fault("ValidationException", "You cannot create a grant to your own account.")
    extra = [op for op in wanted if op not in allowed]
    if extra:
        raise fault("ValidationException", f"Allowed operations {extra} are not a subset of the operations you hold.")
    live = b.live_grants(lic.arn)
    if live >= b.settings.max_grants_per_license:
        raise fault("ResourceLimitExceededException", f"License {lic.arn} already has {live} grants.")
    account = account_principal(principal)
    grant = new_grant(
        b,
        grantor=caller.account,
        license_arn=lic.arn,
        parent=parent,
        principal=principal,
        home=lic.home,
        name=name,
        operations=wanted,
        status="PENDING_ACCEPT" if account is not None else "WORKFLOW_COMPLETED",
        grant_type=grant_type,
        activation_override=activation_override,
    )
    if account is None:
        _distribute(b, caller, grant)
    tag_new_resource(b, grant.arn, tags)
    return grant


def _distribute(b: Backend, caller: Caller, org_grant: Grant) -> None:
    """Child grants of an organisation/OU grant, one per member account (§5.1)."""
    parsed = parse_principal(org_grant.principal)
    org = b.organization(parsed[1]) if parsed else None
    auto_accept = org is not None and org.all_features and org.management == caller.account
    v = org_grant.current
    for member in b.principal_members(org_grant.principal):
        if member == caller.account:
            continue
        new_grant(
            b,
            grantor=caller.account,
            license_arn=org_grant.license,
            parent=org_grant.arn,
            principal=account_root_arn(member),
            home=org_grant.home,
            name=v.grant_name,
            operations=v.granted_operations,
            status="DISABLED" if auto_accept else "PENDING_ACCEPT",
            grant_type=v.grant_type,
        )


def grant_version(b: Backend, caller: Caller, arn: str, number: str | None) -> tuple[Grant, GrantVersion]:
    """GetGrant: the grant and its current version or version `number` (grantor or grantee only)."""
    grant = _require_grant(b, arn)
    if grant.account != caller.account and not b.received_by(grant, caller.account):
        raise fault("AccessDeniedException", f"Account {caller.account} is neither grantor nor grantee of {arn}.")
    version = grant.current if number is None else grant.version(number)
    if version is None:
        raise fault("InvalidParameterValueException", f"Grant {grant.arn} has no version {number}.")
    return grant, version


def _grantee_action(b: Backend, caller: Caller, arn: str, verb: str, allowed_from: tuple[str, ...], to: str) -> Grant:
    grant = _require_grant(b, arn)
    if account_principal(grant.principal) != caller.account:
        raise fault(
            "ValidationException", f"Caller {account_root_arn(caller.account)} is not allowed to {verb} this grant."
        )
    if grant.status not in allowed_from:
        raise fault("ValidationException", f"Grant {grant.arn} is {grant.status} and cannot be {verb}ed.")
    return append_grant_version(b, grant, grant_status=to)


def accept_grant(b: Backend, caller: Caller, arn: str) -> Grant:
    """AcceptGrant by the grantee: PENDING_ACCEPT -> DISABLED (§5.2)."""
    return _grantee_action(b, caller, arn, "accept", ("PENDING_ACCEPT",), "DISABLED")


def reject_grant(b: Backend, caller: Caller, arn: str) -> Grant:
    """RejectGrant by the grantee: -> REJECTED, final (§5.2)."""
    return _grantee_action(b, caller, arn, "reject", ("PENDING_ACCEPT", "DISABLED", "ACTIVE"), "REJECTED")


def delete_grant(b: Backend, caller: Caller, arn: str, version: str, status_reason: str | None) -> Grant:
    """DeleteGrant by the grantor with the current Version; grants derived from it are deleted too (§5.5)."""
    grant = _require_grant(b, arn)
    if grant.account != caller.account:
        raise fault("AccessDeniedException", f"Only the grantor may delete grant {grant.arn}.")
    if grant.status == "DELETED":
        raise fault("ValidationException", f"Grant {grant.arn} is already deleted.")
    current = grant.current.version
    if version != current:
        raise fault("ValidationException", f"Version {version} is not the current grant version {current}.")
    updated = append_grant_version(b, grant, grant_status="DELETED", status_reason=status_reason)
    pending = [grant.arn]
    while pending:
        parent = pending.pop()
        for child in list(b.grants_from(parent)):
            if child.status != "DELETED":
                append_grant_version(b, child, grant_status="DELETED", status_reason="Parent grant deleted")
                pending.append(child.arn)
    return updated


def create_grant_version(
    b: Backend,
    caller: Caller,
    arn: str,
    *,
    source_version: str | None,
    name: str | None,
    operations: Sequence[str] | None,
    status: str | None,
    status_reason: str | None,
    options_given: bool,
    activation_override: str | None,
) -> Grant:
    """CreateGrantVersion: the grantor renames/changes operations or disables; the grantee activates or
    deactivates (§5.2-5.4)."""
    grant = _require_grant(b, arn)
    is_grantor = grant.account == caller.account
    is_grantee = account_principal(grant.principal) == caller.account
    if not (is_grantor or is_grantee):
        raise fault("AccessDeniedException", f"Account {caller.account} is neither grantor nor grantee of {grant.arn}.")
    current = grant.current
    if source_version is not None and source_version != current.version:
        raise fault(
            "ValidationException", f"SourceVersion {source_version} is not the current grant version {current.version}."
        )
    if current.grant_status in ("REJECTED", "DELETED"):
        raise fault("ValidationException", f"Grant {grant.arn} is {current.grant_status}.")
    changes: dict[str, object] = {}
    if name is not None or operations is not None:
        if not is_grantor:
            raise fault("AccessDeniedException", "Only the grantor may change the grant name or allowed operations.")
        if name is not None:
            changes["grant_name"] = name
        if operations is not None:
            changes["granted_operations"] = _check_operations(b, grant, _dedupe(operations))
    if options_given and status != "ACTIVE":
        raise fault("ValidationException", "Options can only be used when Status is ACTIVE.")
    if status is not None:
        _check_transition(b, grant, current.grant_status, status, is_grantor=is_grantor, is_grantee=is_grantee)
        changes["grant_status"] = status
    if status_reason is not None:
        changes["status_reason"] = status_reason
    if activation_override is not None:
        changes["activation_override"] = activation_override
    if status == "ACTIVE":
        _marketplace_activation(b, grant, activation_override, options_given=options_given)
    return append_grant_version(b, grant, **changes)


def _check_operations(b: Backend, grant: Grant, operations: tuple[str, ...]) -> tuple[str, ...]:
    parent = b.grant(grant.parent)
    if parent is None:
        return operations
    held = parent.current.granted_operations
    extra = [op for op in operations if op not in held]
    if extra:
        raise fault("ValidationException", f"Allowed operations {extra} are not a subset of the operations you hold.")
    if "CreateGrant" in operations and account_principal(parent.principal) is not None:
        raise fault("ValidationException", "A grant created from a received license cannot allow CreateGrant.")
    return operations


def _check_transition(b: Backend, grant: Grant, status: str, new: str, *, is_grantor: bool, is_grantee: bool) -> None:
    if new not in ("ACTIVE", "DISABLED"):
        raise fault(
            "ValidationException", f"Status {new} cannot be set with CreateGrantVersion; use ACTIVE or DISABLED."
        )
    if new == "DISABLED" and status in ("ACTIVE", "DISABLED"):
        return
    parent = b.grant(grant.parent)
    org_child = parent is not None and account_principal(parent.principal) is None
    if new == "ACTIVE" and status in ("DISABLED", "ACTIVE") and (is_grantee or (is_grantor and org_child)):
        return
    raise fault("ValidationException", f"Grant {grant.arn} cannot go from {status} to {new}.")


def _marketplace_activation(b: Backend, grant: Grant, behaviour: str | None, *, options_given: bool) -> None:
    """Only one ACTIVE Marketplace grant per product and account unless ALL_GRANTS_PERMITTED_BY_ISSUER (§5.2, 5.4)."""
    lic = b.license(grant.license)
    if lic is None:
        return
    version = lic.current
    marketplace = version.issuer.name == MARKETPLACE_ISSUER
    if options_given and not marketplace:
        raise fault(
            "ValidationException", "Activation options can only be used with licenses sourced from AWS Marketplace."
        )
    if not marketplace:
        return
    for _, other in list(b.grants_to({principal_key(grant.principal)})):
        if other.arn == grant.arn or other.principal != grant.principal or other.status != "ACTIVE":
            continue
        other_lic = b.license(other.license)
        if other_lic is None:
            continue
        ov = other_lic.current
        if ov.product_sku != version.product_sku or ov.issuer.name != MARKETPLACE_ISSUER:
            continue
        if behaviour == "ALL_GRANTS_PERMITTED_BY_ISSUER":
            append_grant_version(b, other, grant_status="DISABLED", status_reason="Replaced by another activated grant")
        elif behaviour != "DISTRIBUTED_GRANTS_ONLY":
            raise fault(
                "ValidationException",
                f"Another grant for product {version.product_sku} is active; "
                "deactivate it first or use ActivationOverrideBehavior.",
            )


def grant_field(b: Backend, grant: Grant, name: str) -> str | None:
    """The value a grant list filter `name` compares."""
    if name == "LicenseArn":
        return grant.license
    if name == "GrantStatus":
        return grant.status
    if name in ("GranteePrincipalARN", "GranteePrincipalArn"):
        return grant.principal
    if name == "GranterAccountId":
        return grant.account
    if name == "ParentArn":
        return grant.parent
    lic = b.license(grant.license)
    if lic is None:
        return None
    if name == "ProductSKU":
        return lic.current.product_sku
    return lic.current.issuer.name  # LicenseIssuerName


def grants_where(
    b: Backend, found: Iterator[tuple[int, Grant]], keep: Callable[[Grant], bool], wanted: set[str] | None, after: int
) -> Iterator[tuple[int, Grant]]:
    """(position, grant) of the grants of `found` (an index walk) that `keep` accepts, or of the `wanted` ARNs
    that it accepts; after position `after`, oldest first."""
    if wanted is not None:
        found = b.chosen(GRANTS, wanted, after)
    return ((position, g) for position, g in found if keep(g))


def management_organization(b: Backend, caller: Caller, what: str) -> Organization:
    """The organisation the caller manages; AccessDeniedException otherwise (the *ForOrganization lists)."""
    org = b.organization_of(caller.account)
    if org is None or org.management != caller.account:
        raise fault(
            "AccessDeniedException", f"Only the management account of an organization can list its received {what}."
        )
    return org
