"""The refresh-token hand-over (SERVICE.md §8.4) against one emulator, in process or over HTTP, with plain boto3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from licensemanager_sdk.local import LocalLicenseManager, Settings
from licensemanager_sdk.local.emulator import PINNED_ENDPOINT
from tests._constants import BUYER, GRANT_OPERATIONS, SELLER
from tests.local.transport.support import license_params

LM = "openid-license-manager.amazonaws.com"
FINGERPRINT = f"aws:{SELLER}:Widget Corp:issuer-fingerprint"
CONSUMPTION_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "license-manager:CheckoutLicense",
                "license-manager:CheckInLicense",
                "license-manager:ExtendLicenseConsumption",
                "license-manager:GetLicense",
            ],
            "Resource": "*",
        }
    ],
}


def trust_policy(account: str = BUYER, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    """The AWS sample's trust policy: the License Manager issuer, tokens created by `account`."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": LM},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition
        or {"ForAnyValue:StringLike": {f"{LM}:amr": f"aws:license-manager:token-issuer-account-id:{account}"}},
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


_SESSION = boto3.Session(region_name="us-east-1")  # one model loader for every client (a fresh one costs ~0.1 s)


class Flow:
    """Clients of one emulator (attached in process, or over HTTP at `url`) and the hand-over's steps."""

    def __init__(self, local: LocalLicenseManager, url: str | None = None) -> None:
        self.local = local
        self.url = url

    def client(
        self, service: str, *, account: str = BUYER, credentials: dict[str, str] | None = None, unsigned: bool = False
    ) -> Any:
        config = Config(retries={"total_max_attempts": 1})
        if unsigned:
            config = config.merge(Config(signature_version=UNSIGNED))
        keys = {"aws_access_key_id": account, "aws_secret_access_key": "x"}
        if credentials is not None:
            keys = {
                "aws_access_key_id": credentials["AccessKeyId"],
                "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials["SessionToken"],
            }
        client = _SESSION.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.url or PINNED_ENDPOINT,
            region_name="us-east-1",
            config=config,
            **keys,
        )
        if self.url is None:
            self.local.attach(client)
        return client

    def granted_license(self) -> str:
        """A seller's license with an ACTIVE grant to the buyer (every operation); its ARN."""
        seller, buyer = self.client("license-manager", account=SELLER), self.client("license-manager")
        arn: str = seller.create_license(**license_params("flow-license"))["LicenseArn"]
        grant = seller.create_grant(
            ClientToken="flow-grant",
            GrantName="to buyer",
            LicenseArn=arn,
            Principals=[f"arn:aws:iam::{BUYER}:root"],
            HomeRegion="us-east-1",
            AllowedOperations=GRANT_OPERATIONS,
        )["GrantArn"]
        buyer.accept_grant(GrantArn=grant)
        buyer.create_grant_version(ClientToken="flow-activate", GrantArn=grant, Status="ACTIVE")
        return arn

    def role(self, name: str = "LicenseConsumer", trust: dict[str, Any] | None = None, **kwargs: Any) -> str:
        """The buyer's consumption role (policy created and attached as the sample does); its ARN."""
        iam = self.client("iam")
        policy = iam.create_policy(PolicyName=f"{name}Policy", PolicyDocument=json.dumps(CONSUMPTION_POLICY))
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust or trust_policy()), **kwargs)
        iam.attach_role_policy(RoleName=name, PolicyArn=policy["Policy"]["Arn"])
        arn: str = role["Role"]["Arn"]
        return arn

    def refresh_token(self, license_arn: str, role_arns: list[str] | None = None, client_token: str = "t") -> str:
        extra = {"RoleArns": role_arns} if role_arns else {}
        token: str = self.client("license-manager").create_token(
            LicenseArn=license_arn, ClientToken=client_token, **extra
        )["Token"]
        return token

    def access_token(self, refresh_token: str) -> str:
        token: str = self.client("license-manager", unsigned=True).get_access_token(Token=refresh_token)["AccessToken"]
        return token

    def assume(self, access_token: str, role_arn: str, **kwargs: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.client("sts", unsigned=True).assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName="node-1", WebIdentityToken=access_token, **kwargs
        )
        return answer

    def checkout(self, credentials: dict[str, str], token: str = "c1") -> dict[str, Any]:
        answer: dict[str, Any] = self.client("license-manager", credentials=credentials).checkout_license(
            ProductSKU="widget-sku",
            CheckoutType="PROVISIONAL",
            KeyFingerprint=FINGERPRINT,
            Entitlements=[{"Name": "Users", "Unit": "Count", "Value": "1"}],
            ClientToken=token,
        )
        return answer


@pytest.fixture
def local() -> Iterator[LocalLicenseManager]:
    with LocalLicenseManager(settings=Settings(reuse_rsa_keys=True)) as emulator:
        yield emulator


@pytest.fixture(params=["in-process", "http"])
def flow(request: pytest.FixtureRequest, local: LocalLicenseManager) -> Iterator[Flow]:
    if request.param == "in-process":
        yield Flow(local)
        return
    with local.serve() as server:
        yield Flow(local, server.url)
