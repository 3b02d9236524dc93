"""AssumeRoleWithWebIdentity logic and temporary-credential resolution, with a fake verifier and clock."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from licensemanager_sdk.local.iam.backend import IamBackend
from licensemanager_sdk.local.sts.web_identity import CredentialStore, StsError, WebIdentity
from tests.local.iam.conftest import ACCOUNT, FakeClock

LM = "openid-license-manager.amazonaws.com"
ISSUER_AMR = f"aws:license-manager:token-issuer-account-id:{ACCOUNT}"
TRUST = {
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": LM},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"ForAnyValue:StringLike": {f"{LM}:amr": ISSUER_AMR}},
        }
    ]
}
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Consumer"


class World:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.iam = IamBackend(ACCOUNT, self.clock)
        self.iam.create_role("Consumer", json.dumps(TRUST), max_session_duration=7200)
        self.deleted: set[str] = set()
        self.tokens: dict[str, dict[str, Any]] = {}
        self.sts = WebIdentity(
            verify=self.tokens.get,
            refresh_token_active=lambda sub: sub not in self.deleted,
            find_role=self.iam.role_by_arn,
            clock=self.clock,
            store=CredentialStore(),
        )

    def token(self, **claims: Any) -> str:
        base = {"token_use": "access", "sub": "tok-1", "aud": "arn:lic", "amr": [ISSUER_AMR], "roles": []}
        base["exp"] = self.clock.now + 3600
        name = f"t{len(self.tokens)}"
        self.tokens[name] = {**base, **claims}
        return name

    def assume(self, token: str, role_arn: str = ROLE_ARN, **kwargs: Any) -> dict[str, Any]:
        return self.sts.assume_role(role_arn=role_arn, session_name="node-1", web_identity_token=token, **kwargs)


@pytest.fixture
def world() -> World:
    return World()


def _refused(world: World, token: str, **kwargs: Any) -> tuple[str, int, str]:
    with pytest.raises(StsError) as caught:
        world.assume(token, **kwargs)
    return caught.value.code, caught.value.status, caught.value.message


def test_issues_credentials_that_resolve_to_the_assumed_role(world: World) -> None:
    result = world.assume(world.token(), duration_seconds=900)
    credentials = result["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", credentials["AccessKeyId"])
    assert len(credentials["SecretAccessKey"]) == 40
    assert credentials["Expiration"] == world.clock.now + 900
    assert result["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Consumer/node-1"
    assert result["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")
    assert result["SubjectFromWebIdentityToken"] == "tok-1"
    assert (result["Provider"], result["Audience"]) == (LM, "arn:lic")

    who = world.sts.store.resolve(credentials["AccessKeyId"], credentials["SessionToken"], world.clock.now)
    assert (who.account, who.arn) == (ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/Consumer/node-1")


def test_resolve_refuses_altered_unknown_and_expired_credentials(world: World) -> None:
    credentials = world.assume(world.token())["Credentials"]
    key, token = credentials["AccessKeyId"], credentials["SessionToken"]
    invalid = "The security token included in the request is invalid"
    for k, t in ((key, token[:-1] + ("0" if token[-1] != "0" else "1")), ("ASIAUNKNOWN", token), (key, None)):
        with pytest.raises(StsError, match=invalid) as caught:
            world.sts.store.resolve(k, t, world.clock.now)
        assert caught.value.code == "UnrecognizedClientException"
    with pytest.raises(StsError, match="The security token included in the request is expired") as expired:
        world.sts.store.resolve(key, token, world.clock.now + 3600)
    assert expired.value.code == "ExpiredTokenException"


def test_credentials_survive_a_json_round_trip(world: World) -> None:
    credentials = world.assume(world.token())["Credentials"]
    restored = CredentialStore.from_json(json.loads(json.dumps(world.sts.store.to_json())))
    who = restored.resolve(credentials["AccessKeyId"], credentials["SessionToken"], world.clock.now)
    assert who.account == ACCOUNT
    assert credentials["SecretAccessKey"] not in repr(restored) + repr(restored.sessions)


def test_token_errors(world: World) -> None:
    assert _refused(world, "garbage")[:2] == ("InvalidIdentityToken", 400)
    assert _refused(world, world.token(token_use="refresh"))[0] == "InvalidIdentityToken"
    assert _refused(world, world.token(exp=world.clock.now - 1))[0] == "ExpiredTokenException"
    world.deleted.add("tok-1")
    assert _refused(world, world.token())[:2] == ("IDPRejectedClaim", 403)


def test_role_errors(world: World) -> None:
    denied = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
    code, status, message = _refused(world, world.token(), role_arn=f"arn:aws:iam::{ACCOUNT}:role/Missing")
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(denied) and "does not exist" in message
    foreign = world.token(amr=["aws:license-manager:token-issuer-account-id:999999999999"])
    assert _refused(world, foreign) == ("AccessDenied", 403, denied)
    other_role = world.token(roles=[f"arn:aws:iam::{ACCOUNT}:role/Other"])
    assert _refused(world, other_role) == ("AccessDenied", 403, denied)
    assert world.assume(world.token(roles=[ROLE_ARN]))["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_duration_bounds(world: World) -> None:
    assert world.assume(world.token(), duration_seconds=7200)["Credentials"]["Expiration"] == world.clock.now + 7200
    for seconds in (899, 7201):
        assert _refused(world, world.token(), duration_seconds=seconds)[0] == "ValidationError"
    with pytest.raises(StsError, match="roleSessionName"):
        world.sts.assume_role(role_arn=ROLE_ARN, session_name="bad name", web_identity_token=world.token())
