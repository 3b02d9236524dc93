"""The emulator engine: answers the registered services' operations (see `services.py`) from wire-format bodies.

One lock serialises every call, so entitlement accounting is atomic; each call's writes are committed to
SQLite (when a state path is given) before `handle` returns.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from .core.caller import Caller
from .core.clock import Clock
from .core.faults import NOT_IMPLEMENTED_CODE, UNKNOWN_OPERATION_CODE, ServiceFault
from .core.idempotency import Idempotency
from .core.ids import account_root_arn, new_hex_id
from .core.listing import page_tokens
from .core.model import operation_model
from .core.organizations import ACCOUNT_ID, ORGANIZATION_ID, ORGANIZATIONS, OU_ID, Organization
from .core.responses import OperationTable
from .core.settings import Settings
from .core.store import Store
from .core.validation import validate
from .kms.backend import KeySource
from .licensemanager import consumption, grants, licenses
from .licensemanager.formats import ALL_OPERATIONS, MARKETPLACE_ACCOUNT, MARKETPLACE_ISSUER, license_arn
from .licensemanager.responses import license_terms
from .services import Services
from .sts.web_identity import AssumedRole, StsError

__all__ = ["Caller", "Engine"]

#: Expired idempotency records and finished checkouts deleted per writing call, at most (each kind).
PRUNE_PER_CALL = 16


class Engine:
    """A faithful local AWS License Manager (plus the KMS and STS calls its users need)."""

    def __init__(
        self,
        *,
        state_path: str | os.PathLike[str] | None = None,
        settings: Settings | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.clock = clock or Clock()
        self._lock = threading.RLock()
        self._store = Store(state_path)
        services = Services.build(self._store, self.clock, self.settings)
        self._kms = services.kms
        self._backend = services.license_manager
        self._services = services
        self._tables = {r.service: OperationTable.of(r) for r in services.responses()}
        self._idempotency = Idempotency(self._store, self.clock, self.settings.idempotency_window_s)

    # ----- the transport contract -----

    def implements(self, service: str, operation: str) -> bool:
        """Whether `handle` answers this operation (rather than NotImplementedException)."""
        table = self._tables.get(service)
        return table is not None and operation in table.handlers

    def operations(self, service: str) -> frozenset[str]:
        """The operations of `service` the engine implements (empty for a service it does not emulate)."""
        table = self._tables.get(service)
        return frozenset(table.handlers) if table is not None else frozenset()

    def handle(self, service: str, operation: str, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        """Answer one request: wire params in, wire response body out; ServiceFault for every AWS error."""
        table = self._tables.get(service)
        if table is None:
            raise ServiceFault(UNKNOWN_OPERATION_CODE, f"Unknown service {service!r}.")
        handler = table.handlers.get(operation)
        if handler is None:
            raise self._unsupported(service, operation)
        with self._lock:
            try:
                if table.responses.validates_input:
                    validate(service, operation, params)
                clean = {k: v for k, v in params.items() if v is not None}
                with self._store.transaction(), page_tokens(self._store):
                    if operation in table.idempotent:
                        result = self._idempotency.call(operation, handler, clean, caller)
                    else:
                        result = handler(caller, clean)
                    if self._store.changed:
                        self._prune()
                    return result
            except ServiceFault as exc:
                raise table.responses.shape_fault(operation, exc) from None

    def assumed_role(self, access_key_id: str, session_token: str | None) -> AssumedRole:
        """Who a call signed with temporary credentials acts as. ServiceFault `UnrecognizedClientException`
        (unknown key, altered session token) or `ExpiredTokenException` (expired on the emulator clock)."""
        with self._lock, self._store.transaction():
            try:
                return self._services.sts.resolve(access_key_id, session_token)
            except StsError as error:
                raise ServiceFault(error.code, error.message, status=error.status) from None

    def reset(self) -> None:
        """Drop all state and set the clock back to real time."""
        with self._lock:
            self._store.clear()
            self.clock.set_offset(0.0)
            self._kms.clear_cache()
            self._backend.rebuild_indexes()
            self._idempotency.reset()

    def close(self) -> None:
        """Close the SQLite state file."""
        with self._lock:
            self._store.close()

    # ----- helpers for tests and demos -----

    def use_key_source(self, source: KeySource | None) -> None:
        """Let `source` supply the KMS signing keys the engine does not hold (moto's, in `mock_license_manager`)."""
        self._kms.key_source = source

    def kms_public_key_der(self, key_id_or_arn: str) -> bytes:
        """DER SubjectPublicKeyInfo of a KMS key (by ARN, or key id in any account); KeyError when unknown."""
        with self._lock, self._store.transaction():
            key = self._kms.find_anywhere(key_id_or_arn)
            if key is None or not key.is_rsa:
                raise KeyError(f"no RSA KMS key {key_id_or_arn}")
            return self._kms.public_key_der(key.arn)

    def marketplace_public_key_der(self) -> bytes:
        """DER public key that verifies SignedTokens of seeded AWS Marketplace licenses."""
        with self._lock, self._store.transaction():
            return self._kms.public_key_der(consumption.marketplace_key_arn(self._backend))

    def set_organization(
        self,
        *,
        organization_id: str,
        management_account: str,
        accounts: Iterable[str] = (),
        ous: Mapping[str, Iterable[str]] | None = None,
        all_features: bool = True,
    ) -> str:
        """Define (or replace) an AWS Organization for organisation/OU grant principals; returns its ARN.

        `accounts` are member accounts; `ous` maps OU ids (`ou-xxxx-yyyyyyyy`) to their accounts (which become
        members too). With `all_features`, grants the management account distributes are auto-accepted."""
        ou_map = {ou: sorted(set(members)) for ou, members in (ous or {}).items()}
        members = sorted({*accounts, *(a for m in ou_map.values() for a in m)} - {management_account})
        if not ORGANIZATION_ID.fullmatch(organization_id):
            raise ValueError(f"organization_id {organization_id!r} is not an organization id (o-<10..32 chars>)")
        if bad_ou := next((ou for ou in ou_map if not OU_ID.fullmatch(ou)), None):
            raise ValueError(f"ous: {bad_ou!r} is not an OU id (ou-<root>-<id>, e.g. ou-ab12-cd34ef56)")
        if bad := next((a for a in [management_account, *members] if not ACCOUNT_ID.fullmatch(a)), None):
            raise ValueError(f"account id {bad!r} is not 12 digits (management_account, accounts and ous)")
        org = Organization(
            organization_id,
            management_account,
            tuple(members),
            {ou: tuple(accounts) for ou, accounts in ou_map.items()},
            all_features,
        )
        with self._lock, self._store.transaction():
            for other in self._store.values(ORGANIZATIONS):
                taken = next((a for a in [management_account, *members] if other.id != org.id and other.has(a)), None)
                if taken is not None:
                    raise ValueError(
                        f"account {taken} already belongs to organization {other.id}: an account belongs to one "
                        "organization; define that organization again without it first"
                    )
            self._store.put(ORGANIZATIONS, organization_id, org)
        return org.arn()

    def seed_marketplace_license(
        self,
        *,
        buyer_account: str,
        product_sku: str,
        entitlements: list[dict[str, Any]],
        region: str = "us-east-1",
        product_name: str = "Marketplace product",
        license_name: str | None = None,
        validity_begin: str = "2020-01-01T00:00:00Z",
        validity_end: str | None = None,
        provisional_ttl_minutes: int = 60,
        allowed_operations: list[str] | None = None,
        signed: bool = True,
    ) -> str:
        """Create an AWS Marketplace license (issuer 294406891311, `AWS/Marketplace`) with an ACTIVE grant to
        `buyer_account` (Marketplace grants are auto-accepted and activated, SERVICE.md §10); returns its ARN.

        `entitlements` are wire `Entitlement` dicts. With `signed`, CheckoutLicense answers carry a SignedToken
        verifiable with `marketplace_public_key_der()`. ValueError for an input CreateLicense would refuse."""
        params: dict[str, Any] = {
            "LicenseName": license_name or f"{product_name} license",
            "ProductName": product_name,
            "ProductSKU": product_sku,
            "Issuer": {"Name": MARKETPLACE_ISSUER},
            "HomeRegion": region,
            "Validity": {"Begin": validity_begin, **({"End": validity_end} if validity_end else {})},
            "Entitlements": entitlements,
            "Beneficiary": account_root_arn(buyer_account),
            "ConsumptionConfiguration": {
                "RenewType": "None",
                "ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": provisional_ttl_minutes},
            },
            "ClientToken": "marketplace-seed",
        }
        operations = allowed_operations or list(ALL_OPERATIONS[:7])
        if not ACCOUNT_ID.fullmatch(buyer_account):
            raise ValueError(f"buyer_account {buyer_account!r} is not an account id (12 digits)")
        try:
            validate("license-manager", "CreateLicense", params)
            validate(
                "license-manager",
                "CreateGrant",
                {**_grant_probe(buyer_account, region), "AllowedOperations": operations},
            )
            with self._lock, self._store.transaction():
                arn = license_arn(MARKETPLACE_ACCOUNT, new_hex_id())
                version = licenses.validated_version(
                    self._backend,
                    license_terms(params),
                    Caller(MARKETPLACE_ACCOUNT, region),
                    region,
                    arn=arn,
                    number="1",
                    status="AVAILABLE",
                )
                licenses.new_license(self._backend, MARKETPLACE_ACCOUNT, version, (), mp_signed=signed)
                grants.new_grant(
                    self._backend,
                    grantor=MARKETPLACE_ACCOUNT,
                    license_arn=arn,
                    parent=arn,
                    principal=account_root_arn(buyer_account),
                    home=region,
                    name=f"{product_name} grant",
                    operations=operations,
                    status="ACTIVE",
                )
        except ServiceFault as exc:  # what CreateLicense or CreateGrant would answer ValidationException to
            raise ValueError(f"not a valid Marketplace license: {exc.message}") from None
        return arn

    def marketplace_grant_arn(self, license_arn: str) -> str:
        """The buyer grant `seed_marketplace_license` created for `license_arn`; KeyError when there is none."""
        with self._lock, self._store.transaction():
            grants = (grant for _, grant in self._backend.grants_of_license(license_arn))
            found = next((grant.arn for grant in grants if grant.parent == license_arn), None)
        if found is None:
            raise KeyError(f"no seeded Marketplace grant for {license_arn}")
        return found

    # ----- internals -----

    def _prune(self) -> None:
        """Bounded retention work inside a writing call: expired idempotency records and finished checkouts."""
        self._idempotency.prune(PRUNE_PER_CALL)
        self._services.prune(PRUNE_PER_CALL)

    @staticmethod
    def _unsupported(service: str, operation: str) -> ServiceFault:
        if operation_model(service, operation) is not None:
            return ServiceFault(
                NOT_IMPLEMENTED_CODE,
                f"The local {service} emulator does not implement operation {operation}.",
                status=400,
            )
        return ServiceFault(UNKNOWN_OPERATION_CODE, f"{operation} is not an operation of {service}.", status=400)


def _grant_probe(account: str, region: str) -> dict[str, Any]:
    return {
        "ClientToken": "probe",
        "GrantName": "probe",
        "LicenseArn": f"arn:aws:license-manager::{MARKETPLACE_ACCOUNT}:license:l-probe",
        "Principals": [account_root_arn(account)],
        "HomeRegion": region,
    }
