"""License operations on typed state: create, version, read, list, delete, usage, received licenses
(SERVICE.md §4, §6.8). Wire parameters are read, and answers rendered, in `responses.py`."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from ..core.caller import Caller
from ..core.faults import fault
from ..core.ids import iso_ms, new_hex_id, parse_iso
from .backend import Backend
from .formats import fingerprint, license_arn, redirect_location
from .models import (
    LICENSES,
    TAGS,
    TOKENS,
    USAGE,
    ConsumptionConfiguration,
    Entitlement,
    Grant,
    GrantVersion,
    Issuer,
    License,
    LicenseVersion,
    Metadata,
    PerpetualUsage,
    ResourceTags,
    Tag,
    Validity,
)

__all__ = [
    "LicenseTerms",
    "Received",
    "append_grant_version",
    "create_license",
    "create_license_version",
    "delete_license",
    "issued_licenses",
    "license_version",
    "new_license",
    "received_licenses",
    "require_readable_license",
    "tag_new_resource",
    "validated_version",
]

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_VERSION_STATUSES = ("AVAILABLE", "DEACTIVATED", "SUSPENDED")
_LIST_OPERATIONS = frozenset({"ListPurchasedLicenses", "ListReceivedLicenses"})
_RECEIVED_RANK = {"ACTIVE": 4, "DISABLED": 3, "PENDING_ACCEPT": 2, "PENDING_WORKFLOW": 1, "WORKFLOW_COMPLETED": 1}


@dataclass(frozen=True, slots=True)
class LicenseTerms:
    """What a caller gives for a license version (CreateLicense, CreateLicenseVersion), not yet checked.

    `validity_begin`/`validity_end` are ISO 8601 input; `sign_key` an Issuer.SignKey."""

    license_name: str
    product_name: str
    issuer_name: str
    home_region: str
    validity_begin: str
    validity_end: str | None
    entitlements: tuple[Entitlement, ...]
    consumption: ConsumptionConfiguration
    metadata: tuple[Metadata, ...] = ()
    sign_key: str | None = None
    product_sku: str = ""
    beneficiary: str = ""


@dataclass(frozen=True, slots=True)
class Received:
    """A license as received through its best grant (ListReceivedLicenses)."""

    version: LicenseVersion
    status: str
    grant: GrantVersion


# ----- shared checks -----


def require_readable_license(b: Backend, caller: Caller, arn: str, missing: str) -> License:
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


def _entitlement(ent: Entitlement) -> Entitlement:
    if not ent.counted:
        if ent.max_count is not None:
            raise fault("ValidationException", f"Entitlement {ent.name}: MaxCount is not allowed with Unit None.")
        return ent
    if ent.max_count is None:
        raise fault("ValidationException", f"Entitlement {ent.name}: MaxCount is required with Unit {ent.unit}.")
    if ent.max_count < 0:
        raise fault("ValidationException", f"Entitlement {ent.name}: MaxCount must not be negative.")
    return dataclasses.replace(
        ent,
        overage=bool(ent.overage),
        allow_check_in=bool(ent.allow_check_in),
    )


def validated_version(
    b: Backend, terms: LicenseTerms, caller: Caller, home: str, *, arn: str, number: str, status: str
) -> LicenseVersion:
    """A license version from `terms`, checked and normalised (ValidationException for what the model cannot
    say: entitlement rules, Validity order, consumption configuration, an unusable SignKey)."""
    if not _REGION.fullmatch(terms.home_region):
        raise fault("ValidationException", f"Invalid HomeRegion: {terms.home_region}")
    if not terms.entitlements:
        raise fault("ValidationException", "Entitlements must contain at least one entitlement.")
    seen: set[str] = set()
    for ent in terms.entitlements:
        if ent.name in seen:
            raise fault("ValidationException", f"Duplicate entitlement name: {ent.name}")
        seen.add(ent.name)
    entitlements = tuple(_entitlement(ent) for ent in terms.entitlements)
    begin = _timestamp(terms.validity_begin, "Validity.Begin")
    end = _timestamp(terms.validity_end, "Validity.End") if terms.validity_end is not None else None
    if end is not None and end <= begin:
        raise fault("ValidationException", "Validity.End must be later than Validity.Begin.")
    config = terms.consumption
    for part, ttl in (
        ("ProvisionalConfiguration", config.provisional_ttl_minutes),
        ("BorrowConfiguration", None if config.borrow is None else config.borrow.max_ttl_minutes),
    ):
        if ttl is not None and ttl <= 0:
            raise fault("ValidationException", f"{part}.MaxTimeToLiveInMinutes must be greater than 0.")
    if config.provisional_ttl_minutes is None and config.borrow is None:
        raise fault(
            "ValidationException", "ConsumptionConfiguration needs ProvisionalConfiguration or BorrowConfiguration."
        )
    if terms.sign_key is not None and b.kms.ensure_sign_key(terms.sign_key, caller.account, home) is None:
        raise fault("ValidationException", f"SignKey {terms.sign_key} is not an asymmetric RSA SIGN_VERIFY KMS key.")
    now = b.now()
    return LicenseVersion(
        license_arn=arn,
        license_name=terms.license_name,
        product_name=terms.product_name,
        product_sku=terms.product_sku,
        issuer=Issuer(terms.issuer_name, fingerprint(caller.account, terms.issuer_name), terms.sign_key),
        home_region=terms.home_region,
        status=status,
        validity=Validity(iso_ms(begin), None if end is None else iso_ms(end)),
        beneficiary=terms.beneficiary,
        entitlements=entitlements,
        consumption=config,
        metadata=terms.metadata,
        create_time=str(int(now)),
        version=number,
        begin=begin,
        end=end,
        created=now,
    )


def tag_new_resource(b: Backend, arn: str, tags: Sequence[Tag]) -> None:
    """Store the tags given when a license or grant is created."""
    if tags:
        b.store.put(TAGS, arn, ResourceTags(tuple(tags)))


# ----- operations -----


def create_license(b: Backend, caller: Caller, terms: LicenseTerms, tags: Sequence[Tag]) -> License:
    """CreateLicense: version "1" in the caller's account (§4.3)."""
    initial = "AVAILABLE" if b.settings.create_license_returns_available else "PENDING_AVAILABLE"
    arn = license_arn(caller.account, new_hex_id())
    version = validated_version(b, terms, caller, terms.home_region, arn=arn, number="1", status=initial)
    if terms.home_region != caller.region:
        raise fault(
            "RedirectException",
            f"License home region {terms.home_region} differs from the request region {caller.region}.",
            Location=redirect_location(terms.home_region),
        )
    return new_license(b, caller.account, version, tags)


