"""License Manager's wire layer: one method per implemented operation (named by `botocore.xform_name`).

Each method reads the validated wire parameters (JSON `null`s dropped) into typed arguments, calls the backend
(`licenses`, `grants`, `consumption`, `tokens`, `tags` over `Backend`) and renders the wire body from the typed
objects it returns.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..core.caller import Caller
from ..core.faults import ServiceFault
from ..core.ids import iso_seconds, iso_z
from ..core.listing import matches, paginate, parse_filters
from ..core.responses import ServiceResponses
from . import consumption, grants, licenses, tags, tokens
from .backend import Backend
from .consumption import Requested
from .exceptions import SERVICE, shape_fault
from .indexes import principal_key
from .licenses import LicenseTerms, Received
from .models import (
    Checkout,
    ConsumptionConfiguration,
    Entitlement,
    Grant,
    GrantVersion,
    LicenseVersion,
    Metadata,
    Tag,
    Token,
)

__all__ = ["LicenseManagerResponses", "license_terms", "render_grant", "render_license"]

Wire = dict[str, Any]

_DISTRIBUTED_FILTERS = ("LicenseArn", "GrantStatus", "GranteePrincipalARN", "ProductSKU", "LicenseIssuerName")
_RECEIVED_FILTERS = ("ProductSKU", "LicenseIssuerName", "LicenseArn", "GrantStatus", "GranterAccountId")


# ----- wire -> typed (nested License Manager structures share their wire shape: `from_json`) -----


def _metadata(items: Sequence[Wire] | None) -> tuple[Metadata, ...]:
    return tuple(Metadata.from_json(m) for m in items or ())


def _tags(p: Wire) -> tuple[Tag, ...]:
    return tuple(Tag(t.get("Key", ""), t.get("Value", "")) for t in p.get("Tags") or ())


def license_terms(p: Wire) -> LicenseTerms:
    """The license fields of a CreateLicense/CreateLicenseVersion request."""
    return LicenseTerms(
        license_name=p["LicenseName"],
        product_name=p["ProductName"],
        issuer_name=p["Issuer"]["Name"],
        sign_key=p["Issuer"].get("SignKey"),
        home_region=p["HomeRegion"],
        validity_begin=p["Validity"]["Begin"],
        validity_end=p["Validity"].get("End"),
        entitlements=tuple(Entitlement.from_json(e) for e in p["Entitlements"]),
        consumption=ConsumptionConfiguration.from_json(p["ConsumptionConfiguration"]),
        metadata=_metadata(p.get("LicenseMetadata")),
        product_sku=p.get("ProductSKU", ""),
        beneficiary=p.get("Beneficiary", ""),
    )


def _requested(items: Sequence[Wire]) -> tuple[Requested, ...]:
    return tuple(Requested(e["Name"], e["Unit"], e.get("Value")) for e in items)


def _wanted(p: Wire, member: str) -> set[str] | None:
    return set(p[member]) if p.get(member) else None


# ----- typed -> wire -----


def render_license(version: LicenseVersion, status: str) -> Wire:
    """A license version as the wire `License` shape."""
    out: Wire = {
        "LicenseArn": version.license_arn,
        "LicenseName": version.license_name,
        "ProductName": version.product_name,
        "ProductSKU": version.product_sku,
        "Issuer": version.issuer.to_json(),
        "HomeRegion": version.home_region,
        "Status": status,
        "Validity": version.validity.to_json(),
        "Beneficiary": version.beneficiary,
        "Entitlements": [e.to_json() for e in version.entitlements],
        "ConsumptionConfiguration": version.consumption.to_json(),
    }
    if version.metadata:
        out["LicenseMetadata"] = [m.to_json() for m in version.metadata]
    out["CreateTime"] = version.create_time
    out["Version"] = version.version
    return out


def render_grant(grant: Grant, version: GrantVersion | None = None) -> Wire:
    """A grant (its current version, or `version`) as the wire `Grant` shape."""
    v = version if version is not None else grant.current
    out: Wire = {
        "GrantArn": grant.arn,
        "GrantName": v.grant_name,
        "ParentArn": grant.parent,
        "LicenseArn": grant.license,
        "GranteePrincipalArn": grant.principal,
        "HomeRegion": grant.home,
        "GrantStatus": v.grant_status,
        "Version": v.version,
        "GrantedOperations": list(v.granted_operations),
    }
    if v.status_reason:
        out["StatusReason"] = v.status_reason
    if v.activation_override:
        out["Options"] = {"ActivationOverrideBehavior": v.activation_override}
    if v.grant_type:
        out["GrantType"] = v.grant_type
    return out


def _render_received(item: Received) -> Wire:
    out = render_license(item.version, item.status)
    g = item.grant
    meta: Wire = {"ReceivedStatus": g.grant_status, "AllowedOperations": list(g.granted_operations)}
    if g.status_reason:
        meta["ReceivedStatusReason"] = g.status_reason
    if g.grant_type:
        meta["GrantType"] = g.grant_type
    out["ReceivedMetadata"] = meta
    return out


def _render_token(token: Token) -> Wire:
    return {
        "TokenId": token.token_id,
        "TokenType": token.token_type,
        "LicenseArn": token.license_arn,
        "ExpirationTime": token.expiration_time,
        "TokenProperties": list(token.token_properties),
        "RoleArns": list(token.role_arns),
        "Status": token.status,
    }


def _checkout_body(record: Checkout) -> Wire:
    return {
        "LicenseConsumptionToken": record.token,
        "EntitlementsAllowed": [a.to_json() for a in record.allowed],
        "IssuedAt": iso_seconds(record.issued),
        "Expiration": iso_seconds(record.exp),
    }


def _license_field(name: str, version: LicenseVersion, status: str) -> Any:
    if name == "Status":
        return status
    if name == "Fingerprint":
        return version.issuer.key_fingerprint
    if name == "IssuerName":
        return version.issuer.name
    if name == "Beneficiary":
        return version.beneficiary
    if name == "ProductSKU":
        return version.product_sku
    return None


def _licensed(filters: list[tuple[str, str]]) -> Callable[[LicenseVersion, str], bool]:
    def keep(version: LicenseVersion, status: str) -> bool:
        return matches(filters, functools.partial(_license_field, version=version, status=status))

    return keep


def _page(
    body_key: str,
    walk: Callable[[int], Iterable[tuple[int, Any]]],
    p: Wire,
    query: str,
    b: Backend,
    render: Callable[[Any], Wire],
    **kw: Any,
) -> Wire:
    page, token = paginate(walk, p, query, b.settings.default_page_size, **kw)
    body: Wire = {body_key: [render(item) for item in page]}
    if token is not None:
        body["NextToken"] = token
    return body


class LicenseManagerResponses(ServiceResponses):
    """The License Manager operations the local service implements."""

    service = SERVICE

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def shape_fault(self, operation: str, fault: ServiceFault) -> ServiceFault:
        """Only errors modelled for the operation, with the HTTP status of their code."""
        return shape_fault(operation, fault, self.backend.settings)

    # ----- licenses -----

    def create_license(self, caller: Caller, p: Wire) -> Wire:
        lic = licenses.create_license(self.backend, caller, license_terms(p), _tags(p))
        return {"LicenseArn": lic.arn, "Status": lic.current.status, "Version": "1"}

    def create_license_version(self, caller: Caller, p: Wire) -> Wire:
        version = licenses.create_license_version(
            self.backend,
            caller,
            p["LicenseArn"],
            license_terms(p),
            p["Status"],
            p.get("SourceVersion"),
            reset_usage=bool(p.get("ResetUsage")),
        )
        return {"LicenseArn": version.license_arn, "Version": version.version, "Status": version.status}

    def get_license(self, caller: Caller, p: Wire) -> Wire:
        version, status = licenses.license_version(self.backend, caller, p["LicenseArn"], p.get("Version"))
        return {"License": render_license(version, status)}

    def list_licenses(self, caller: Caller, p: Wire) -> Wire:
        filters = parse_filters(p, ("Beneficiary", "ProductSKU", "Fingerprint", "Status"))
        wanted = _wanted(p, "LicenseArns")
        keep = _licensed(filters)

        def walk(after: int) -> Iterator[tuple[int, tuple[LicenseVersion, str]]]:
            for position, v, s in licenses.issued_licenses(self.backend, caller, wanted, after):
                if keep(v, s):
                    yield position, (v, s)

        query = f"ListLicenses|{caller.account}|{filters}|{sorted(wanted or [])}"
        return _page("Licenses", walk, p, query, self.backend, lambda item: render_license(*item))

    def list_license_versions(self, caller: Caller, p: Wire) -> Wire:
        b = self.backend
        lic = licenses.require_readable_license(b, caller, p["LicenseArn"], "InvalidParameterValueException")
        return _page(
            "Licenses",
            lambda after: enumerate(lic.versions[after:], after + 1),
            p,
            f"ListLicenseVersions|{lic.arn}",
            b,
            lambda v: render_license(v, b.license_status(lic, v)),
            error="InvalidParameterValueException",
        )

    def delete_license(self, caller: Caller, p: Wire) -> Wire:
        deletion = licenses.delete_license(self.backend, caller, p["LicenseArn"], p["SourceVersion"])
        return {"Status": "PENDING_DELETE", "DeletionDate": iso_z(deletion)}

    def get_license_usage(self, caller: Caller, p: Wire) -> Wire:
        b = self.backend
        lic = licenses.require_readable_license(b, caller, p["LicenseArn"], "InvalidParameterValueException")
        version = lic.current
        consumed = b.consumed(lic.arn, version)
        usages = []
        for ent in version.entitlements:
            item = {"Name": ent.name, "ConsumedValue": str(consumed.get(ent.name, 0)), "Unit": ent.unit}
            if ent.counted:
                item["MaxCount"] = str(ent.max_count)
            usages.append(item)
        return {"LicenseUsage": {"EntitlementUsages": usages}}

    def list_received_licenses(self, caller: Caller, p: Wire) -> Wire:
        filters = parse_filters(p, ("ProductSKU", "Status", "Fingerprint", "IssuerName", "Beneficiary"))
        wanted = _wanted(p, "LicenseArns")
        keep = _licensed(filters)
        query = f"ListReceivedLicenses|{caller.account}|{filters}|{sorted(wanted or [])}"
        return _page(
            "Licenses",
            lambda after: licenses.received_licenses(self.backend, {caller.account}, wanted, keep, after),
            p,
            query,
            self.backend,
            _render_received,
        )

    def list_received_licenses_for_organization(self, caller: Caller, p: Wire) -> Wire:
        filters = parse_filters(p, ("Beneficiary", "ProductSKU"))
        org = grants.management_organization(self.backend, caller, "licenses")
        members, keep = {org.management, *org.accounts}, _licensed(filters)
        query = f"ListReceivedLicensesForOrganization|{caller.account}|{filters}"
        return _page(
            "Licenses",
            lambda after: licenses.received_licenses(self.backend, members, None, keep, after),
            p,
            query,
            self.backend,
            _render_received,
        )

    # ----- grants -----

    def create_grant(self, caller: Caller, p: Wire) -> Wire:
        options = p.get("Options") or {}
        grant = grants.create_grant(
            self.backend,
            caller,
            license_arn=p["LicenseArn"],
            name=p["GrantName"],
            principal=p["Principals"][0],
            home_region=p["HomeRegion"],
            operations=p["AllowedOperations"],
            grant_type=p.get("GrantType"),
            activation_override=options.get("ActivationOverrideBehavior"),
            tags=_tags(p),
        )
        status = grant.status if self.backend.settings.create_grant_returns_pending_accept else "PENDING_WORKFLOW"
        return {"GrantArn": grant.arn, "Status": status, "Version": "1"}

    def create_grant_version(self, caller: Caller, p: Wire) -> Wire:
        options = p.get("Options") or {}
        grant = grants.create_grant_version(
            self.backend,
            caller,
            p["GrantArn"],
            source_version=p.get("SourceVersion"),
            name=p.get("GrantName"),
            operations=p.get("AllowedOperations"),
            status=p.get("Status"),
            status_reason=p.get("StatusReason"),
            options_given=bool(options),
            activation_override=options.get("ActivationOverrideBehavior"),
        )
        return _grant_result(grant)

    def get_grant(self, caller: Caller, p: Wire) -> Wire:
        grant, version = grants.grant_version(self.backend, caller, p["GrantArn"], p.get("Version"))
        return {"Grant": render_grant(grant, version)}

    def accept_grant(self, caller: Caller, p: Wire) -> Wire:
        return _grant_result(grants.accept_grant(self.backend, caller, p["GrantArn"]))

    def reject_grant(self, caller: Caller, p: Wire) -> Wire:
        return _grant_result(grants.reject_grant(self.backend, caller, p["GrantArn"]))

    def delete_grant(self, caller: Caller, p: Wire) -> Wire:
        grant = grants.delete_grant(self.backend, caller, p["GrantArn"], p["Version"], p.get("StatusReason"))
        return _grant_result(grant)

    def list_distributed_grants(self, caller: Caller, p: Wire) -> Wire:
        b = self.backend
        filters = parse_filters(p, _DISTRIBUTED_FILTERS)
        license_arn = dict(filters).get("LicenseArn")

        def walk(after: int) -> Iterator[tuple[int, Grant]]:
            if license_arn is not None:
                return b.grants_of_license(license_arn, after)
            return b.grants_by(caller.account, after)

        return self._grants(
            p, f"ListDistributedGrants|{caller.account}", filters, walk, lambda g: g.account == caller.account
        )

    def list_received_grants(self, caller: Caller, p: Wire) -> Wire:
        b = self.backend
        filters = parse_filters(p, _RECEIVED_FILTERS)
        principals = b.principals_of((caller.account,))
        return self._grants(
            p,
            f"ListReceivedGrants|{caller.account}",
            filters,
            lambda after: b.grants_to(principals, after),
            lambda g: principal_key(g.principal) in principals,
        )

    def list_received_grants_for_organization(self, caller: Caller, p: Wire) -> Wire:
        b = self.backend
        filters = parse_filters(p, ("ParentArn", "GranteePrincipalArn"))  # checked before the caller's organisation
        org = grants.management_organization(b, caller, "grants")
        principals = b.principals_of({org.management, *org.accounts})
        license_arn = p["LicenseArn"]
        return self._grants(
            p,
            f"ListReceivedGrantsForOrganization|{caller.account}|{license_arn}",
            filters,
            lambda after: b.grants_of_license(license_arn, after),
            lambda g: g.license == license_arn and principal_key(g.principal) in principals,
        )

    def _grants(
        self,
        p: Wire,
        scope: str,
        filters: list[tuple[str, str]],
        found: Callable[[int], Iterator[tuple[int, Grant]]],
        keep: Callable[[Grant], bool],
    ) -> Wire:
        b = self.backend
        wanted = _wanted(p, "GrantArns")

        def walk(after: int) -> Iterator[tuple[int, Grant]]:
            for position, g in grants.grants_where(b, found(after), keep, wanted, after):
                if matches(filters, functools.partial(grants.grant_field, b, g)):
                    yield position, g

        return _page("Grants", walk, p, f"{scope}|{filters}|{sorted(wanted or [])}", b, render_grant)

    # ----- consumption -----

    def checkout_license(self, caller: Caller, p: Wire) -> Wire:
        out = consumption.checkout_license(
            self.backend,
            caller,
            sku=p["ProductSKU"],
            key_fingerprint=p["KeyFingerprint"],
            checkout_type=p["CheckoutType"],
            entitlements=_requested(p["Entitlements"]),
            beneficiary=p.get("Beneficiary"),
            node=p.get("NodeId"),
        )
        record = out.record
        body: Wire = {"CheckoutType": p["CheckoutType"], **_checkout_body(record)}
        body["LicenseArn"] = record.license
        if record.node is not None:
            body["NodeId"] = record.node
        if out.signed_token is not None:
            body["SignedToken"] = out.signed_token
        return body

    def checkout_borrow_license(self, caller: Caller, p: Wire) -> Wire:
        metadata = _metadata(p.get("CheckoutMetadata"))
        out = consumption.checkout_borrow_license(
            self.backend,
            caller,
            arn=p["LicenseArn"],
            signature_method=p["DigitalSignatureMethod"],
            entitlements=_requested(p["Entitlements"]),
            node=p.get("NodeId"),
            metadata=metadata,
        )
        record = out.record
        body: Wire = {
            "LicenseArn": record.license,
            "LicenseConsumptionToken": record.token,
            "EntitlementsAllowed": [a.to_json() for a in record.allowed],
            "SignedToken": out.signed_token,
            "IssuedAt": iso_seconds(record.issued),
            "Expiration": iso_seconds(record.exp),
        }
        if record.node is not None:
            body["NodeId"] = record.node
        if metadata:
            body["CheckoutMetadata"] = [m.to_json() for m in metadata]
        return body

    def check_in_license(self, caller: Caller, p: Wire) -> Wire:
        consumption.check_in_license(self.backend, caller, p["LicenseConsumptionToken"], p.get("Beneficiary"))
        return {}

    def extend_license_consumption(self, caller: Caller, p: Wire) -> Wire:
        record = consumption.extend_license_consumption(
            self.backend, caller, p["LicenseConsumptionToken"], dry_run=bool(p.get("DryRun"))
        )
        return {"LicenseConsumptionToken": record.token, "Expiration": iso_seconds(record.exp)}

    # ----- tokens -----

    def create_token(self, caller: Caller, p: Wire) -> Wire:
        record, jwt = tokens.create_token(
            self.backend,
            caller,
            p["LicenseArn"],
            p.get("ExpirationInDays"),
            list(p.get("TokenProperties") or []),
            list(p.get("RoleArns") or []),
        )
        return {"TokenId": record.token_id, "TokenType": record.token_type, "Token": jwt}

    def delete_token(self, caller: Caller, p: Wire) -> Wire:
        tokens.delete_token(self.backend, caller, p["TokenId"])
        return {}

    def list_tokens(self, caller: Caller, p: Wire) -> Wire:
        filters = parse_filters(p, ("LicenseArns",))
        wanted = _wanted(p, "TokenIds")
        license_arns = [value for _, value in filters]
        query = f"ListTokens|{caller.account}|{filters}|{sorted(wanted or [])}"
        return _page(
            "Tokens",
            lambda after: tokens.tokens_of(self.backend, caller, wanted, license_arns, after),
            p,
            query,
            self.backend,
            _render_token,
        )

    def get_access_token(self, _caller: Caller, p: Wire) -> Wire:
        return {"AccessToken": tokens.get_access_token(self.backend, p["Token"], p.get("TokenProperties") or [])}

    # ----- tags -----

    def tag_resource(self, caller: Caller, p: Wire) -> Wire:
        pairs = [(t.get("Key"), t.get("Value", "")) for t in p["Tags"]]
        tags.tag_resource(self.backend, caller, p["ResourceArn"], pairs)
        return {}

    def untag_resource(self, caller: Caller, p: Wire) -> Wire:
        tags.untag_resource(self.backend, caller, p["ResourceArn"], p["TagKeys"])
        return {}

    def list_tags_for_resource(self, caller: Caller, p: Wire) -> Wire:
        return {"Tags": [t.to_json() for t in tags.resource_tags(self.backend, caller, p["ResourceArn"])]}


def _grant_result(grant: Grant) -> Wire:
    v = grant.current
    return {"GrantArn": grant.arn, "Status": v.grant_status, "Version": v.version}
