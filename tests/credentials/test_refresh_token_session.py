"""Refresh-token credentials against canned wire answers: unsigned exchange, refresh, typed refusals, no leaks."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import SecretStr

from licensemanager_sdk import ConfigurationError, LicenseManager
from licensemanager_sdk.credentials import RefreshTokenError, refresh_token_session
from tests.credentials.conftest import OTHER_ROLE_ARN, REFRESH_TOKEN, ROLE_ARN, FakeAws, fake_jwt

ENDPOINT = "http://127.0.0.1:1"
ROUND = ["GetAccessToken", "AssumeRoleWithWebIdentity", "ListReceivedLicenses"]
TWO_ROUNDS = ROUND + ROUND
NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
DELETED = "The refresh token has been deleted."


def _client(aws: FakeAws, token: str | SecretStr = REFRESH_TOKEN, **kwargs: object) -> LicenseManager:
    lm = LicenseManager.from_refresh_token(token, role_arn=ROLE_ARN, region_name="us-east-1", **kwargs)  # type: ignore[arg-type]
    aws.attach(lm.boto3_client)
    return lm


def _list(lm: LicenseManager, aws: FakeAws) -> None:
    aws.json_ok("ListReceivedLicenses", {"Licenses": []})
    lm.api.list_received_licenses()


def test_nothing_is_sent_until_a_call_needs_credentials(aws: FakeAws) -> None:
    _client(aws)
    assert aws.sent == []


def test_the_exchange_is_unsigned_and_the_call_is_signed_with_the_role_session(aws: FakeAws) -> None:
    lm = _client(aws, token_properties=["tier:gold"], session_name="node-7")
    aws.role_credentials()
    _list(lm, aws)

    get_access, assume, call = aws.sent
    assert (get_access.operation, assume.operation, call.operation) == (
        "GetAccessToken",
        "AssumeRoleWithWebIdentity",
        "ListReceivedLicenses",
    )
    assert get_access.params == {"Token": REFRESH_TOKEN, "TokenProperties": ["tier:gold"]}
    assert "Authorization" not in get_access.headers
    assert "Authorization" not in assume.headers
    assert assume.params["RoleArn"] == ROLE_ARN
    assert assume.params["RoleSessionName"] == "node-7"
    assert assume.params["WebIdentityToken"] == "access-token-1"
    assert "Credential=ASIAFAKE000000000001/" in call.headers["Authorization"]
    assert call.headers["X-Amz-Security-Token"] == "session-token-1"


def test_endpoint_url_sends_both_exchange_calls_there(aws: FakeAws) -> None:
    session = refresh_token_session(REFRESH_TOKEN, role_arn=ROLE_ARN, endpoint_url="http://127.0.0.1:4566")
    aws.role_credentials()
    credentials = session.get_credentials()
    assert credentials is not None
    credentials.get_frozen_credentials()
    # The fake records what botocore built; the URL is on the request, so check through a client of the session.
    client = aws.attach(session.client("license-manager", endpoint_url="http://127.0.0.1:4566"))
    aws.json_ok("ListReceivedLicenses", {"Licenses": []})
    client.list_received_licenses()
    assert aws.ops() == ROUND
    assert all(url.startswith("http://127.0.0.1:4566") for url in aws.urls)


def test_credentials_far_from_expiry_are_reused(aws: FakeAws) -> None:
    lm = _client(aws)
    aws.role_credentials(expires_in=timedelta(hours=1))
    _list(lm, aws)
    _list(lm, aws)
    assert aws.ops().count("AssumeRoleWithWebIdentity") == 1


def test_credentials_near_expiry_are_refreshed_before_the_next_call(aws: FakeAws) -> None:
    lm = _client(aws)
    aws.role_credentials(expires_in=timedelta(minutes=5)).role_credentials(expires_in=timedelta(hours=1))
    _list(lm, aws)
    _list(lm, aws)
    assert aws.ops() == TWO_ROUNDS
    assert aws.sent[4].params["WebIdentityToken"] == "access-token-2"
    assert "Credential=ASIAFAKE000000000002/" in aws.sent[5].headers["Authorization"]


def test_expiry_is_read_on_the_services_clock(aws: FakeAws) -> None:
    # The service's clock is 3 hours ahead: its credentials expire 5 minutes after *its* now, so refresh soon.
    lm = _client(aws)
    ahead = datetime.now(timezone.utc) + timedelta(hours=3)
    aws.role_credentials(expires_in=timedelta(minutes=5), served_at=ahead).role_credentials()
    _list(lm, aws)
    _list(lm, aws)
    assert aws.ops().count("AssumeRoleWithWebIdentity") == 2


def test_an_expired_token_answer_forces_one_refresh_and_resend(aws: FakeAws) -> None:
    lm = _client(aws)
    aws.role_credentials().role_credentials()
    aws.json_error("ListReceivedLicenses", "ExpiredTokenException", 400, "The security token included is expired")
    _list(lm, aws)
    assert aws.ops() == TWO_ROUNDS
    assert "Credential=ASIAFAKE000000000002/" in aws.sent[5].headers["Authorization"]


def test_a_failed_refresh_raises_the_typed_error_on_the_next_call_then_recovers(aws: FakeAws) -> None:
    lm = _client(aws)
    aws.role_credentials(expires_in=timedelta(minutes=5))
    _list(lm, aws)
    aws.access_token().sts_error("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    with pytest.raises(RefreshTokenError) as caught:
        lm.api.list_received_licenses()
    assert caught.value.reason == "role_not_trusted"
    assert caught.value.operation == "AssumeRoleWithWebIdentity"
    assert "ListReceivedLicenses" not in aws.ops()[3:]
    aws.role_credentials()
    _list(lm, aws)
    assert aws.ops()[-1] == "ListReceivedLicenses"


@pytest.mark.parametrize(
    ("token", "refusal", "reason"),
    [
        (REFRESH_TOKEN, ("GetAccessToken", "ValidationException", 400, "The token signature is not valid."), "forged"),
        (
            REFRESH_TOKEN,
            ("GetAccessToken", "AuthorizationException", 403, "The refresh token has been deleted."),
            "deleted",
        ),
        (REFRESH_TOKEN, ("GetAccessToken", "AuthorizationException", 403, "The refresh token has expired."), "expired"),
        (
            fake_jwt({"sub": "t", "exp": 1_000_000}),
            ("GetAccessToken", "AuthorizationException", 403, "Not authorized."),
            "expired",
        ),
        (
            REFRESH_TOKEN,
            ("GetAccessToken", "AuthorizationException", 403, "Token properties ['x'] are not present in the token."),
            "token_properties",
        ),
        (REFRESH_TOKEN, ("GetAccessToken", "RateLimitExceededException", 429, "slow down"), "unavailable"),
        (REFRESH_TOKEN, ("AssumeRoleWithWebIdentity", "InvalidIdentityToken", 400, "no"), "forged"),
        (REFRESH_TOKEN, ("AssumeRoleWithWebIdentity", "ExpiredTokenException", 400, "no"), "expired"),
        (REFRESH_TOKEN, ("AssumeRoleWithWebIdentity", "IDPRejectedClaim", 403, "no"), "deleted"),
        (
            REFRESH_TOKEN,
            (
                "AssumeRoleWithWebIdentity",
                "AccessDenied",
                403,
                "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            ),
            "role_not_trusted",
        ),
        (
            REFRESH_TOKEN,
            ("AssumeRoleWithWebIdentity", "AccessDenied", 403, "Not authorized ... role X does not exist."),
            "role_missing",
        ),
        (
            fake_jwt({"sub": "t", "exp": 4102444800, "roles": [OTHER_ROLE_ARN]}),
            (
                "AssumeRoleWithWebIdentity",
                "AccessDenied",
                403,
                "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            ),
            "role_not_in_token",
        ),
    ],
)
def test_each_refusal_names_its_reason(
    aws: FakeAws, token: str, refusal: tuple[str, str, int, str], reason: str
) -> None:
    operation, code, status, message = refusal
    if operation == "GetAccessToken":
        aws.json_error(operation, code, status, message)
    else:
        aws.access_token().sts_error(code, status, message)
    lm = _client(aws, token)
    with pytest.raises(RefreshTokenError) as caught:
        lm.api.list_received_licenses()
    assert caught.value.reason == reason
    assert caught.value.operation == operation
    assert caught.value.error_code == code
    assert reason.split("_")[0] in str(caught.value) or reason == "forged" or reason == "unavailable"


def test_unreachable_endpoint_is_a_typed_error_not_a_hang() -> None:
    lm = LicenseManager.from_refresh_token(REFRESH_TOKEN, role_arn=ROLE_ARN, endpoint_url=ENDPOINT)
    with pytest.raises(RefreshTokenError) as caught:
        lm.api.list_received_licenses()
    assert caught.value.reason == "unavailable"
    assert caught.value.__cause__ is not None


def test_the_kms_client_used_by_verify_shares_the_credentials(aws: FakeAws) -> None:
    lm = _client(aws)
    aws.role_credentials()
    _list(lm, aws)
    kms = aws.attach(lm._kms_client())
    aws.json_ok("GetPublicKey", {"KeyId": "k", "PublicKey": "AAAA"})
    kms.get_public_key(KeyId="k")
    assert aws.ops().count("AssumeRoleWithWebIdentity") == 1
    assert "Credential=ASIAFAKE000000000001/" in aws.sent[-1].headers["Authorization"]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"refresh_token": " "}, "refresh_token is empty"),
        ({"role_arn": "LicenseConsumer"}, "not an IAM role ARN"),
        ({"session_name": "has space"}, "session_name"),
    ],
)
def test_bad_options_are_configuration_errors(kwargs: dict[str, str], fragment: str) -> None:
    options = {"refresh_token": REFRESH_TOKEN, "role_arn": ROLE_ARN, **kwargs}
    with pytest.raises(ConfigurationError, match=fragment):
        refresh_token_session(options.pop("refresh_token"), **options)


def test_region_falls_back_to_us_east_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert refresh_token_session(REFRESH_TOKEN, role_arn=ROLE_ARN).region_name == "us-east-1"
    assert refresh_token_session(REFRESH_TOKEN, role_arn=ROLE_ARN, region_name="eu-west-1").region_name == "eu-west-1"


def test_the_refresh_token_never_shows(aws: FakeAws, caplog: pytest.LogCaptureFixture) -> None:
    secret = fake_jwt({"sub": "very-secret-subject", "exp": 4102444800, "roles": [OTHER_ROLE_ARN]})
    caplog.set_level(logging.INFO)
    lm = _client(aws, SecretStr(secret))
    session = refresh_token_session(secret, role_arn=ROLE_ARN)
    # An advisory refresh (12 minutes left) that fails is logged by botocore with its traceback.
    aws.role_credentials(expires_in=timedelta(minutes=12))
    _list(lm, aws)
    aws.access_token().sts_error("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    _list(lm, aws)
    assert "advisory refresh" in caplog.text
    aws.json_error("GetAccessToken", "ValidationException", 400, "The token signature is not valid.")
    with pytest.raises(RefreshTokenError) as caught:
        session.client("license-manager").list_received_licenses()
    shown = [repr(lm), repr(session), repr(session.get_credentials()), str(caught.value), caplog.text]
    shown.append(repr(caught.value.__cause__) + repr(caught.value.__context__))
    for text in shown:
        assert secret not in text
        assert "very-secret-subject" not in text
