"""Trust-policy evaluation for AssumeRoleWithWebIdentity."""

from __future__ import annotations

from typing import Any

import pytest

from licensemanager_sdk.local.iam.policy import allows

LM = "openid-license-manager.amazonaws.com"
ACTION = "sts:AssumeRoleWithWebIdentity"
ISSUER_AMR = "aws:license-manager:token-issuer-account-id:111122223333"
CONTEXT = {f"{LM}:amr": ["tier:gold", ISSUER_AMR], f"{LM}:sub": "8f7e-token", f"{LM}:aud": "arn:aws:license:lic-1"}


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(condition: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": LM}, "Action": ACTION}
    if condition is not None:
        statement["Condition"] = condition
    return {**statement, **overrides}


def _check(document: dict[str, Any], context: dict[str, Any] = CONTEXT) -> bool:
    return allows(document, federated=LM, action=ACTION, context=context)


def test_the_samples_trust_policy_allows_the_issuer_account() -> None:
    condition = {"ForAnyValue:StringLike": {f"{LM}:amr": "aws:license-manager:token-issuer-account-id:111122223333"}}
    assert _check(_doc(_allow(condition)))
    other = {"ForAnyValue:StringLike": {f"{LM}:amr": "aws:license-manager:token-issuer-account-id:999999999999"}}
    assert not _check(_doc(_allow(other)))


def test_principal_and_action_forms() -> None:
    assert _check(_doc(_allow(Principal="*")))
    assert _check(_doc(_allow(Principal={"Federated": ["accounts.google.com", LM]})))
    assert not _check(_doc(_allow(Principal={"Federated": "accounts.google.com"})))
    assert not _check(_doc(_allow(Principal={"AWS": "arn:aws:iam::111122223333:root"})))
    assert _check(_doc(_allow(Action=["sts:AssumeRole", "STS:assumerole*"])))
    assert _check(_doc(_allow(Action="sts:*")))
    assert not _check(_doc(_allow(Action="sts:AssumeRole")))
    assert not _check(_doc())
    assert _check(document=_doc(_allow()) | {"Statement": _allow()})  # a single statement object


def test_deny_wins_over_allow() -> None:
    deny = {**_allow(), "Effect": "Deny"}
    assert not _check(_doc(_allow(), deny))
    unmatched_deny = {**_allow({"StringEquals": {f"{LM}:sub": "other"}}), "Effect": "Deny"}
    assert _check(_doc(_allow(), unmatched_deny))


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"StringEquals": {f"{LM}:sub": "8f7e-token"}}, True),
        ({"StringEquals": {f"{LM}:sub": ["nope", "8f7e-token"]}}, True),  # several values: OR
        ({"StringEquals": {f"{LM}:sub": "8F7E-TOKEN"}}, False),  # values are case-sensitive
        ({"StringEqualsIgnoreCase": {f"{LM}:sub": "8F7E-TOKEN"}}, True),
        ({"StringEquals": {"OPENID-LICENSE-MANAGER.AMAZONAWS.COM:SUB": "8f7e-token"}}, True),  # keys are not
        ({"StringLike": {f"{LM}:aud": "arn:aws:license:*"}}, True),
        ({"StringLike": {f"{LM}:sub": "8f7?-token"}}, True),
        ({"StringLike": {f"{LM}:sub": "8f7?"}}, False),
        ({"StringEquals": {f"{LM}:sub": "8f7e-token", f"{LM}:aud": "other"}}, False),  # several keys: AND
        ({"StringEquals": {f"{LM}:sub": "8f7e-token"}, "StringLike": {f"{LM}:aud": "x*"}}, False),  # operators: AND
        ({"StringNotEquals": {f"{LM}:sub": "other"}}, True),
        ({"StringNotLike": {f"{LM}:aud": "arn:*"}}, False),
        ({"StringNotEquals": {f"{LM}:missing": "x"}}, True),  # absent key: a negated operator holds
        ({"StringEquals": {f"{LM}:missing": "x"}}, False),
        ({"StringEqualsIfExists": {f"{LM}:missing": "x"}}, True),
        ({"ForAnyValue:StringEquals": {f"{LM}:amr": "tier:gold"}}, True),
        ({"ForAnyValue:StringEquals": {f"{LM}:amr": "tier:silver"}}, False),
        ({"ForAllValues:StringLike": {f"{LM}:amr": ["tier:*", "aws:license-manager:*"]}}, True),
        ({"ForAllValues:StringLike": {f"{LM}:amr": "tier:*"}}, False),
        ({"ForAllValues:StringEquals": {f"{LM}:missing": "x"}}, True),  # no values: vacuously true
        ({"ForAnyValue:StringEquals": {f"{LM}:missing": "x"}}, False),
        ({"ForAnyValue:StringNotEquals": {f"{LM}:amr": "tier:gold"}}, True),
        ({"ForAllValues:StringNotLike": {f"{LM}:amr": "tier:*"}}, False),
        ({"NumericLessThan": {f"{LM}:sub": "1"}}, False),  # unknown operators fail closed
    ],
)
def test_conditions(condition: dict[str, Any], expected: bool) -> None:
    assert _check(_doc(_allow(condition))) is expected


def test_a_json_string_document_is_accepted() -> None:
    assert allows(
        '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*"}]}', federated=LM, action=ACTION, context={}
    )