def new_license(
    b: Backend, account: str, version: LicenseVersion, tags: Sequence[Tag], *, mp_signed: bool = False
) -> License:
    """Store a checked new license (its first version) and the tags it was created with."""
    lic = License(version.license_arn, account, version.home_region, (version,), None, mp_signed)
    b.add_license(lic)
    tag_new_resource(b, lic.arn, tags)
    return lic


def _issuer_license(
    b: Backend, caller: Caller, arn: str, verb: str, *, missing: str, deleted: tuple[str, str]
) -> License:
    """The license `arn`, if the caller is its issuer, it is not deleted and this is its home region (§4.4, §4.6).

    `missing` and `deleted` are the error code (and wording) each operation answers for those cases.
    """
    lic = b.license(arn)
    if lic is None:
        raise fault(missing, f"License {arn} does not exist.")
    if lic.account != caller.account:
        raise fault("AccessDeniedException", f"Only the issuer account may {verb} license {arn}.")
    if lic.deletion is not None:
        raise fault(deleted[0], f"License {arn} {deleted[1]}.")
    if lic.home != caller.region:
        raise fault(
            "RedirectException",
            f"Licenses can be {verb}d in their home region only.",
            Location=redirect_location(lic.home),
        )
    return lic


def _require_source_version(current: str, source: str | None) -> None:
    if source is not None and source != current:
        raise fault("ConflictException", f"SourceVersion {source} is not the current version {current}.")


def create_license_version(
    b: Backend,
    caller: Caller,
    arn: str,
    terms: LicenseTerms,
    status: str,
    source_version: str | None,
    *,
    reset_usage: bool,
) -> LicenseVersion:
    """CreateLicenseVersion: a new immutable version by the issuer in the home region (§4.4)."""
    lic = _issuer_license(
        b, caller, arn, "change", missing="ResourceNotFoundException", deleted=("ValidationException", "is deleted")
    )
    current = lic.current
    if terms.home_region != lic.home:
        raise fault("ValidationException", f"The home region of a license cannot change (it is {lic.home}).")
    _require_source_version(current.version, source_version)
    if status not in _VERSION_STATUSES:
        raise fault("ValidationException", f"Status must be one of {', '.join(_VERSION_STATUSES)}.")
    carried = dataclasses.replace(terms, product_sku=current.product_sku, beneficiary=current.beneficiary)
    number = str(int(current.version) + 1)
    version = validated_version(b, carried, caller, lic.home, arn=arn, number=number, status=status)
    b.store.put(LICENSES, arn, dataclasses.replace(lic, versions=(*lic.versions, version)))
    if reset_usage:
        b.store.put(USAGE, arn, PerpetualUsage())
    return version


