"""Application code on the resource layer: issue, grant, accept and activate, tokens, versions, typed conflicts."""

from __future__ import annotations

from datetime import datetime, timezone

from examples._client import BUYER, SELLER, client
from licensemanager_sdk import ConflictError, LicenseManager, key_fingerprint
from licensemanager_sdk.types import (
    AllowedOperation,
    ConsumptionConfiguration,
    DatetimeRange,
    Entitlement,
    EntitlementUnit,
    GrantStatus,
    ProvisionalConfiguration,
)


def main(seller: LicenseManager, buyer: LicenseManager) -> str:
    # The seller issues a license and waits until it is AVAILABLE (a new license may start PENDING_AVAILABLE).
    license = seller.licenses.create(
        license_name="Example Pro",
        product_name="Example",
        product_sku="example-pro",
        issuer="Example Corp",  # or Issuer(name=..., sign_key=<KMS key ARN>)
        validity=DatetimeRange(begin=datetime.now(timezone.utc)),
        entitlements=[Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=10, allow_check_in=True)],
        beneficiary="customer-1",
        consumption_configuration=ConsumptionConfiguration(
            provisional_configuration=ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    ).wait_until_available(timeout=60)
    print(f"{license.data.license_name} v{license.version}: {license.status}")

    # Grant it to the buyer's account (an account id becomes arn:aws:iam::<id>:root).
    ops = [AllowedOperation.CHECKOUT_LICENSE, AllowedOperation.CHECK_IN_LICENSE, AllowedOperation.CREATE_TOKEN]
    license.create_grant(BUYER, [*ops, AllowedOperation.LIST_PURCHASED_LICENSES], grant_name="customer-1")

    # The buyer finds pending grants (two statuses = two calls, merged) and accepts and activates them: one call each.
    for grant in buyer.grants.list_received(status=[GrantStatus.PENDING_ACCEPT, GrantStatus.DISABLED]):
        active = grant.accept_and_activate()  # safe to call again: skips what is already done
        print(f"grant {active.data.grant_name}: {active.status} (v{active.version})")

    for received in buyer.licenses.list_received(fingerprint=key_fingerprint(SELLER, "Example Corp")):
        assert received.received_metadata is not None
        print(f"received {received.license.data.product_sku}: {received.received_metadata.received_status}")

    # A refresh token for software outside AWS; the secret is a SecretStr and never shows in logs.
    created = buyer.tokens.create(license, token_properties=["node-1"])
    access = buyer.tokens.get_access_token(created.refresh_token)
    secret_length = len(access.get_secret_value())
    print(f"token {created.token.token_id}: {created.refresh_token!r}, access token of {secret_length} chars")

    # New version: pass only what changes; everything else is carried over from the version you last saw.
    v2 = license.create_version(entitlements=[Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=50)])
    print(f"now v{v2.version}: {v2.data.entitlements[0].max_count} users")
    try:
        license.create_version(license_name="stale edit")  # `license` is still the v1 snapshot
    except ConflictError as err:
        print(f"stale snapshot refused: {err.error_code}; reload() and decide")
    return license.arn


if __name__ == "__main__":
    main(client(SELLER), client(BUYER))
