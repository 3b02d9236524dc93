"""IAM roles and managed policies through a real boto3 `iam` client (query protocol, XML)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from licensemanager_sdk.local.iam.backend import IamBackend
from licensemanager_sdk.local.iam.exceptions import ValidationError
from licensemanager_sdk.local.iam.models import IamState
from tests.local.iam.conftest import ACCOUNT

CONSUMPTION = "arn:aws:iam::aws:policy/service-role/AWSLicenseManagerConsumptionPolicy"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": "openid-license-manager.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
        }
    ],
}
PERMISSIONS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["license-manager:CheckoutLicense"], "Resource": "*"}],
}


def _error(call: Any, **kwargs: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    return error["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"], error["Message"]


def test_create_get_and_delete_a_role(iam: Any) -> None:
    created = iam.create_role(
        RoleName="Consumer", Path="/lm/", AssumeRolePolicyDocument=json.dumps(TRUST), MaxSessionDuration=7200
    )["Role"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/lm/Consumer"
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21
    assert created["AssumeRolePolicyDocument"] == TRUST  # URL-encoded on the wire, decoded by botocore
    role = iam.get_role(RoleName="Consumer")["Role"]
    assert role["MaxSessionDuration"] == 7200
    assert role["CreateDate"].year == 2023
    assert role["RoleName"] == "Consumer"
    iam.delete_role(RoleName="Consumer")
    assert _error(iam.get_role, RoleName="Consumer")[:2] == ("NoSuchEntity", 404)


def test_role_errors(iam: Any) -> None:
    iam.create_role(RoleName="Consumer", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert _error(iam.create_role, RoleName="consumer", AssumeRolePolicyDocument=json.dumps(TRUST))[:2] == (
        "EntityAlreadyExists",
        409,
    )
    assert _error(iam.create_role, RoleName="R2", AssumeRolePolicyDocument="{not json")[:2] == (
        "MalformedPolicyDocument",
        400,
    )
    assert _error(iam.create_role, RoleName="R2", AssumeRolePolicyDocument='{"Version": "2012-10-17"}')[2] == (
        "Missing required field Statement"
    )
    code = _error(iam.create_role, RoleName="R3", AssumeRolePolicyDocument=json.dumps(TRUST), MaxSessionDuration=43201)
    assert code[:2] == ("ValidationError", 400)
    assert _error(iam.delete_role, RoleName="Nobody")[:2] == ("NoSuchEntity", 404)


def test_max_session_duration_below_an_hour_is_refused(backend: IamBackend) -> None:
    # botocore refuses 3599 before sending; the backend checks it for clients that do not.
    with pytest.raises(ValidationError, match="between 3600 and 43200"):
        backend.create_role("R", json.dumps(TRUST), max_session_duration=3599)


def test_update_assume_role_policy(iam: Any) -> None:
    iam.create_role(RoleName="Consumer", AssumeRolePolicyDocument=json.dumps(TRUST))
    changed = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Effect": "Deny"}]}  # type: ignore[dict-item]
    iam.update_assume_role_policy(RoleName="Consumer", PolicyDocument=json.dumps(changed))
    assert iam.get_role(RoleName="Consumer")["Role"]["AssumeRolePolicyDocument"] == changed
    assert _error(iam.update_assume_role_policy, RoleName="Consumer", PolicyDocument="[]")[0] == (
        "MalformedPolicyDocument"
    )


def test_list_roles_pages_with_marker_and_path_prefix(iam: Any) -> None:
    for n in range(5):
        iam.create_role(RoleName=f"R{n}", Path="/a/" if n % 2 else "/", AssumeRolePolicyDocument=json.dumps(TRUST))
    first = iam.list_roles(MaxItems=2)
    assert [r["RoleName"] for r in first["Roles"]] == ["R0", "R1"]
    assert first["IsTruncated"] is True
    rest = iam.list_roles(MaxItems=2, Marker=first["Marker"])
    assert [r["RoleName"] for r in rest["Roles"]] == ["R2", "R3"]
    names = [r["RoleName"] for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]]
    assert names == ["R0", "R1", "R2", "R3", "R4"]
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/a/")["Roles"]] == ["R1", "R3"]
    assert iam.list_roles(PathPrefix="/a/")["IsTruncated"] is False
    assert _error(iam.list_roles, Marker="%%%")[0] == "InvalidInput"


def test_policies_attach_detach_and_delete_conflicts(iam: Any) -> None:
    iam.create_role(RoleName="Consumer", AssumeRolePolicyDocument=json.dumps(TRUST))
    policy = iam.create_policy(PolicyName="Checkout", PolicyDocument=json.dumps(PERMISSIONS))["Policy"]
    assert policy["Arn"] == f"arn:aws:iam::{ACCOUNT}:policy/Checkout"
    assert policy["PolicyId"].startswith("ANPA")
    assert policy["DefaultVersionId"] == "v1"
    assert _error(iam.create_policy, PolicyName="Checkout", PolicyDocument=json.dumps(PERMISSIONS))[:2] == (
        "EntityAlreadyExists",
        409,
    )
    assert _error(iam.create_policy, PolicyName="Bad", PolicyDocument="nope")[0] == "MalformedPolicyDocument"

    iam.attach_role_policy(RoleName="Consumer", PolicyArn=policy["Arn"])
    iam.attach_role_policy(RoleName="Consumer", PolicyArn=CONSUMPTION)  # AWS managed: no CreatePolicy needed
    attached = iam.list_attached_role_policies(RoleName="Consumer")["AttachedPolicies"]
    assert attached == [
        {"PolicyName": "Checkout", "PolicyArn": policy["Arn"]},
        {"PolicyName": "AWSLicenseManagerConsumptionPolicy", "PolicyArn": CONSUMPTION},
    ]
    assert iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["AttachmentCount"] == 1
    assert iam.get_policy(PolicyArn=CONSUMPTION)["Policy"]["Path"] == "/service-role/"
    missing = f"arn:aws:iam::{ACCOUNT}:policy/Nope"
    assert _error(iam.attach_role_policy, RoleName="Consumer", PolicyArn=missing)[:2] == ("NoSuchEntity", 404)

    assert _error(iam.delete_role, RoleName="Consumer")[:2] == ("DeleteConflict", 409)
    assert _error(iam.delete_policy, PolicyArn=policy["Arn"])[:2] == ("DeleteConflict", 409)
    iam.detach_role_policy(RoleName="Consumer", PolicyArn=policy["Arn"])
    iam.detach_role_policy(RoleName="Consumer", PolicyArn=CONSUMPTION)
    assert _error(iam.detach_role_policy, RoleName="Consumer", PolicyArn=CONSUMPTION)[0] == "NoSuchEntity"
    iam.delete_policy(PolicyArn=policy["Arn"])
    iam.delete_role(RoleName="Consumer")
    assert _error(iam.get_policy, PolicyArn=policy["Arn"])[:2] == ("NoSuchEntity", 404)


def test_unknown_action_is_refused(iam: Any) -> None:
    code, status, message = _error(iam.list_users)
    assert (code, status) == ("InvalidAction", 400)
    assert "ListUsers" in message


def test_state_round_trips_through_json(backend: IamBackend) -> None:
    backend.create_role("Consumer", json.dumps(TRUST))
    backend.create_policy("Checkout", json.dumps(PERMISSIONS))
    backend.attach_role_policy("Consumer", f"arn:aws:iam::{ACCOUNT}:policy/Checkout")
    restored = IamState.from_json(json.loads(json.dumps(backend.state.to_json())))
    assert restored == backend.state
