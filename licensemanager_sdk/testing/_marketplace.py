"""The `marketplace_license` fixture: AWS Marketplace licenses bought by a test account, in the test's local service."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest

from ..local import MARKETPLACE_FINGERPRINT, LocalLicenseManager, MarketplaceLicense
from ._fixtures import BUYER_ACCOUNT

__all__ = ["MARKETPLACE_FINGERPRINT", "marketplace_license"]


@pytest.fixture
def marketplace_license(local_license_manager: LocalLicenseManager) -> Callable[..., MarketplaceLicense]:
    """Factory: `marketplace_license("prod-id", [{"Name": "Seats", "Unit": "Count", "MaxCount": 5}])` ->
    `MarketplaceLicense(license_arn, grant_arn)`, bought by `buyer_account` (default `BUYER_ACCOUNT`, the account
    of `lm_buyer`) with its grant already ACTIVE. Check out with `MARKETPLACE_FINGERPRINT`; keyword options as for
    `LocalLicenseManager.seed_marketplace_license` (`region`, `product_name`, `validity_end`, `signed`)."""

    def seed(
        product_sku: str,
        entitlements: Iterable[Mapping[str, Any]],
        *,
        buyer_account: str = BUYER_ACCOUNT,
        region: str | None = None,
        product_name: str = "Marketplace product",
        validity_end: str | _dt.datetime | None = None,
        signed: bool = True,
    ) -> MarketplaceLicense:
        return local_license_manager.seed_marketplace_license(
            buyer_account=buyer_account,
            product_sku=product_sku,
            entitlements=entitlements,
            region=region,
            product_name=product_name,
            validity_end=validity_end,
            signed=signed,
        )

    return seed
