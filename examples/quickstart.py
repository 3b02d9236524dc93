"""Quickstart: issue a license, read it back, list licenses, and handle a typed error."""

from __future__ import annotations

from datetime import datetime, timezone

from examples._client import client
from licensemanager_sdk import LicenseManager, LicenseManagerError, ServiceError
from licensemanager_sdk.types import (
    ConsumptionConfiguration,
    DatetimeRange,
    Entitlement,
    EntitlementUnit,
    Issuer,
    ProvisionalConfiguration,
)


def main(lm: LicenseManager) -> str:
    created = lm.api.create_license(
        license_name="Example Pro",
        product_name="Example",
        product_sku="example-pro",
        issuer=Issuer(name="Example Corp"),
        home_region=lm.region_name,
        validity=DatetimeRange(begin=datetime.now(timezone.utc)),
        entitlements=[Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=10, allow_check_in=True)],
        beneficiary="customer-1",
        consumption_configuration=ConsumptionConfiguration(
            provisional_configuration=ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    )  # ClientToken is filled for you, and re-sent unchanged if the call is retried
    assert created.license_arn is not None

    license = lm.api.get_license(license_arn=created.license_arn).license
    assert license is not None
    print(f"{license.license_name}: {license.status}, created {license.create_time:%Y-%m-%d %H:%M} UTC")

    for item in lm.api.paginate_list_licenses(page_size=50):  # lazy: pages are fetched as you iterate
        print(f"  {item.license_arn} {item.product_sku} v{item.version}")

    try:
        lm.api.get_license(license_arn=created.license_arn.replace("l-", "l-0"))
    except ServiceError as err:  # one class per AWS error code, all under LicenseManagerError
        print(f"typed error: {type(err).__name__} ({err.error_code}, request {err.request_id})")
    except LicenseManagerError:
        raise
    return created.license_arn


if __name__ == "__main__":
    main(client())
