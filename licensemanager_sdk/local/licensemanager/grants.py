"""Grant operations: CreateGrant, CreateGrantVersion, GetGrant, AcceptGrant, RejectGrant, DeleteGrant,
ListDistributedGrants, ListReceivedGrants, ListReceivedGrantsForOrganization (SERVICE.md §5)."""

from __future__ import annotations

import functools
from typing import Any

from ..core.caller import Caller
from ..core.faults import fault
from ..core.listing import matches, paginate, parse_filters
from ..core.store import Doc
from .backend import GRANT, ORG, TAGS, Backend
from .formats import (
    ALL_OPERATIONS,
    MARKETPLACE_ISSUER,
    account_principal,
    account_root_arn,
    grant_arn,
    new_hex_id,
    parse_principal,
    render_grant,
)
from .licenses import append_grant_version

__all__ = [
    "accept_grant",
    "create_grant",
    "create_grant_version",
    "delete_grant",
    "get_grant",
    "list_distributed_grants",
    "list_received_grants",
    "list_received_grants_for_organization",
    "new_grant",
    "reject_grant",
]

_DISTRIBUTED_FILTERS = ("LicenseArn", "GrantStatus", "GranteePrincipalARN", "ProductSKU", "LicenseIssuerName")
_RECEIVED_FILTERS = ("ProductSKU", "LicenseIssuerName", "LicenseArn", "GrantStatus", "GranterAccountId")


def _require_grant(b: Backend, arn: str) -> Doc:
    grant = b.grant(arn)
    if grant is None:
        raise fault(b.settings.unknown_grant_error, f"Grant {arn} does not exist.")
    return grant


def _status(grant: Doc) -> str:
    status: str = grant["versions"][-1]["GrantStatus"]
    return status


def _dedupe(ops: list[str]) -> list[str]:
    return list(dict.fromkeys(ops))


def new_grant(
    b: Backend,
    *,
    grantor: str,
    license_arn: str,
    parent: str,
    principal: str,
    home: str,
    name: str,
    operations: list[str],
    status: str,
    grant_type: str | None = None,
    options: dict[str, Any] | None = None,
) -> Doc:
    """Store a grant at version "1"."""
    arn = grant_arn(grantor, new_hex_id())
    version: Doc = {"GrantName": name, "GrantStatus": status, "GrantedOperations": operations, "Version": "1"}
    if grant_type:
        version["GrantType"] = grant_type
    if options:
        version["Options"] = dict(options)
    grant = {
        "arn": arn,
        "account": grantor,
        "license": license_arn,
        "parent": parent,
        "principal": principal,
        "home": home,
        "created": b.now(),
        "versions": [version],
    }
    b.add_grant(grant)
    return grant