def license_version(b: Backend, caller: Caller, arn: str, number: str | None) -> tuple[LicenseVersion, str]:
    """GetLicense: (the current version or version `number`, the status a read reports) (§4.5)."""
    lic = require_readable_license(b, caller, arn, "InvalidParameterValueException")
    version = lic.current if number is None else lic.version(number)
    if version is None:
        raise fault("InvalidParameterValueException", f"License {lic.arn} has no version {number}.")
    return version, b.license_status(lic, version)


def issued_licenses(
    b: Backend, caller: Caller, wanted: set[str] | None, after: int
) -> Iterator[tuple[int, LicenseVersion, str]]:
    """ListLicenses before filters: (position, current version, status) of each license the caller issued,
    after position `after`, oldest first (§9)."""
    found = b.licenses_issued_by(caller.account, after) if wanted is None else b.chosen(LICENSES, wanted, after)
    for position, lic in found:
        if lic.account == caller.account:
            yield position, lic.current, b.license_status(lic)


def delete_license(b: Backend, caller: Caller, arn: str, source_version: str) -> float:
    """DeleteLicense: PENDING_DELETE until the returned DeletionDate; grants and tokens end (§4.6)."""
    lic = _issuer_license(
        b,
        caller,
        arn,
        "delete",
        missing="InvalidParameterValueException",
        deleted=("InvalidParameterValueException", "is already deleted"),
    )
    current = lic.current.version
    if source_version != current:
        raise fault("ConflictException", f"SourceVersion {source_version} is not the current version {current}.")
    if b.settings.delete_license_conflicts_on_active_checkouts and b.active_checkouts(arn):
        raise fault("ConflictException", f"License {arn} has outstanding checkouts.")
    deletion = b.now() + b.settings.deletion_retention_days * 86400
    b.store.put(LICENSES, arn, dataclasses.replace(lic, deletion=deletion))
    for _, grant in list(b.grants_of_license(arn)):
        if grant.status != "DELETED":
            append_grant_version(b, grant, grant_status="DELETED", status_reason="License deleted")
    for _, token in list(b.tokens_of_license(arn)):
        if token.status != "DELETED":
            b.store.put(TOKENS, token.token_id, dataclasses.replace(token, status="DELETED"))
    return deletion


def append_grant_version(b: Backend, grant: Grant, **changes: object) -> Grant:
    """Store a new grant version (+1) with `changes` (GrantVersion fields) applied; returns the new grant."""
    current = grant.current
    version = dataclasses.replace(current, **changes, version=str(int(current.version) + 1))  # type: ignore[arg-type]
    updated = dataclasses.replace(grant, versions=(*grant.versions, version))
    b.replace_grant(grant, updated)
    return updated


def received_licenses(
    b: Backend,
    accounts: Collection[str],
    wanted: set[str] | None,
    keep: Callable[[LicenseVersion, str], bool],
    after: int,
) -> Iterator[tuple[int, Received]]:
    """(position, entry) per license received by any of `accounts`, with its best grant (§14 #15), after position
    `after`, oldest first."""
    principals = b.principals_of(accounts)
    found = b.licenses_granted_to(principals, after) if wanted is None else b.chosen(LICENSES, wanted, after)
    need_list = b.settings.received_licenses_require_list_operation
    for position, lic in found:
        best: GrantVersion | None = None
        for grant in b.grants_of_license_to(lic.arn, principals):
            v = grant.current
            rank = _RECEIVED_RANK.get(v.grant_status)
            if rank is None or (need_list and not _LIST_OPERATIONS.intersection(v.granted_operations)):
                continue
            if best is None or rank > _RECEIVED_RANK[best.grant_status]:
                best = v
        if best is None:
            continue
        status = b.license_status(lic)
        if keep(lic.current, status):
            yield position, Received(lic.current, status, best)
