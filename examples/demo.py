"""The whole story in ~10 seconds: a seller issues a signed license, a buyer activates it, an application checks
entitlements out, verifies them offline, keeps its lease alive, hits the seat limit, checks in; the seller
distributes the license to 50 accounts; then the buyer hands a refresh token and a role to software outside AWS.

    python examples/demo.py                      # on the embedded local service (the default: nothing to set up)
    python examples/demo.py --profile seller --buyer-profile buyer --region us-east-1 [--sign-key KMS_KEY_ARN]
                                                 # on real AWS: see docs/runtime-entitlement-checks.md first
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import boto3
import click

from licensemanager_sdk import LicenseManager, NoEntitlementsAllowedError
from licensemanager_sdk.entitlements import Lease, verify
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.resources import License, key_fingerprint
from licensemanager_sdk.types import (
    ConsumptionConfiguration,
    DatetimeRange,
    Entitlement,
    EntitlementUnit,
    Issuer,
    ProvisionalConfiguration,
)

SKU = "acme-analytics-demo"
ISSUER = "Acme Software"
TIERS = ["BasicTier", "IntermediateTier", "PremiumTier"]
OPERATIONS = ["CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense", "ListPurchasedLicenses", "CreateToken"]
TOKEN_ISSUER = "openid-license-manager.amazonaws.com"


def say(text: str) -> None:
    print(textwrap.fill(text, width=110, subsequent_indent="    ", break_on_hyphens=False, break_long_words=False))


def step(title: str) -> None:
    print(f"\n== {title}")


class Stage:
    """Where the demo runs: the embedded local service, or AWS with two profiles."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.local: LocalLicenseManager | None = None
        if args.profile is None:
            self.local = LocalLicenseManager()
            self.seller_account, self.buyer_account = "111111111111", "222222222222"
            self.seller = self.local.client(account=self.seller_account)
            self.buyer = self.local.client(account=self.buyer_account)
            self.kms: Any = self.local.boto3_client("kms", account=self.seller_account)
        else:
            if args.buyer_profile is None:
                sys.exit("--profile needs --buyer-profile: the buyer is another AWS account")
            seller_session = boto3.Session(profile_name=args.profile, region_name=args.region)
            buyer_session = boto3.Session(profile_name=args.buyer_profile, region_name=args.region)
            self.seller = LicenseManager(session=seller_session)
            self.buyer = LicenseManager(session=buyer_session)
            self.seller_account = seller_session.client("sts").get_caller_identity()["Account"]
            self.buyer_account = buyer_session.client("sts").get_caller_identity()["Account"]
            self.kms = seller_session.client("kms")
        self.where = "the embedded local service" if self.local else f"AWS ({self.seller.region_name})"


def issue_license(stage: Stage, sign_key: str | None) -> License:
    step("1. The seller issues a signed license")
    if sign_key is None and stage.local is not None:
        key = stage.kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY", Description="license signing")
        sign_key = str(key["KeyMetadata"]["Arn"])
        say(f"Seller {stage.seller_account} creates an RSA signing key in KMS: {sign_key}")
    license = stage.seller.licenses.create(
        license_name="Acme Analytics (demo)",
        product_name="Acme Analytics",
        product_sku=SKU,
        issuer=Issuer(name=ISSUER, sign_key=sign_key) if sign_key else Issuer(name=ISSUER),
        validity=DatetimeRange(begin=datetime.now(timezone.utc).replace(microsecond=0)),
        entitlements=[
            Entitlement(name="Users", unit=EntitlementUnit.COUNT, max_count=3, overage=False, allow_check_in=True),
            Entitlement(name="IntermediateTier", unit=EntitlementUnit.NONE, value="Enabled"),
        ],
        beneficiary=stage.buyer_account,
        consumption_configuration=ConsumptionConfiguration(
            provisional_configuration=ProvisionalConfiguration(max_time_to_live_in_minutes=60)
        ),
    ).wait_until_available()
    say(f"License {license.arn}: 3 Users seats and the IntermediateTier, status {license.status}")
    return license


def grant_to_buyer(stage: Stage, license: License) -> None:
    step("2. The seller grants it to the buyer; the buyer accepts and activates")
    grant = stage.seller.grants.create(license, stage.buyer_account, OPERATIONS)
    say(f"Grant {grant.arn} to account {stage.buyer_account}")
    received = stage.buyer.grants.get(grant.arn)
    say(f"The buyer sees it as {received.status}; grant.accept_and_activate() ...")
    active = received.accept_and_activate()
    say(f"... now {active.status}: the buyer's applications can check the license out")


