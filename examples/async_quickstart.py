"""Async quickstart: issue a license, read it back concurrently, walk a paginator, and grant it to accounts."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from licensemanager_sdk import AsyncLicenseManager
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.types import (
    ConsumptionConfiguration,
    DatetimeRange,
    Entitlement,
    EntitlementUnit,
    Issuer,
    ProvisionalConfiguration,
)


async def main(lm: AsyncLicenseManager) -> str:
    license = await lm.licenses.create(
        license_name="Example Pro",
        product_name="Example",
        product_sku="example-pro",
        issuer=Issuer(name="Example Corp"),
        home_region=lm.region_name,
        validity=DatetimeRange(begin=datetime.now(timezone.utc)),
        entitlements=[Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=10)],
        beneficiary="customer-1",
        consumption_configuration=ConsumptionConfiguration(
            provisional_configuration=ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    )
    reads = await asyncio.gather(*(lm.api.get_license(license_arn=license.arn) for _ in range(3)))
    names = {r.license.license_name or "" for r in reads if r.license is not None}
    count = len([item async for item in lm.api.paginate_list_licenses(page_size=10)])
    report = await lm.grants.distribute(license, ["222222222222", "333333333333"], ["CheckoutLicense"])
    return f"{sorted(names)} licenses={count} grants={report.summary()}"


async def run() -> str:
    with LocalLicenseManager() as local:  # the embedded local service; use AsyncLicenseManager(region_name=...) on AWS
        async with local.aio_client() as lm:
            return await main(lm)


if __name__ == "__main__":
    print(asyncio.run(run()))
