"""License operations: CreateLicense, CreateLicenseVersion, GetLicense, ListLicenses, ListLicenseVersions,
DeleteLicense, GetLicenseUsage, ListReceivedLicenses, ListReceivedLicensesForOrganization (SERVICE.md §4, §6.8)."""

from __future__ import annotations

import functools
import re
from typing import Any

from ..core.caller import Caller
from ..core.faults import fault
from ..core.listing import matches, paginate, parse_filters
from ..core.store import Doc
from .backend import GRANT, LICENSE, TAGS, TOKEN, USAGE, Backend
from .formats import (
    fingerprint,
    iso_ms,
    iso_z,
    license_arn,
    new_hex_id,
    parse_iso,
    redirect_location,
    render_license,
)

__all__ = [
    "append_grant_version",
    "create_license",
    "create_license_version",
    "delete_license",
    "get_license",
    "get_license_usage",
    "license_body",
    "list_license_versions",
    "list_licenses",
    "list_received_licenses",
    "list_received_licenses_for_organization",
    "require_readable_license",
    "store_new_license",
]

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_VERSION_STATUSES = ("AVAILABLE", "DEACTIVATED", "SUSPENDED")
_ENTITLEMENT_KEYS = ("Name", "Value", "MaxCount", "Overage", "Unit", "AllowCheckIn")
_RECEIVED_RANK = {"ACTIVE": 4, "DISABLED": 3, "PENDING_ACCEPT": 2, "PENDING_WORKFLOW": 1, "WORKFLOW_COMPLETED": 1}


# ----- shared checks -----


def require_readable_license(b: Backend, caller: Caller, arn: str, missing: str) -> Doc:
    """The license, or `missing` when unknown / AccessDeniedException when the caller may not read it."""
    lic = b.license(arn)
    if lic is None:
        raise fault(missing, f"License {arn} does not exist.")
    if not b.can_read_license(lic, caller.account):
        raise fault("AccessDeniedException", f"Account {caller.account} is not allowed to access license {arn}.")
    return lic


def _timestamp(text: str, field: str) -> float:
    try:
        return parse_iso(text)
    except (ValueError, OverflowError):
        raise fault("ValidationException", f"{field} is not a valid ISO 8601 date-time: {text}") from None


def license_body(b: Backend, p: dict[str, Any], caller: Caller, home: str) -> Doc:
    """Validated, normalised mutable license fields of CreateLicense/CreateLicenseVersion."""
    if not _REGION.fullmatch(p["HomeRegion"]):
        raise fault("ValidationException", f"Invalid HomeRegion: {p['HomeRegion']}")
    entitlements = p["Entitlements"]
    if not entitlements:
        raise fault("ValidationException", "Entitlements must contain at least one entitlement.")
    seen: set[str] = set()
    normalised = []
    for ent in entitlements:
        name = ent["Name"]
        if name in seen:
            raise fault("ValidationException", f"Duplicate entitlement name: {name}")
        seen.add(name)
        if ent["Unit"] == "None":
            if ent.get("MaxCount") is not None:
                raise fault("ValidationException", f"Entitlement {name}: MaxCount is not allowed with Unit None.")
        else:
            if ent.get("MaxCount") is None:
                raise fault("ValidationException", f"Entitlement {name}: MaxCount is required with Unit {ent['Unit']}.")
            if ent["MaxCount"] < 0:
                raise fault("ValidationException", f"Entitlement {name}: MaxCount must not be negative.")
        out = {k: ent[k] for k in _ENTITLEMENT_KEYS if ent.get(k) is not None}
        if ent["Unit"] != "None":
            out.setdefault("Overage", False)
            out.setdefault("AllowCheckIn", False)
        normalised.append(out)
    begin = _timestamp(p["Validity"]["Begin"], "Validity.Begin")
    end_text = p["Validity"].get("End")
    end = _timestamp(end_text, "Validity.End") if end_text is not None else None
    if end is not None and end <= begin:
        raise fault("ValidationException", "Validity.End must be later than Validity.Begin.")
    config_in = p["ConsumptionConfiguration"]
    config: Doc = {}
    if config_in.get("RenewType") is not None:
        config["RenewType"] = config_in["RenewType"]
    for part in ("ProvisionalConfiguration", "BorrowConfiguration"):
        if config_in.get(part) is not None:
            if config_in[part]["MaxTimeToLiveInMinutes"] <= 0:
                raise fault("ValidationException", f"{part}.MaxTimeToLiveInMinutes must be greater than 0.")
            config[part] = dict(config_in[part])
    if "ProvisionalConfiguration" not in config and "BorrowConfiguration" not in config:
        raise fault(
            "ValidationException", "ConsumptionConfiguration needs ProvisionalConfiguration or BorrowConfiguration."
        )
    issuer: Doc = {"Name": p["Issuer"]["Name"]}
    sign_key = p["Issuer"].get("SignKey")
    if sign_key is not None:
        if b.kms.ensure_sign_key(sign_key, caller.account, home) is None:
            raise fault("ValidationException", f"SignKey {sign_key} is not an asymmetric RSA SIGN_VERIFY KMS key.")
        issuer["SignKey"] = sign_key
    issuer["KeyFingerprint"] = fingerprint(caller.account, issuer["Name"])
    validity: Doc = {"Begin": iso_ms(begin)}
    if end is not None:
        validity["End"] = iso_ms(end)
    body: Doc = {
        "LicenseName": p["LicenseName"],
        "ProductName": p["ProductName"],
        "Issuer": issuer,
        "HomeRegion": p["HomeRegion"],
        "Validity": validity,
        "Entitlements": normalised,
        "ConsumptionConfiguration": config,
        "_begin": begin,
        "_end": end,
    }
    if p.get("LicenseMetadata"):
        body["LicenseMetadata"] = [dict(m) for m in p["LicenseMetadata"]]
    return body


