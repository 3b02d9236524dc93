"""Retries and errors: throttling is retried with one ClientToken, and failures arrive as typed errors."""

from __future__ import annotations

from datetime import datetime, timezone

from licensemanager_sdk import NoEntitlementsAllowedError, RetryConfig
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.types import (
    CheckoutType,
    ConsumptionConfiguration,
    DatetimeRange,
    Entitlement,
    EntitlementData,
    EntitlementDataUnit,
    EntitlementUnit,
    Issuer,
    ProvisionalConfiguration,
)


def main(local: LocalLicenseManager) -> None:
    lm = local.client(account="111111111111")
    patient = lm.with_options(retry=RetryConfig(max_attempts=5, initial_backoff=0.01, max_backoff=0.1))
    local.inject_fault("CreateLicense", "RateLimitExceededException", times=2)  # throttle the next two calls

    created = patient.api.create_license(
        license_name="Seats",
        product_name="Example",
        product_sku="seats-1",
        issuer=Issuer(name="Example Corp"),
        home_region="us-east-1",
        validity=DatetimeRange(begin=datetime.now(timezone.utc)),
        entitlements=[Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=1)],
        beneficiary="customer-1",
        consumption_configuration=ConsumptionConfiguration(
            provisional_configuration=ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    )
    assert created.response_metadata is not None
    print(f"created after {created.response_metadata.attempts} attempts (one ClientToken, one license)")

    def checkout() -> None:
        lm.api.checkout_license(
            product_sku="seats-1",
            checkout_type=CheckoutType.PROVISIONAL,
            key_fingerprint="aws:111111111111:Example Corp:issuer-fingerprint",
            entitlements=[EntitlementData(name="Users", unit=EntitlementDataUnit.COUNT, value="1")],
            beneficiary="customer-1",
        )

    checkout()
    try:
        checkout()  # the only seat is taken
    except NoEntitlementsAllowedError as err:
        print(f"{err.error_code}: {err.message} (HTTP {err.status_code}, {err.attempts} attempt)")


if __name__ == "__main__":
    main(LocalLicenseManager())
