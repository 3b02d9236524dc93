"""The "anywhere" variant: the buyer's license token, used with `LicenseManager.from_refresh_token` over HTTP."""

from __future__ import annotations

import json

from licensemanager_sdk import LicenseManager
from licensemanager_sdk.local import LocalLicenseManager, LocalServer
from tests.local.marketplace.conftest import BUYER, FINGERPRINT

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": "openid-license-manager.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "ForAnyValue:StringLike": {
                    "openid-license-manager.amazonaws.com:amr": f"aws:license-manager:token-issuer-account-id:{BUYER}"
                }
            },
        }
    ],
}


def test_software_outside_aws_checks_the_marketplace_license_with_a_token(
    emulator: LocalLicenseManager, server: LocalServer
) -> None:
    seeded = emulator.seed_marketplace_license(
        buyer_account=BUYER,
        product_sku="prod-1",
        entitlements=[
            {"Name": "PremiumTier", "Unit": "None", "Value": "Enabled"},
            {"Name": "Seats", "Unit": "Count", "MaxCount": 1, "AllowCheckIn": True},
        ],
    )
    iam = emulator.boto3_client("iam", account=BUYER)
    role_arn = iam.create_role(RoleName="LicenseConsumer", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    created = emulator.client(account=BUYER).tokens.create(seeded.license_arn, role_arns=[role_arn])

    lm = LicenseManager.from_refresh_token(
        created.refresh_token, role_arn=role_arn, region_name="us-east-1", endpoint_url=server.url
    )
    tier = lm.entitlements.tier(product_sku="prod-1", key_fingerprint=FINGERPRINT, tiers=["BasicTier", "PremiumTier"])
    assert tier == "PremiumTier"
    with lm.entitlements.checkout(
        product_sku="prod-1", key_fingerprint=FINGERPRINT, entitlements={"Seats": 1}
    ) as lease:
        assert lease.has("Seats") and lease.signed_token is not None
        verified = lm.entitlements.verify(
            lease.signed_token, public_key=emulator.marketplace_public_key_pem(), now=emulator.engine.clock.now()
        )
        assert verified.license_arn == seeded.license_arn
