"""`lm.entitlements`: runtime entitlement checks for the application of an ISV."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Union

from licensemanager_sdk._exceptions import ResponseValidationError, ServiceError
from licensemanager_sdk.entitlements._hints import borrow_hints, checkout_hints
from licensemanager_sdk.entitlements._lease import BorrowedLease, Clock, Lease, OnLost, Wait, _log
from licensemanager_sdk.entitlements._verify import PublicKeySource, VerifiedToken, verify
from licensemanager_sdk.types import (
    CheckoutType,
    DigitalSignatureMethod,
    EntitlementData,
    EntitlementDataUnit,
    Metadata,
)

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from licensemanager_sdk._client import LicenseManager
    from licensemanager_sdk.types import CheckoutBorrowLicenseResponse, CheckoutLicenseResponse

__all__ = [
    "Entitlements",
    "EntitlementsSpec",
    "borrowed_metadata",
    "checked_out",
    "highest_tier",
    "metadata_of",
    "tier_names",
]


EntitlementsSpec = Union[Mapping[str, Union[int, Decimal, None]], Sequence["EntitlementData"]]  # noqa: UP007
"""What to check out: `{"Users": 1, "EnterpriseTier": None}` (a count means Unit Count with that quantity, None means
an unlimited Unit None entitlement), or `EntitlementData` models for any other unit."""


class Entitlements:
    """`lm.entitlements`: check out, keep alive, borrow and tier-check entitlements of a license."""

    def __init__(self, lm: LicenseManager) -> None:
        self._lm = lm

    def checkout(
        self,
        *,
        product_sku: str,
        key_fingerprint: str,
        entitlements: EntitlementsSpec,
        checkout_type: CheckoutType | str = "PROVISIONAL",
        node_id: str | None = None,
        beneficiary: str | None = None,
        on_lost: OnLost | None = None,
        keep_alive: bool = True,
        strict_check_in: bool = False,
        client_token: str | None = None,
        clock: Clock | None = None,
        wait: Wait | None = None,
    ) -> Lease:
        """Check entitlements out (CheckoutLicense) and hold them as a `Lease`.

        Example:
            >>> lease = lm.entitlements.checkout(product_sku=SKU, key_fingerprint=FP, entitlements={"Users": 1})
            >>> with lease:  # doctest: +SKIP
            ...     if lease.has("Users"): ...

        The license is found by (product_sku, key_fingerprint); the service grants what it can (partial
        fulfilment): check `lease.has(name)`. `beneficiary` is for the issuer checking out its own license.
        `on_lost` is called once if the lease is lost; `clock`/`wait` drive the keep-alive (tests).

        Raises:
            NoEntitlementsAllowedError, ResourceNotFoundError: nothing could be checked out; the message lists
                what to check (grant accepted and activated, fingerprint, SKU, units, free seats).
        """
        kind = CheckoutType(str(checkout_type))
        requested = _entitlement_data(entitlements)
        names = [str(e.name) for e in requested]
        hints = checkout_hints(
            product_sku=product_sku, key_fingerprint=key_fingerprint, names=names, beneficiary=beneficiary
        )
        with hints:
            response = self._lm.api.checkout_license(
                product_sku=product_sku,
                checkout_type=kind,
                key_fingerprint=key_fingerprint,
                entitlements=requested,
                client_token=client_token,
                beneficiary=beneficiary,
                node_id=node_id,
            )
        lease = Lease(
            api=self._lm.api,
            **checked_out(response, "CheckoutLicense"),
            checkout_type=str(kind),
            beneficiary=beneficiary,
            on_lost=on_lost,
            keep_alive=keep_alive,
            clock=clock,
            wait=wait,
            strict_check_in=strict_check_in,
        )
        _log().info("checked out %s from %s", [e.name for e in lease.entitlements], lease.license_arn)
        return lease

    def tier(
        self,
        *,
        product_sku: str,
        key_fingerprint: str,
        tiers: str | Sequence[str],
        node_id: str | None = None,
        beneficiary: str | None = None,
    ) -> str | None:
        """The tier the customer holds: the highest of `tiers` (listed lowest first) granted, or None if none is.

        `tiers` is one tier name (`"PremiumTier"`: is it held?) or a list of names; a bare string is one name.
        One CheckoutLicense asks every tier as an unlimited (Unit None) entitlement; the service answers with the
        ones the license has. Nothing is counted, nothing is checked in: the checkout simply expires.

        Raises:
            ResourceNotFoundError: no license matched at all (where the service says so); the message says what
                to check. A NoEntitlementsAllowed answer (AWS also gives it when no license matches) is `None`.
        """
        tiers = tier_names(tiers)
        try:
            lease = self.checkout(
                product_sku=product_sku,
                key_fingerprint=key_fingerprint,
                entitlements=dict.fromkeys(tiers),
                node_id=node_id,
                beneficiary=beneficiary,
                keep_alive=False,
            )
        except ServiceError as err:
            if err.error_code == "NoEntitlementsAllowedException":
                _log().info("no tier of %s held: %s", product_sku, err)
                return None
            raise
        return highest_tier(tiers, lease.entitlements)

    def borrow(
        self,
        *,
        license_arn: str,
        entitlements: EntitlementsSpec,
        node_id: str | None = None,
        checkout_metadata: Mapping[str, str] | None = None,
        on_lost: OnLost | None = None,
        strict_check_in: bool = False,
        client_token: str | None = None,
        clock: Clock | None = None,
    ) -> BorrowedLease:
        """Borrow entitlements for offline use (CheckoutBorrowLicense, JWT_PS384), all or nothing.

        The license needs a BorrowConfiguration and an Issuer.SignKey. `lease.save(path)` keeps the signed token;
        `BorrowedLease.load(path, public_key=...)` verifies it later without network.

        Raises:
            EntitlementNotAllowedError, NoEntitlementsAllowedError: with what to check appended.
        """
        requested = _entitlement_data(entitlements)
        metadata = metadata_of(checkout_metadata)
        with borrow_hints(license_arn=license_arn, names=[str(e.name) for e in requested]):
            response = self._lm.api.checkout_borrow_license(
                license_arn=license_arn,
                entitlements=requested,
                digital_signature_method=DigitalSignatureMethod.JWT_PS384,
                node_id=node_id,
                checkout_metadata=metadata,
                client_token=client_token,
            )
        return BorrowedLease(
            api=self._lm.api,
            **checked_out(response, "CheckoutBorrowLicense", license_arn),
            checkout_type="BORROW",
            on_lost=on_lost,
            keep_alive=False,
            clock=clock,
            strict_check_in=strict_check_in,
            checkout_metadata=borrowed_metadata(response),
        )

    def verify(
        self,
        signed_token: str,
        *,
        public_key: PublicKeySource | None = None,
        kms_key_id: str | None = None,
        license_arn: str | None = None,
        node_id: str | None = None,
        now: datetime | None = None,
        leeway: float | timedelta = 0.0,
    ) -> VerifiedToken:
        """Verify a SignedToken offline (see `licensemanager_sdk.entitlements.verify`).

        With `kms_key_id` (the license's `Issuer.SignKey`) instead of `public_key`, the public key is fetched once with
        KMS GetPublicKey, through this client's session, region and endpoint, and cached for this client only.
        """
        kms = self._lm._kms_client() if kms_key_id is not None and public_key is None else None
        return verify(
            signed_token,
            public_key=public_key,
            kms_key_id=kms_key_id,
            kms_client=kms,
            license_arn=license_arn,
            node_id=node_id,
            now=now,
            leeway=leeway,
        )

    def __repr__(self) -> str:
        return f"Entitlements({self._lm!r})"


def checked_out(
    response: CheckoutLicenseResponse | CheckoutBorrowLicenseResponse, operation: str, license_arn: str = ""
) -> dict[str, Any]:
    """The `LeaseCore` fields a checkout's answer gives (shared with the async client)."""
    if response.license_consumption_token is None or response.expiration is None or response.issued_at is None:
        raise ResponseValidationError(f"{operation}: the answer lacks LicenseConsumptionToken, IssuedAt or Expiration")
    return {
        "license_arn": response.license_arn or license_arn,
        "token": response.license_consumption_token,
        "entitlements": tuple(response.entitlements_allowed),
        "issued_at": response.issued_at,
        "expiration": response.expiration,
        "signed_token": response.signed_token,
        "node_id": response.node_id,
    }


def borrowed_metadata(response: CheckoutBorrowLicenseResponse) -> dict[str, str]:
    """The answer's `CheckoutMetadata` as a mapping."""
    return {m.name or "": m.value or "" for m in response.checkout_metadata}


def metadata_of(checkout_metadata: Mapping[str, str] | None) -> list[Metadata] | None:
    """`checkout_metadata=` as the request's `CheckoutMetadata` (None when empty)."""
    return [Metadata.model_validate({"Name": k, "Value": v}) for k, v in (checkout_metadata or {}).items()] or None


def tier_names(tiers: str | Sequence[str]) -> list[str]:
    """`tiers=` as a list of names, lowest first (a bare string is one name)."""
    names = [tiers] if isinstance(tiers, str) else list(tiers)
    if not names or not all(isinstance(t, str) and t for t in names):
        raise ValueError("tiers must name at least one tier (a name or a list of names, lowest first)")
    return names


def highest_tier(tiers: Sequence[str], granted: Sequence[EntitlementData]) -> str | None:
    """The highest of `tiers` (lowest first) among the `granted` entitlements, or None."""
    held = {e.name for e in granted}
    found = [t for t in tiers if t in held]
    return found[-1] if found else None


def _entitlement_data(spec: EntitlementsSpec) -> list[EntitlementData]:
    if isinstance(spec, Mapping):
        out: list[EntitlementData] = []
        for name, qty in spec.items():
            if qty is None:
                out.append(EntitlementData.model_validate({"Name": name, "Unit": EntitlementDataUnit.NONE}))
                continue
            if isinstance(qty, bool) or not isinstance(qty, (int, Decimal)) or qty <= 0:
                raise ValueError(f"entitlement {name!r}: quantity must be a positive number or None, got {qty!r}")
            out.append(
                EntitlementData.model_validate({"Name": name, "Unit": EntitlementDataUnit.COUNT, "Value": str(qty)})
            )
    else:
        out = list(spec)
        if not all(isinstance(e, EntitlementData) for e in out):
            raise TypeError("entitlements must be a {name: quantity or None} mapping or a list of EntitlementData")
    if not out:
        raise ValueError("entitlements must name at least one entitlement")
    return out
