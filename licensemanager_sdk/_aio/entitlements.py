"""`lm.entitlements` of `AsyncLicenseManager`: `checkout` an `AsyncLease`, `tier`, `borrow` an `AsyncBorrowedLease`,
and `verify` (the KMS public key fetched with aiobotocore, then `verify()`). The same parameters as the sync
`Entitlements`, except `sleep=` (a coroutine function) where the sync one takes `wait=`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from licensemanager_sdk._aio.lease import AsyncBorrowedLease, AsyncLease, AsyncOnLost, Sleep
from licensemanager_sdk._exceptions import ServiceError
from licensemanager_sdk.entitlements._hints import borrow_hints, checkout_hints
from licensemanager_sdk.entitlements._lease import Clock, _log
from licensemanager_sdk.entitlements._namespace import (
    _entitlement_data,
    borrowed_metadata,
    checked_out,
    highest_tier,
    metadata_of,
    tier_names,
)
from licensemanager_sdk.entitlements._verify import PublicKeySource, VerifiedToken, verify
from licensemanager_sdk.types import CheckoutType, DigitalSignatureMethod

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from licensemanager_sdk._async_client import AsyncLicenseManager
    from licensemanager_sdk.entitlements._namespace import EntitlementsSpec

__all__ = ["AsyncEntitlements"]


class AsyncEntitlements:
    """`lm.entitlements` of the async client: check out, keep alive, borrow and tier-check entitlements."""

    def __init__(self, lm: AsyncLicenseManager) -> None:
        self._lm = lm
        self._keys: dict[str, bytes] = {}

    async def checkout(
        self,
        *,
        product_sku: str,
        key_fingerprint: str,
        entitlements: EntitlementsSpec,
        checkout_type: CheckoutType | str = "PROVISIONAL",
        node_id: str | None = None,
        beneficiary: str | None = None,
        on_lost: AsyncOnLost | None = None,
        keep_alive: bool = True,
        strict_check_in: bool = False,
        client_token: str | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
    ) -> AsyncLease:
        """CheckoutLicense, held as an `AsyncLease`: `async with await lm.entitlements.checkout(...) as lease:`.

        As `LicenseManager.entitlements.checkout`: partial fulfilment (check `lease.has(name)`), `on_lost` called
        once if the lease is lost (a plain function or a coroutine function), refusals re-raised with what to
        check. `clock`/`sleep` drive the keep-alive task (tests).
        """
        kind = CheckoutType(str(checkout_type))
        requested = _entitlement_data(entitlements)
        names = [str(e.name) for e in requested]
        hints = checkout_hints(
            product_sku=product_sku, key_fingerprint=key_fingerprint, names=names, beneficiary=beneficiary
        )
        with hints:
            response = await self._lm.api.checkout_license(
                product_sku=product_sku,
                checkout_type=kind,
                key_fingerprint=key_fingerprint,
                entitlements=requested,
                client_token=client_token,
                beneficiary=beneficiary,
                node_id=node_id,
            )
        lease = AsyncLease(
            api=self._lm.api,
            **checked_out(response, "CheckoutLicense"),
            checkout_type=str(kind),
            beneficiary=beneficiary,
            on_lost=on_lost,
            keep_alive=keep_alive,
            clock=clock,
            sleep=sleep,
            strict_check_in=strict_check_in,
        )
        _log().info("checked out %s from %s", [e.name for e in lease.entitlements], lease.license_arn)
        return lease

    async def tier(
        self,
        *,
        product_sku: str,
        key_fingerprint: str,
        tiers: str | Sequence[str],
        node_id: str | None = None,
        beneficiary: str | None = None,
    ) -> str | None:
        """The highest of `tiers` (lowest first) the customer holds, or None; as `LicenseManager.entitlements.tier`."""
        names = tier_names(tiers)
        try:
            lease = await self.checkout(
                product_sku=product_sku,
                key_fingerprint=key_fingerprint,
                entitlements=dict.fromkeys(names),
                node_id=node_id,
                beneficiary=beneficiary,
                keep_alive=False,
            )
        except ServiceError as err:
            if err.error_code == "NoEntitlementsAllowedException":
                _log().info("no tier of %s held: %s", product_sku, err)
                return None
            raise
        return highest_tier(names, lease.entitlements)

    async def borrow(
        self,
        *,
        license_arn: str,
        entitlements: EntitlementsSpec,
        node_id: str | None = None,
        checkout_metadata: Mapping[str, str] | None = None,
        on_lost: AsyncOnLost | None = None,
        strict_check_in: bool = False,
        client_token: str | None = None,
        clock: Clock | None = None,
    ) -> AsyncBorrowedLease:
        """Borrow entitlements for offline use (CheckoutBorrowLicense, JWT_PS384), all or nothing; as
        `LicenseManager.entitlements.borrow`. `lease.save(path)` keeps the signed token for `BorrowedLease.load()`."""
        requested = _entitlement_data(entitlements)
        with borrow_hints(license_arn=license_arn, names=[str(e.name) for e in requested]):
            response = await self._lm.api.checkout_borrow_license(
                license_arn=license_arn,
                entitlements=requested,
                digital_signature_method=DigitalSignatureMethod.JWT_PS384,
                node_id=node_id,
                checkout_metadata=metadata_of(checkout_metadata),
                client_token=client_token,
            )
        return AsyncBorrowedLease(
            api=self._lm.api,
            **checked_out(response, "CheckoutBorrowLicense", license_arn),
            checkout_type="BORROW",
            on_lost=on_lost,
            keep_alive=False,
            clock=clock,
            strict_check_in=strict_check_in,
            checkout_metadata=borrowed_metadata(response),
        )

    async def verify(
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
        """Verify a SignedToken offline; with `kms_key_id`, its public key is fetched once (KMS GetPublicKey)."""
        if public_key is None and kms_key_id is not None:
            if kms_key_id not in self._keys:
                kms: Any = await self._lm._kms_client()
                self._keys[kms_key_id] = bytes((await kms.get_public_key(KeyId=kms_key_id))["PublicKey"])
            public_key = self._keys[kms_key_id]
        return verify(
            signed_token, public_key=public_key, license_arn=license_arn, node_id=node_id, now=now, leeway=leeway
        )

    def __repr__(self) -> str:
        return f"AsyncEntitlements({self._lm!r})"