def create_grant(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """CreateGrant by the issuer, or by a grantee redistributing through an ACTIVE grant allowing CreateGrant (§5.1)."""
    lic = b.license(p["LicenseArn"])
    if lic is None:
        raise fault("InvalidParameterValueException", f"License {p['LicenseArn']} does not exist.")
    operations = _dedupe(p["AllowedOperations"])
    parent = lic["arn"]
    allowed: tuple[str, ...] | list[str] = ALL_OPERATIONS
    if lic["account"] != caller.account:
        via = b.usable_grant(lic["arn"], caller.account, "CreateGrant")
        if via is None:
            raise fault(
                "AccessDeniedException", f"Account {caller.account} may not create grants for license {lic['arn']}."
            )
        parent, allowed = via["arn"], via["versions"][-1]["GrantedOperations"]
        if "CreateGrant" in operations:
            raise fault("ValidationException", "A grant created from a received license cannot allow CreateGrant.")
    if lic["deletion"] is not None:
        raise fault("ValidationException", f"License {lic['arn']} is deleted.")
    if caller.region != lic["home"] or p["HomeRegion"] != lic["home"]:
        raise fault("ValidationException", f"Grant can only be created in resource home AWS region: {lic['home']}")
    principal = p["Principals"][0]
    parsed = parse_principal(principal)
    if parsed is None:
        raise fault(
            "ValidationException", f"Invalid principal {principal}: use an account root, organization or OU ARN."
        )
    if parsed[0] == "account" and parsed[1] == caller.account:
        raise fault("ValidationException", "You cannot create a grant to your own account.")
    extra = [op for op in operations if op not in allowed]
    if extra:
        raise fault("ValidationException", f"Allowed operations {extra} are not a subset of the operations you hold.")
    live = sum(1 for g in b.grants_of_license(lic["arn"]) if _status(g) != "DELETED" and b.grant(g["parent"]) is None)
    if live >= b.settings.max_grants_per_license:
        raise fault("ResourceLimitExceededException", f"License {lic['arn']} already has {live} grants.")
    account = account_principal(principal)
    stored_status = "PENDING_ACCEPT" if account is not None else "WORKFLOW_COMPLETED"
    grant = new_grant(
        b,
        grantor=caller.account,
        license_arn=lic["arn"],
        parent=parent,
        principal=principal,
        home=lic["home"],
        name=p["GrantName"],
        operations=operations,
        status=stored_status,
        grant_type=p.get("GrantType"),
        options={k: v for k, v in (p.get("Options") or {}).items() if k == "ActivationOverrideBehavior"},
    )
    if account is None:
        _distribute(b, caller, grant)
    if p.get("Tags"):
        b.store.put(
            TAGS, grant["arn"], {"tags": [{"Key": t.get("Key", ""), "Value": t.get("Value", "")} for t in p["Tags"]]}
        )
    status = stored_status if b.settings.create_grant_returns_pending_accept else "PENDING_WORKFLOW"
    return {"GrantArn": grant["arn"], "Status": status, "Version": "1"}


def _distribute(b: Backend, caller: Caller, org_grant: Doc) -> None:
    """Child grants of an organisation/OU grant, one per member account (§5.1)."""
    parsed = parse_principal(org_grant["principal"])
    org = b.store.get(ORG, parsed[1]) if parsed else None
    auto_accept = org is not None and org["all_features"] and org["management"] == caller.account
    v = org_grant["versions"][-1]
    for member in b.principal_members(org_grant["principal"]):
        if member == caller.account:
            continue
        new_grant(
            b,
            grantor=caller.account,
            license_arn=org_grant["license"],
            parent=org_grant["arn"],
            principal=account_root_arn(member),
            home=org_grant["home"],
            name=v["GrantName"],
            operations=list(v["GrantedOperations"]),
            status="DISABLED" if auto_accept else "PENDING_ACCEPT",
            grant_type=v.get("GrantType"),
        )


def _readable_grant(b: Backend, caller: Caller, arn: str) -> Doc:
    grant = _require_grant(b, arn)
    if grant["account"] != caller.account and not b.received_by(grant, caller.account):
        raise fault("AccessDeniedException", f"Account {caller.account} is neither grantor nor grantee of {arn}.")
    return grant


def get_grant(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """GetGrant, optionally of a historical version."""
    grant = _readable_grant(b, caller, p["GrantArn"])
    wanted = p.get("Version")
    if wanted is None:
        return {"Grant": render_grant(grant)}
    found = [v for v in grant["versions"] if v["Version"] == wanted]
    if not found:
        raise fault("InvalidParameterValueException", f"Grant {grant['arn']} has no version {wanted}.")
    return {"Grant": render_grant(grant, found[0])}


def _grantee_action(
    b: Backend, caller: Caller, p: dict[str, Any], verb: str, allowed_from: tuple[str, ...], to: str
) -> dict[str, Any]:
    grant = _require_grant(b, p["GrantArn"])
    if account_principal(grant["principal"]) != caller.account:
        raise fault(
            "ValidationException", f"Caller {account_root_arn(caller.account)} is not allowed to {verb} this grant."
        )
    status = _status(grant)
    if status not in allowed_from:
        raise fault("ValidationException", f"Grant {grant['arn']} is {status} and cannot be {verb}ed.")
    updated = append_grant_version(b, grant, GrantStatus=to)
    return {"GrantArn": grant["arn"], "Status": to, "Version": updated["versions"][-1]["Version"]}


def accept_grant(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """AcceptGrant by the grantee: PENDING_ACCEPT -> DISABLED (§5.2)."""
    return _grantee_action(b, caller, p, "accept", ("PENDING_ACCEPT",), "DISABLED")


def reject_grant(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """RejectGrant by the grantee: -> REJECTED, final (§5.2)."""
    return _grantee_action(b, caller, p, "reject", ("PENDING_ACCEPT", "DISABLED", "ACTIVE"), "REJECTED")


def delete_grant(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """DeleteGrant by the grantor with the current Version; grants derived from it are deleted too (§5.5)."""
    grant = _require_grant(b, p["GrantArn"])
    if grant["account"] != caller.account:
        raise fault("AccessDeniedException", f"Only the grantor may delete grant {grant['arn']}.")
    if _status(grant) == "DELETED":
        raise fault("ValidationException", f"Grant {grant['arn']} is already deleted.")
    current = grant["versions"][-1]["Version"]
    if p["Version"] != current:
        raise fault("ValidationException", f"Version {p['Version']} is not the current grant version {current}.")
    updated = append_grant_version(b, grant, GrantStatus="DELETED", StatusReason=p.get("StatusReason"))
    pending = [grant["arn"]]
    while pending:
        parent = pending.pop()
        for child in list(b.grants_of_license(grant["license"])):
            if child["parent"] == parent and _status(child) != "DELETED":
                append_grant_version(b, child, GrantStatus="DELETED", StatusReason="Parent grant deleted")
                pending.append(child["arn"])
    return {"GrantArn": grant["arn"], "Status": "DELETED", "Version": updated["versions"][-1]["Version"]}


def create_grant_version(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """CreateGrantVersion: the grantor renames/changes operations or disables; the grantee activates or
    deactivates (§5.2-5.4)."""
    grant = _require_grant(b, p["GrantArn"])
    is_grantor = grant["account"] == caller.account
    is_grantee = account_principal(grant["principal"]) == caller.account
    if not (is_grantor or is_grantee):
        raise fault(
            "AccessDeniedException", f"Account {caller.account} is neither grantor nor grantee of {grant['arn']}."
        )
    current = grant["versions"][-1]
    status = current["GrantStatus"]
    if p.get("SourceVersion") is not None and p["SourceVersion"] != current["Version"]:
        raise fault(
            "ValidationException",
            f"SourceVersion {p['SourceVersion']} is not the current grant version {current['Version']}.",
        )
    if status in ("REJECTED", "DELETED"):
        raise fault("ValidationException", f"Grant {grant['arn']} is {status}.")
    changes: dict[str, Any] = {}
    if p.get("GrantName") is not None or p.get("AllowedOperations") is not None:
        if not is_grantor:
            raise fault("AccessDeniedException", "Only the grantor may change the grant name or allowed operations.")
        if p.get("GrantName") is not None:
            changes["GrantName"] = p["GrantName"]
        if p.get("AllowedOperations") is not None:
            changes["GrantedOperations"] = _check_operations(b, grant, _dedupe(p["AllowedOperations"]))
    new_status = p.get("Status")
    options = p.get("Options") or {}
    if options and new_status != "ACTIVE":
        raise fault("ValidationException", "Options can only be used when Status is ACTIVE.")
    if new_status is not None:
        _check_transition(b, grant, status, new_status, is_grantor=is_grantor, is_grantee=is_grantee)
        changes["GrantStatus"] = new_status
    if p.get("StatusReason") is not None:
        changes["StatusReason"] = p["StatusReason"]
    behaviour = options.get("ActivationOverrideBehavior")
    if behaviour is not None:
        changes["Options"] = {"ActivationOverrideBehavior": behaviour}
    if new_status == "ACTIVE":
        _marketplace_activation(b, grant, behaviour, options_given=bool(options))
    updated = append_grant_version(b, grant, **changes)
    v = updated["versions"][-1]
    return {"GrantArn": grant["arn"], "Status": v["GrantStatus"], "Version": v["Version"]}


def _check_operations(b: Backend, grant: Doc, operations: list[str]) -> list[str]:
    parent = b.grant(grant["parent"])
    if parent is None:
        return operations
    held = parent["versions"][-1]["GrantedOperations"]
    extra = [op for op in operations if op not in held]
    if extra:
        raise fault("ValidationException", f"Allowed operations {extra} are not a subset of the operations you hold.")
    if "CreateGrant" in operations and account_principal(parent["principal"]) is not None:
        raise fault("ValidationException", "A grant created from a received license cannot allow CreateGrant.")
    return operations


def _check_transition(b: Backend, grant: Doc, status: str, new: str, *, is_grantor: bool, is_grantee: bool) -> None:
    if new not in ("ACTIVE", "DISABLED"):
        raise fault(
            "ValidationException", f"Status {new} cannot be set with CreateGrantVersion; use ACTIVE or DISABLED."
        )
    if new == "DISABLED" and status in ("ACTIVE", "DISABLED"):
        return
    parent = b.grant(grant["parent"])
    org_child = parent is not None and account_principal(parent["principal"]) is None
    if new == "ACTIVE" and status in ("DISABLED", "ACTIVE") and (is_grantee or (is_grantor and org_child)):
        return
    raise fault("ValidationException", f"Grant {grant['arn']} cannot go from {status} to {new}.")


def _marketplace_activation(b: Backend, grant: Doc, behaviour: str | None, *, options_given: bool) -> None:
    """Only one ACTIVE Marketplace grant per product and account unless ALL_GRANTS_PERMITTED_BY_ISSUER (§5.2, 5.4)."""
    lic = b.license(grant["license"])
    if lic is None:
        return
    version = b.current(lic)
    marketplace = version["Issuer"]["Name"] == MARKETPLACE_ISSUER
    if options_given and not marketplace:
        raise fault(
            "ValidationException", "Activation options can only be used with licenses sourced from AWS Marketplace."
        )
    if not marketplace:
        return
    for other in b.store.values(GRANT):
        if other["arn"] == grant["arn"] or other["principal"] != grant["principal"] or _status(other) != "ACTIVE":
            continue
        other_lic = b.license(other["license"])
        if other_lic is None:
            continue
        ov = b.current(other_lic)
        if ov["ProductSKU"] != version["ProductSKU"] or ov["Issuer"]["Name"] != MARKETPLACE_ISSUER:
            continue
        if behaviour == "ALL_GRANTS_PERMITTED_BY_ISSUER":
            append_grant_version(b, other, GrantStatus="DISABLED", StatusReason="Replaced by another activated grant")
        elif behaviour != "DISTRIBUTED_GRANTS_ONLY":
            raise fault(
                "ValidationException",
                f"Another grant for product {version['ProductSKU']} is active; "
                "deactivate it first or use ActivationOverrideBehavior.",
            )


def _grant_field(b: Backend, grant: Doc, name: str) -> Any:
    if name == "LicenseArn":
        return grant["license"]
    if name == "GrantStatus":
        return _status(grant)
    if name in ("GranteePrincipalARN", "GranteePrincipalArn"):
        return grant["principal"]
    if name == "GranterAccountId":
        return grant["account"]
    if name == "ParentArn":
        return grant["parent"]
    lic = b.license(grant["license"])
    if lic is None:
        return None
    version = b.current(lic)
    if name == "ProductSKU":
        return version["ProductSKU"]
    return version["Issuer"]["Name"]  # LicenseIssuerName


def _list(b: Backend, p: dict[str, Any], scope: str, filters: list[tuple[str, str]], keep: Any) -> dict[str, Any]:
    wanted = set(p["GrantArns"]) if p.get("GrantArns") else None
    items = [
        g
        for g in b.store.values(GRANT)
        if keep(g)
        and (wanted is None or g["arn"] in wanted)
        and matches(filters, functools.partial(_grant_field, b, g))
    ]
    page, token = paginate(items, p, f"{scope}|{filters}|{sorted(wanted or [])}", b.settings.default_page_size)
    body: dict[str, Any] = {"Grants": [render_grant(g) for g in page]}
    if token is not None:
        body["NextToken"] = token
    return body


def list_distributed_grants(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """ListDistributedGrants: grants the caller created."""
    filters = parse_filters(p, _DISTRIBUTED_FILTERS)
    return _list(b, p, f"ListDistributedGrants|{caller.account}", filters, lambda g: g["account"] == caller.account)


def list_received_grants(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """ListReceivedGrants: grants to the caller's account, organisation or OU."""
    filters = parse_filters(p, _RECEIVED_FILTERS)
    return _list(b, p, f"ListReceivedGrants|{caller.account}", filters, lambda g: b.received_by(g, caller.account))


def list_received_grants_for_organization(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """ListReceivedGrantsForOrganization: grants of one license received by accounts of the caller's organisation."""
    filters = parse_filters(p, ("ParentArn", "GranteePrincipalArn"))
    org = b.organization_of(caller.account)
    if org is None or org["management"] != caller.account:
        raise fault(
            "AccessDeniedException", "Only the management account of an organization can list its received grants."
        )
    members = {org["management"], *org["accounts"]}
    license_arn = p["LicenseArn"]

    def keep(g: Doc) -> bool:
        return g["license"] == license_arn and any(b.received_by(g, a) for a in members)

    return _list(b, p, f"ListReceivedGrantsForOrganization|{caller.account}|{license_arn}", filters, keep)