def application(stage: Stage, sign_key: str | None) -> Lease:
    fingerprint = key_fingerprint(stage.seller_account, ISSUER)
    step("3. The ISV's application (running in the buyer's account) checks its entitlements")
    tier = stage.buyer.entitlements.tier(product_sku=SKU, key_fingerprint=fingerprint, tiers=TIERS)
    say(f"Tier check (one CheckoutLicense asking {', '.join(TIERS)}): the customer has {tier}")
    lease = stage.buyer.entitlements.checkout(
        product_sku=SKU,
        key_fingerprint=fingerprint,
        entitlements={"Users": 2},
        on_lost=lambda err: say(f"!! entitlement lost: {err}"),
    )
    say(f"Checked out 2 Users seats: lease on {lease.license_arn}, expires {lease.expiration:%H:%M:%S} UTC")
    started = time.perf_counter()
    checks = 200_000
    for _ in range(checks):
        lease.has("Users")
    per_check = (time.perf_counter() - started) / checks * 1e6
    say(f"lease.has('Users') -> {lease.has('Users')}, lease.quantity('Users') -> {lease.quantity('Users')}: answered")
    say(f"locally, {per_check:.2f} µs per check, no network call")

    step("4. The application verifies the signed token offline")
    if lease.signed_token and sign_key:
        token = verify(lease.signed_token, kms_key_id=sign_key, kms_client=stage.kms, license_arn=lease.license_arn)
        say(f"PS384 signature OK (public key fetched once from KMS GetPublicKey, then cached): {token.license_arn}")
        grants = ", ".join(f"{e.name}={e.value}" for e in token.entitlements)
        say(f"the token grants {grants} until {token.expiration:%H:%M:%S} UTC")
    else:
        say("(no SignKey on this license: pass --sign-key KMS_KEY_ARN to sign it)")

    step("5. The lease keeps itself alive")
    before = lease.expiration
    if stage.local is not None:
        stage.local.advance_clock(41 * 60)
        say("41 minutes pass (the local clock is moved forward). The lease's keep-alive thread extends at 2/3")
        say("of the lifetime; here we trigger that renewal now: lease.extend() (ExtendLicenseConsumption)")
    else:
        say("lease.extend() (ExtendLicenseConsumption); the keep-alive thread does this by itself at 2/3 of the TTL")
    after = lease.extend()
    say(f"expiration moved {before:%H:%M:%S} -> {after:%H:%M:%S} UTC; lease.has('Users') -> {lease.has('Users')}")
    return lease


def seat_limit(stage: Stage, license: License, lease: Lease) -> None:
    step("6. Another instance asks for 2 more seats: only 1 of 3 is left")
    fingerprint = key_fingerprint(stage.seller_account, ISSUER)
    try:
        stage.buyer.entitlements.checkout(product_sku=SKU, key_fingerprint=fingerprint, entitlements={"Users": 2})
    except NoEntitlementsAllowedError as err:
        say(f"{type(err).__name__}: {err.message}")
    show_usage(license)
    step("7. The application checks in (leaving the `with` block does the same)")
    lease.release()
    show_usage(license)


def show_usage(license: License) -> None:
    for usage in license.usage().entitlement_usages:
        if usage.max_count is not None:
            say(f"usage: {usage.name} {usage.consumed_value} of {usage.max_count} in use")


def distribute(stage: Stage, license: License, accounts_file: Path | None) -> None:
    step("8. The seller distributes the license to 50 accounts")
    if accounts_file is not None:
        accounts = [line.strip() for line in accounts_file.read_text().splitlines() if line.strip()]
    else:
        accounts = [f"{300000000000 + i}" for i in range(50)]
    dry_run = stage.local is None and accounts_file is None  # never grant invented accounts on AWS
    with click.progressbar(length=len(accounts), label=f"granting to {len(accounts)} accounts", file=sys.stdout) as bar:
        report = stage.seller.grants.distribute(
            license,
            accounts,
            OPERATIONS,
            dry_run=dry_run,
            rate_limit=None if stage.local else 20.0,
            progress=lambda _done, _total, _outcome: bar.update(1),
        )
    path = Path(tempfile.gettempdir()) / "lmsdk-demo-distribution.json"
    report.to_json(path)
    say(f"report: {report}")
    say(f"written to {path}; run it again and every account is 'already_present' (safe to re-run)")


def outside_aws(stage: Stage, license: License) -> None:
    step("9. Software outside AWS: a refresh token and a role instead of AWS credentials")
    if stage.local is None:
        say("(on AWS this step needs IAM rights in the buyer account: see docs/software-outside-aws.md)")
        return
    iam = stage.local.boto3_client("iam", account=stage.buyer_account)
    condition = {f"{TOKEN_ISSUER}:amr": f"aws:license-manager:token-issuer-account-id:{stage.buyer_account}"}
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": TOKEN_ISSUER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"ForAnyValue:StringLike": condition},
            }
        ],
    }
    role_arn = iam.create_role(RoleName="AcmeConsumer", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    created = stage.buyer.tokens.create(license, role_arns=[role_arn])
    say(f"The buyer creates role {role_arn}, trusting License Manager's token issuer, and a refresh token for it")
    software = stage.local.refresh_token_client(created.refresh_token, role_arn=role_arn)
    fingerprint = key_fingerprint(stage.seller_account, ISSUER)

    def one_user() -> Lease:
        return software.entitlements.checkout(product_sku=SKU, key_fingerprint=fingerprint, entitlements={"Users": 1})

    with one_user() as lease:
        say(f"The software, given only the token and the role, checks out Users: {lease.has('Users')}")
    stage.local.advance_clock(3 * 3600)
    with one_user() as lease:
        say(f"Three hours later its role credentials had expired; the SDK refreshed them: Users {lease.has('Users')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", help="seller AWS profile: run on AWS instead of the local service")
    parser.add_argument("--buyer-profile", help="buyer AWS profile (another account), with --profile")
    parser.add_argument("--region", help="AWS region (with --profile)")
    parser.add_argument("--sign-key", help="RSA SIGN_VERIFY KMS key ARN of the seller (AWS; created locally)")
    parser.add_argument("--accounts-file", type=Path, help="accounts to distribute to (AWS: dry run without it)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    stage = Stage(args)
    print(f"AWS License Manager managed entitlements, end to end, on {stage.where}")
    sign_key: str | None = args.sign_key
    license = issue_license(stage, sign_key)
    sign_key = license.data.issuer.sign_key if license.data.issuer else None
    grant_to_buyer(stage, license)
    lease = application(stage, sign_key)
    seat_limit(stage, license, lease)
    distribute(stage, license, args.accounts_file)
    outside_aws(stage, license)
    print(f"\nDone in {time.perf_counter() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