# ----- operations -----


def create_license(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """CreateLicense: version "1" in the caller's account (§4.3)."""
    body = license_body(b, p, caller, p["HomeRegion"])
    if p["HomeRegion"] != caller.region:
        raise fault(
            "RedirectException",
            f"License home region {p['HomeRegion']} differs from the request region {caller.region}.",
            Location=redirect_location(p["HomeRegion"]),
        )
    return store_new_license(b, caller.account, p, body)


def store_new_license(
    b: Backend, account: str, p: dict[str, Any], body: Doc, *, mp_signed: bool = False, status: str | None = None
) -> dict[str, Any]:
    """Store a validated new license and answer CreateLicense (`status` overrides the initial status)."""
    now = b.now()
    arn = license_arn(account, new_hex_id())
    if status is None:
        status = "AVAILABLE" if b.settings.create_license_returns_available else "PENDING_AVAILABLE"
    version = {
        "LicenseArn": arn,
        **body,
        "ProductSKU": p["ProductSKU"],
        "Beneficiary": p["Beneficiary"],
        "Status": status,
        "CreateTime": str(int(now)),
        "Version": "1",
        "_created": now,
    }
    b.add_license(
        {
            "arn": arn,
            "account": account,
            "home": p["HomeRegion"],
            "versions": [version],
            "deletion": None,
            "mp_signed": mp_signed,
        },
    )
    if p.get("Tags"):
        b.store.put(TAGS, arn, {"tags": [{"Key": t.get("Key", ""), "Value": t.get("Value", "")} for t in p["Tags"]]})
    return {"LicenseArn": arn, "Status": status, "Version": "1"}


def _issuer_license(b: Backend, caller: Caller, arn: str, verb: str, *, missing: str, deleted: tuple[str, str]) -> Doc:
    """The license `arn`, if the caller is its issuer, it is not deleted and this is its home region (§4.4, §4.6).

    `missing` and `deleted` are the error code (and wording) each operation answers for those cases.
    """
    lic = b.license(arn)
    if lic is None:
        raise fault(missing, f"License {arn} does not exist.")
    if lic["account"] != caller.account:
        raise fault("AccessDeniedException", f"Only the issuer account may {verb} license {arn}.")
    if lic["deletion"] is not None:
        raise fault(deleted[0], f"License {arn} {deleted[1]}.")
    if lic["home"] != caller.region:
        raise fault(
            "RedirectException",
            f"Licenses can be {verb}d in their home region only.",
            Location=redirect_location(lic["home"]),
        )
    return lic


def create_license_version(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """CreateLicenseVersion: a new immutable version by the issuer in the home region (§4.4)."""
    arn = p["LicenseArn"]
    lic = _issuer_license(
        b, caller, arn, "change", missing="ResourceNotFoundException", deleted=("ValidationException", "is deleted")
    )
    current = b.current(lic)
    if p["HomeRegion"] != lic["home"]:
        raise fault("ValidationException", f"The home region of a license cannot change (it is {lic['home']}).")
    if p.get("SourceVersion") is not None and p["SourceVersion"] != current["Version"]:
        raise fault(
            "ConflictException", f"SourceVersion {p['SourceVersion']} is not the current version {current['Version']}."
        )
    if p["Status"] not in _VERSION_STATUSES:
        raise fault("ValidationException", f"Status must be one of {', '.join(_VERSION_STATUSES)}.")
    body = license_body(b, p, caller, lic["home"])
    now = b.now()
    number = str(int(current["Version"]) + 1)
    version = {
        "LicenseArn": arn,
        **body,
        "ProductSKU": current["ProductSKU"],
        "Beneficiary": current["Beneficiary"],
        "Status": p["Status"],
        "CreateTime": str(int(now)),
        "Version": number,
        "_created": now,
    }
    b.store.put(LICENSE, arn, {**lic, "versions": [*lic["versions"], version]})
    if p.get("ResetUsage"):
        b.store.put(USAGE, arn, {"period": "", "used": {}})
    return {"LicenseArn": arn, "Version": number, "Status": p["Status"]}


def get_license(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """GetLicense, optionally of a historical version (§4.5)."""
    lic = require_readable_license(b, caller, p["LicenseArn"], "InvalidParameterValueException")
    wanted = p.get("Version")
    if wanted is None:
        version = b.current(lic)
    else:
        found = [v for v in lic["versions"] if v["Version"] == wanted]
        if not found:
            raise fault("InvalidParameterValueException", f"License {lic['arn']} has no version {wanted}.")
        version = found[0]
    return {"License": render_license(version, b.license_status(lic, version))}


def list_licenses(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """ListLicenses: licenses issued by the caller's account (§9)."""
    filters = parse_filters(p, ("Beneficiary", "ProductSKU", "Fingerprint", "Status"))
    wanted = set(p["LicenseArns"]) if p.get("LicenseArns") else None
    out = []
    for lic in b.store.values(LICENSE):
        if lic["account"] != caller.account or (wanted is not None and lic["arn"] not in wanted):
            continue
        version = b.current(lic)
        status = b.license_status(lic, version)
        if matches(filters, functools.partial(_license_field, version=version, status=status)):
            out.append((version, status))
    page, token = paginate(
        out, p, f"ListLicenses|{caller.account}|{filters}|{sorted(wanted or [])}", b.settings.default_page_size
    )
    return _with_token({"Licenses": [render_license(v, s) for v, s in page]}, token)


def _license_field(name: str, version: Doc, status: str) -> Any:
    if name == "Status":
        return status
    if name == "Fingerprint":
        return version["Issuer"]["KeyFingerprint"]
    if name in ("IssuerName",):
        return version["Issuer"]["Name"]
    return version.get(name)


def _with_token(body: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is not None:
        body["NextToken"] = token
    return body


def list_license_versions(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """ListLicenseVersions: every version, ascending (§4.5)."""
    lic = require_readable_license(b, caller, p["LicenseArn"], "InvalidParameterValueException")
    versions = lic["versions"]
    page, token = paginate(
        versions,
        p,
        f"ListLicenseVersions|{lic['arn']}",
        b.settings.default_page_size,
        error="InvalidParameterValueException",
    )
    return _with_token({"Licenses": [render_license(v, b.license_status(lic, v)) for v in page]}, token)


def delete_license(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """DeleteLicense: PENDING_DELETE until DeletionDate; grants and tokens end (§4.6)."""
    arn = p["LicenseArn"]
    lic = _issuer_license(
        b,
        caller,
        arn,
        "delete",
        missing="InvalidParameterValueException",
        deleted=("InvalidParameterValueException", "is already deleted"),
    )
    current = b.current(lic)
    if p["SourceVersion"] != current["Version"]:
        raise fault(
            "ConflictException", f"SourceVersion {p['SourceVersion']} is not the current version {current['Version']}."
        )
    if b.settings.delete_license_conflicts_on_active_checkouts and b.active_checkouts(arn):
        raise fault("ConflictException", f"License {arn} has outstanding checkouts.")
    deletion = b.now() + b.settings.deletion_retention_days * 86400
    b.store.put(LICENSE, arn, {**lic, "deletion": deletion})
    for grant in list(b.grants_of_license(arn)):
        if grant["versions"][-1]["GrantStatus"] != "DELETED":
            append_grant_version(b, grant, GrantStatus="DELETED", StatusReason="License deleted")
    for token in b.store.values(TOKEN):
        if token["LicenseArn"] == arn and token["Status"] != "DELETED":
            b.store.put(TOKEN, token["TokenId"], {**token, "Status": "DELETED"})
    return {"Status": "PENDING_DELETE", "DeletionDate": iso_z(deletion)}


def append_grant_version(b: Backend, grant: Doc, **changes: Any) -> Doc:
    """Store a new grant version (+1) with `changes` applied; returns the new grant document."""
    current = grant["versions"][-1]
    version = {**current, **changes, "Version": str(int(current["Version"]) + 1)}
    version = {k: v for k, v in version.items() if v is not None}
    updated = {**grant, "versions": [*grant["versions"], version]}
    b.store.put(GRANT, grant["arn"], updated)
    return updated


def get_license_usage(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """GetLicenseUsage: license-wide totals as strings (§6.8)."""
    lic = require_readable_license(b, caller, p["LicenseArn"], "InvalidParameterValueException")
    version = b.current(lic)
    consumed = b.consumed(lic["arn"], version)
    usages = []
    for ent in version["Entitlements"]:
        item = {"Name": ent["Name"], "ConsumedValue": str(consumed.get(ent["Name"], 0)), "Unit": ent["Unit"]}
        if ent["Unit"] != "None":
            item["MaxCount"] = str(ent["MaxCount"])
        usages.append(item)
    return {"LicenseUsage": {"EntitlementUsages": usages}}


def _received(
    b: Backend, accounts: set[str], filters: list[tuple[str, str]], wanted: set[str] | None
) -> list[dict[str, Any]]:
    best: dict[str, Doc] = {}
    for grant in b.store.values(GRANT):
        v = grant["versions"][-1]
        status = v["GrantStatus"]
        if status not in _RECEIVED_RANK or not any(b.received_by(grant, a) for a in accounts):
            continue
        if b.settings.received_licenses_require_list_operation and not (
            {"ListPurchasedLicenses", "ListReceivedLicenses"} & set(v["GrantedOperations"])
        ):
            continue
        held = best.get(grant["license"])
        if held is None or _RECEIVED_RANK[status] > _RECEIVED_RANK[held["versions"][-1]["GrantStatus"]]:
            best[grant["license"]] = grant
    out = []
    for lic in b.store.values(LICENSE):
        grant_doc = best.get(lic["arn"])
        if grant_doc is None or (wanted is not None and lic["arn"] not in wanted):
            continue
        version = b.current(lic)
        status = b.license_status(lic, version)
        if not matches(filters, functools.partial(_license_field, version=version, status=status)):
            continue
        item = render_license(version, status)
        gv = grant_doc["versions"][-1]
        meta: dict[str, Any] = {"ReceivedStatus": gv["GrantStatus"], "AllowedOperations": list(gv["GrantedOperations"])}
        if gv.get("StatusReason"):
            meta["ReceivedStatusReason"] = gv["StatusReason"]
        if gv.get("GrantType"):
            meta["GrantType"] = gv["GrantType"]
        item["ReceivedMetadata"] = meta
        out.append(item)
    return out


def list_received_licenses(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """ListReceivedLicenses: one entry per license granted to the caller, with ReceivedMetadata (§14 #15)."""
    filters = parse_filters(p, ("ProductSKU", "Status", "Fingerprint", "IssuerName", "Beneficiary"))
    wanted = set(p["LicenseArns"]) if p.get("LicenseArns") else None
    items = _received(b, {caller.account}, filters, wanted)
    page, token = paginate(
        items,
        p,
        f"ListReceivedLicenses|{caller.account}|{filters}|{sorted(wanted or [])}",
        b.settings.default_page_size,
    )
    return _with_token({"Licenses": page}, token)


def list_received_licenses_for_organization(b: Backend, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """ListReceivedLicensesForOrganization: licenses received by any account of the caller's organisation
    (management account only)."""
    filters = parse_filters(p, ("Beneficiary", "ProductSKU"))
    org = b.organization_of(caller.account)
    if org is None or org["management"] != caller.account:
        raise fault(
            "AccessDeniedException", "Only the management account of an organization can list its received licenses."
        )
    accounts = {org["management"], *org["accounts"]}
    items = _received(b, accounts, filters, None)
    page, token = paginate(
        items, p, f"ListReceivedLicensesForOrganization|{caller.account}|{filters}", b.settings.default_page_size
    )
    return _with_token({"Licenses": page}, token)
