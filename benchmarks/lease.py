"""Lease checks: `lease.has()` / `lease.quantity()` answer from memory (no network call) — how fast?"""

from __future__ import annotations

import timeit

from licensemanager_sdk.local import LocalLicenseManager, Settings

SELLER, BUYER = "111111111111", "222222222222"


def run() -> list[str]:
    with LocalLicenseManager(settings=Settings(reuse_rsa_keys=True)) as local:
        seller, buyer = local.client(account=SELLER), local.client(account=BUYER)
        arn = seller.boto3_client.create_license(
            LicenseName="bench",
            ProductName="bench",
            ProductSKU="bench",
            Issuer={"Name": "Bench"},
            HomeRegion="us-east-1",
            Validity={"Begin": "2020-01-01T00:00:00Z"},
            Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 10, "AllowCheckIn": True}],
            Beneficiary="bench",
            ConsumptionConfiguration={"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
            ClientToken="bench",
        )["LicenseArn"]
        grant = seller.grants.create(arn, BUYER, ["CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense"])
        buyer.grants.get(grant.arn).accept_and_activate()
        with buyer.entitlements.checkout(
            product_sku="bench", key_fingerprint=f"aws:{SELLER}:Bench:issuer-fingerprint", entitlements={"Users": 1}
        ) as lease:
            lines = []
            for label, stmt in (("has()", lambda: lease.has("Users")), ("quantity()", lambda: lease.quantity("Users"))):
                number = 200_000
                best = min(timeit.repeat(stmt, number=number, repeat=5)) / number
                lines.append(f"lease {label}: {best * 1e6:.2f} µs per check (local, no network)")
            started = timeit.default_timer()
            lease.extend()
            lines.append(
                f"lease extend(): {(timeit.default_timer() - started) * 1e3:.2f} ms per ExtendLicenseConsumption "
                "(embedded local service)"
            )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
