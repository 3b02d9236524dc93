"""The hand-over end to end with plain boto3, in process and over HTTP: IAM role, CreateToken, unsigned
GetAccessToken and AssumeRoleWithWebIdentity, then License Manager and STS calls with the temporary credentials."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from licensemanager_sdk.local import LocalLicenseManager, Settings
from tests._constants import BUYER, OTHER
from tests.local.sts.conftest import LM, Flow, trust_policy
from tests.local.transport.support import raw_request

SESSION_ARN = f"arn:aws:sts::{BUYER}:assumed-role/LicenseConsumer/node-1"


def _error(call: Any, **kwargs: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_the_whole_hand_over(flow: Flow) -> None:
    license_arn = flow.granted_license()
    role_arn = flow.role()
    assert role_arn == f"arn:aws:iam::{BUYER}:role/LicenseConsumer"
    access = flow.access_token(flow.refresh_token(license_arn))
    answer = flow.assume(access, role_arn, DurationSeconds=900)

    credentials = answer["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", credentials["AccessKeyId"])
    now = flow.local.engine.clock.timestamp()
    assert abs(credentials["Expiration"].timestamp() - (now + 900)) < 5
    assert answer["AssumedRoleUser"]["Arn"] == SESSION_ARN
    assert (answer["Provider"], answer["Audience"]) == (LM, license_arn)

    identity = flow.client("sts", credentials=credentials).get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (BUYER, SESSION_ARN)
    assert identity["UserId"].startswith("AROA") and identity["UserId"].endswith(":node-1")

    checkout = flow.checkout(credentials)
    assert checkout["EntitlementsAllowed"][0]["Name"] == "Users"
    lm = flow.client("license-manager", credentials=credentials)
    extended = lm.extend_license_consumption(LicenseConsumptionToken=checkout["LicenseConsumptionToken"])
    lm.check_in_license(LicenseConsumptionToken=extended["LicenseConsumptionToken"])
    # The session acts as the buyer's account: the buyer's own keys see the same grant.
    assert lm.list_received_licenses()["Licenses"][0]["LicenseArn"] == license_arn


def test_altered_unknown_and_expired_session_credentials_are_refused(flow: Flow) -> None:
    role_arn = flow.role()
    credentials = flow.assume(flow.access_token(flow.refresh_token(flow.granted_license())), role_arn)["Credentials"]
    token = credentials["SessionToken"]
    altered = {**credentials, "SessionToken": token[:-1] + ("0" if token[-1] != "0" else "1")}
    unknown = {**credentials, "AccessKeyId": "ASIA" + "Z" * 16}
    invalid = "The security token included in the request is invalid"
    for bad in (altered, unknown):
        lm = flow.client("license-manager", credentials=bad)
        assert _error(lm.list_received_licenses) == ("UnrecognizedClientException", 400, invalid)
        sts = flow.client("sts", credentials=bad)
        assert _error(sts.get_caller_identity) == ("InvalidClientTokenId", 403, invalid)

    flow.local.advance_clock(3601)
    expired = "The security token included in the request is expired"
    lm = flow.client("license-manager", credentials=credentials)
    assert _error(lm.list_received_licenses) == ("ExpiredTokenException", 400, expired)
    assert _error(flow.client("iam", credentials=credentials).list_roles) == ("ExpiredToken", 403, expired)


def test_expired_credentials_read_as_expired_after_they_are_forgotten(flow: Flow) -> None:
    role_arn = flow.role()
    refresh = flow.refresh_token(flow.granted_license())
    old = flow.assume(flow.access_token(refresh), role_arn)["Credentials"]
    flow.local.advance_clock(2 * 86400)
    flow.assume(flow.access_token(refresh), role_arn)  # issuing forgets credentials expired a day ago
    lm = flow.client("license-manager", credentials=old)
    assert _error(lm.list_received_licenses)[0] == "ExpiredTokenException"


def test_web_identity_token_errors(flow: Flow) -> None:
    license_arn = flow.granted_license()
    role_arn = flow.role()
    refresh = flow.refresh_token(license_arn, client_token="t1")
    access = flow.access_token(refresh)
    sts = flow.client("sts", unsigned=True)

    def refused(token: str, arn: str = role_arn, **kwargs: Any) -> tuple[str, int, str]:
        return _error(
            sts.assume_role_with_web_identity, RoleArn=arn, RoleSessionName="s1", WebIdentityToken=token, **kwargs
        )

    assert refused("not-a-jwt")[:2] == ("InvalidIdentityToken", 400)
    assert refused(refresh)[0] == "InvalidIdentityToken"  # a refresh token is not an access token
    header, claims, signature = access.split(".")
    assert refused(f"{header}.{claims[:-2]}AA.{signature}")[0] == "InvalidIdentityToken"  # tampered
    assert refused(access, f"arn:aws:iam::{BUYER}:role/Missing") == (
        "AccessDenied",
        403,
        f"Not authorized to perform sts:AssumeRoleWithWebIdentity: role arn:aws:iam::{BUYER}:role/Missing does not "
        "exist.",
    )
    assert refused(access, DurationSeconds=3601)[0] == "ValidationError"  # the role's maximum is one hour

    other_issuer = flow.role("OtherIssuer", trust_policy(OTHER))
    assert refused(access, other_issuer)[:2] == ("AccessDenied", 403)
    by_subject = flow.role("BySubject", trust_policy(condition={"StringEquals": {f"{LM}:sub": "someone-else"}}))
    assert refused(access, by_subject)[0] == "AccessDenied"
    by_audience = flow.role("ByAudience", trust_policy(condition={"StringEquals": {f"{LM}:aud": license_arn}}))
    assert flow.assume(access, by_audience)["AssumedRoleUser"]["Arn"].endswith("/ByAudience/node-1")

    pinned = flow.access_token(flow.refresh_token(license_arn, [by_audience], client_token="t2"))
    assert refused(pinned)[:2] == ("AccessDenied", 403)  # role_arn is not among the token's RoleArns
    assert flow.assume(pinned, by_audience)["Credentials"]["AccessKeyId"].startswith("ASIA")

    flow.local.advance_clock(3601)
    assert refused(access)[:2] == ("ExpiredTokenException", 400)
    fresh = flow.access_token(refresh)
    token_id = flow.client("license-manager").list_tokens()["Tokens"][0]["TokenId"]
    flow.client("license-manager").delete_token(TokenId=token_id)
    assert refused(fresh)[:2] == ("IDPRejectedClaim", 403)


def test_duration_up_to_the_roles_maximum(flow: Flow) -> None:
    role_arn = flow.role(MaxSessionDuration=43200)
    access = flow.access_token(flow.refresh_token(flow.granted_license()))
    expiration = flow.assume(access, role_arn, DurationSeconds=43200)["Credentials"]["Expiration"]
    hours = (expiration - datetime.now(timezone.utc)).total_seconds() / 3600
    assert 11.9 < hours <= 12


def test_iam_is_global_and_per_account(flow: Flow) -> None:
    flow.role()
    iam = flow.client("iam")
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["LicenseConsumer"]
    assert flow.client("iam", account=OTHER).list_roles()["Roles"] == []
    attached = iam.list_attached_role_policies(RoleName="LicenseConsumer")["AttachedPolicies"]
    assert attached == [
        {"PolicyName": "LicenseConsumerPolicy", "PolicyArn": f"arn:aws:iam::{BUYER}:policy/LicenseConsumerPolicy"}
    ]
    assert _error(iam.delete_role, RoleName="LicenseConsumer")[:2] == ("DeleteConflict", 409)
    assert _error(iam.get_role, RoleName="Nobody")[:2] == ("NoSuchEntity", 404)


def test_roles_and_credentials_survive_a_restart_with_state(tmp_path: Any) -> None:
    state = tmp_path / "state.sqlite3"
    with LocalLicenseManager(state_path=state, settings=Settings(reuse_rsa_keys=True)) as first:
        flow = Flow(first)
        role_arn = flow.role()
        credentials = flow.assume(flow.access_token(flow.refresh_token(flow.granted_license())), role_arn)[
            "Credentials"
        ]
    with LocalLicenseManager(state_path=state) as second:
        flow = Flow(second)
        assert flow.client("iam").get_role(RoleName="LicenseConsumer")["Role"]["Arn"] == role_arn
        identity = flow.client("sts", credentials=credentials).get_caller_identity()
        assert identity["Arn"] == SESSION_ARN
        assert flow.checkout(credentials)["LicenseConsumptionToken"]
        token = credentials["SessionToken"]
        altered = {**credentials, "SessionToken": ("y" if token[0] == "x" else "x") + token[1:]}  # one char off
        assert _error(flow.client("sts", credentials=altered).get_caller_identity)[0] == "InvalidClientTokenId"


def test_the_control_clock_moves_credential_expiry_over_http(local: LocalLicenseManager) -> None:
    with local.serve() as server:
        flow = Flow(local, server.url)
        role_arn = flow.role()
        credentials = flow.assume(flow.access_token(flow.refresh_token(flow.granted_license())), role_arn)[
            "Credentials"
        ]
        sts = flow.client("sts", credentials=credentials)
        assert sts.get_caller_identity()["Arn"] == SESSION_ARN
        status, _, _ = raw_request(server.url, "POST", "/_local/clock", json.dumps({"advance_seconds": 3601}))
        assert status == 200
        assert _error(sts.get_caller_identity)[:2] == ("ExpiredToken", 403)
