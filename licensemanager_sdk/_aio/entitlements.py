"""`lm.entitlements` of `AsyncLicenseManager`: `checkout` an `AsyncLease` (keep-alive as an asyncio task; `has()` and
`quantity()` local and synchronous) and `verify` (the KMS public key fetched with aiobotocore, then `verify()`)."""

from __future__ import annotations

import asyncio
import logging
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from licensemanager_sdk._core.retry import is_retryable
from licensemanager_sdk._exceptions import (
    EntitlementLostError,
    EntitlementNotHeldError,
    ResponseValidationError,
    ServiceError,
    TransportError,
)
from licensemanager_sdk.entitlements._lease import _EXTEND_BACKOFF
from licensemanager_sdk.entitlements._namespace import _entitlement_data
from licensemanager_sdk.entitlements._verify import PublicKeySource, VerifiedToken, quantity_of, verify
from licensemanager_sdk.types import CheckoutType

if TYPE_CHECKING:
    from datetime import datetime, timedelta
    from types import TracebackType

    from licensemanager_sdk._async_client import AsyncLicenseManager
    from licensemanager_sdk.entitlements._namespace import EntitlementsSpec
    from licensemanager_sdk.types import CheckoutLicenseResponse

__all__ = ["AsyncEntitlements", "AsyncLease"]

_log = logging.getLogger("licensemanager_sdk.entitlements")


class AsyncLease:
    """Checked-out entitlements. `async with lease:` checks in at the end; a PROVISIONAL lease is extended by an
    asyncio task at 2/3 of the remaining time (failed extensions retried 2 s, 4 s, ... apart until expiry)."""

    def __init__(
        self, lm: AsyncLicenseManager, response: CheckoutLicenseResponse, checkout_type: str, *, keep_alive: bool
    ) -> None:
        if response.license_consumption_token is None or response.expiration is None:
            raise ResponseValidationError("CheckoutLicense: the answer lacks LicenseConsumptionToken or Expiration")
        self._lm = lm
        self._token = response.license_consumption_token
        self.license_arn = response.license_arn or ""
        self.entitlements = tuple(response.entitlements_allowed)
        self.expiration = response.expiration
        self.checkout_type = checkout_type
        self._quantities = {str(e.name): quantity_of(e) for e in self.entitlements}
        self._lost: EntitlementLostError | None = None
        self._released = False
        self.keep_alive_task: asyncio.Task[None] | None = None
        if keep_alive and checkout_type == "PROVISIONAL":
            self.keep_alive_task = asyncio.get_running_loop().create_task(self._keep_alive(), name="lmsdk-keep-alive")

    def has(self, name: str) -> bool:
        """Whether the lease grants `name`. Local; raises `EntitlementLostError` once lost."""
        self._check_held()
        return name in self._quantities

    def quantity(self, name: str) -> Decimal:
        """The checked-out quantity of `name` (`0` for an unlimited or absent one). Local."""
        self._check_held()
        return self._quantities.get(name, Decimal(0))

    def check(self, *names: str) -> None:
        """Raise `EntitlementLostError` if lost, `EntitlementNotHeldError` if a name is not held."""
        self._check_held()
        missing = [n for n in names if n not in self._quantities]
        if missing:
            raise EntitlementNotHeldError(missing, list(self._quantities))

    @property
    def held(self) -> bool:
        return self._lost is None and not self._released and time.time() < self.expiration.timestamp()

    async def extend(self) -> datetime:
        """ExtendLicenseConsumption now; returns the new expiration. A refusal marks the lease lost."""
        try:
            response = await self._lm.api.extend_license_consumption(license_consumption_token=self._token)
        except (ServiceError, TransportError) as err:
            if not is_retryable(err, replay_safe=True):
                self._lost = EntitlementLostError("extend_refused", self.license_arn, f"{type(err).__name__}")
            raise
        if response.expiration is not None:
            self.expiration = response.expiration
        return self.expiration

    async def check_in(self) -> None:
        """Stop the keep-alive and CheckInLicense (PERPETUAL checkouts are kept)."""
        await self.stop_keep_alive()
        if self._released:
            return
        self._released = True
        if self.checkout_type != "PERPETUAL" and self._lost is None:
            await self._lm.api.check_in_license(license_consumption_token=self._token)

    async def stop_keep_alive(self) -> None:
        """Cancel the keep-alive task and wait for it to end."""
        task, self.keep_alive_task = self.keep_alive_task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def __aenter__(self) -> AsyncLease:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.check_in()

    def __repr__(self) -> str:
        state = "lost" if self._lost else "released" if self._released else "held"
        return f"AsyncLease({self.license_arn!r}, {sorted(self._quantities)}, {state})"

    def _check_held(self) -> None:
        if self._lost is not None:
            raise self._lost
        if time.time() >= self.expiration.timestamp():
            self._lost = EntitlementLostError("expired", self.license_arn, "the expiration passed")
            raise self._lost

    async def _keep_alive(self) -> None:
        failures = 0
        while self._lost is None:
            remaining = self.expiration.timestamp() - time.time()
            if remaining <= 0:
                self._lost = EntitlementLostError("expired", self.license_arn, "no extension succeeded in time")
                return
            await asyncio.sleep(
                remaining * (2.0 / 3.0) if failures == 0 else _EXTEND_BACKOFF.delay(failures, limit=remaining)
            )
            try:
                await self.extend()
                failures = 0
            except (ServiceError, TransportError) as err:
                if self._lost is not None:
                    return
                failures += 1
                _log.warning("extending %s failed (%s); retrying", self.license_arn, type(err).__name__)


class AsyncEntitlements:
    """`lm.entitlements` of the async client."""

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
        keep_alive: bool = True,
        client_token: str | None = None,
    ) -> AsyncLease:
        """CheckoutLicense, held as an `AsyncLease`: `async with await lm.entitlements.checkout(...) as lease:`."""
        kind = CheckoutType(str(checkout_type))
        response = await self._lm.api.checkout_license(
            product_sku=product_sku,
            checkout_type=kind,
            key_fingerprint=key_fingerprint,
            entitlements=_entitlement_data(entitlements),
            client_token=client_token,
            beneficiary=beneficiary,
            node_id=node_id,
        )
        return AsyncLease(self._lm, response, str(kind), keep_alive=keep_alive)

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
