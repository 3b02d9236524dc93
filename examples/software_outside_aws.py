"""Software outside AWS: the license holder creates a role and a refresh token; the software, given only the token,
the role ARN and the region, checks its entitlements out with credentials it never sees.

    python -m licensemanager_sdk.local --port 4566 &   # or real AWS: drop endpoint_url
    python examples/software_outside_aws.py http://127.0.0.1:4566
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import boto3
from pydantic import SecretStr

from licensemanager_sdk import LicenseManager
from licensemanager_sdk.credentials import refresh_token_session
from licensemanager_sdk.resources import key_fingerprint
from licensemanager_sdk.types import (
    ConsumptionConfiguration,
    DatetimeRange,
    Entitlement,
    EntitlementUnit,
    Issuer,
    ProvisionalConfiguration,
)

REGION = "us-east-1"
SELLER, CUSTOMER = "111111111111", "222222222222"  # on the local service, a 12-digit key id is that account
SKU = "acme-anywhere"
ISSUER = "Acme Software"
LM = "openid-license-manager.amazonaws.com"


def session(account: str) -> boto3.Session:
    return boto3.Session(aws_access_key_id=account, aws_secret_access_key="x", region_name=REGION)


def seller_issues_and_grants(endpoint_url: str) -> str:
    """The ISV issues a license and grants it to the customer, who accepts and activates it."""
    seller = LicenseManager(session=session(SELLER), endpoint_url=endpoint_url)
    customer = LicenseManager(session=session(CUSTOMER), endpoint_url=endpoint_url)
    license = seller.licenses.create(
        license_name="Acme Anywhere",
        product_name="Acme Anywhere",
        product_sku=SKU,
        issuer=Issuer(name=ISSUER),
        validity=DatetimeRange(begin=datetime(2020, 1, 1, tzinfo=timezone.utc)),
        entitlements=[Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=5, allow_check_in=True)],
        beneficiary=CUSTOMER,
        consumption_configuration=ConsumptionConfiguration(
            provisional_configuration=ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    )
    operations = ["CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense", "CreateToken"]
    grant = seller.grants.create(license, CUSTOMER, operations)
    customer.grants.get(grant.arn).accept_and_activate()
    return license.arn


def holder_creates_role_and_token(endpoint_url: str, license_arn: str) -> tuple[SecretStr, str]:
    """The license holder (the customer): a role License Manager's token issuer may assume, and a refresh token."""
    iam = session(CUSTOMER).client("iam", endpoint_url=endpoint_url)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": LM},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "ForAnyValue:StringLike": {f"{LM}:amr": f"aws:license-manager:token-issuer-account-id:{CUSTOMER}"}
                },
            }
        ],
    }
    role_arn: str = iam.create_role(RoleName="AcmeConsumer", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.attach_role_policy(
        RoleName="AcmeConsumer",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLicenseManagerConsumptionPolicy",
    )
    holder = LicenseManager(session=session(CUSTOMER), endpoint_url=endpoint_url)
    created = holder.tokens.create(license_arn, role_arns=[role_arn])  # shown once: hand it over now
    return created.refresh_token, role_arn


def software(refresh_token: SecretStr, role_arn: str, endpoint_url: str) -> None:
    """What ships to the customer: token + role ARN + region (+ the local endpoint here). No AWS account needed."""
    lm = LicenseManager.from_refresh_token(
        refresh_token, role_arn=role_arn, region_name=REGION, endpoint_url=endpoint_url
    )
    fingerprint = key_fingerprint(SELLER, ISSUER)
    with lm.entitlements.checkout(product_sku=SKU, key_fingerprint=fingerprint, entitlements={"Users": 1}) as lease:
        print(f"checked out Users: {lease.has('Users')}")
    # The same refreshed role credentials for plain boto3 clients:
    boto_session = refresh_token_session(
        refresh_token, role_arn=role_arn, region_name=REGION, endpoint_url=endpoint_url
    )
    identity = boto_session.client("sts", endpoint_url=endpoint_url).get_caller_identity()
    print(f"acting as {identity['Arn']}")


def main(endpoint_url: str) -> None:
    license_arn = seller_issues_and_grants(endpoint_url)
    refresh_token, role_arn = holder_creates_role_and_token(endpoint_url, license_arn)
    print(f"handed over: a refresh token ({len(refresh_token.get_secret_value())} characters) and {role_arn}")
    software(refresh_token, role_arn, endpoint_url)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4566")
