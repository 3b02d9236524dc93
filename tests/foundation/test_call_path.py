"""The one call path: ClientToken, the retry matrix, attempts, error mapping, redirects, validation before sending."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from licensemanager_sdk import (
    AccessDeniedError,
    ClientConfig,
    ConflictError,
    LicenseManager,
    LicenseManagerError,
    RateLimitExceededError,
    RedirectError,
    RequestValidationError,
    ResourceNotFoundError,
    RetryConfig,
    ServerInternalError,
    ServiceError,
    ServiceValidationError,
    TransportError,
)
from licensemanager_sdk.types import AllowedOperation, GrantStatus
from tests._wire import CannedWire
from tests.foundation.conftest import SleepRecorder

GRANT = {
    "grant_name": "g",
    "license_arn": "arn:aws:license-manager::111111111111:license:l-0123456789abcdef0123456789abcdef",
    "principals": ["arn:aws:iam::222222222222:root"],
    "home_region": "us-east-1",
    "allowed_operations": [AllowedOperation.CHECKOUT_LICENSE],
}
CREATED = {"GrantArn": "arn:aws:license-manager::111111111111:grant:g-1", "Status": "PENDING_WORKFLOW", "Version": "1"}


def test_client_token_is_filled_once_and_resent_on_every_retry(lm: LicenseManager, wire: CannedWire) -> None:
    wire.error("RateLimitExceededException", 429).error("ServerInternalException", 500).ok(CREATED)

    result = lm.api.create_grant(**GRANT)

    tokens = [s.params["ClientToken"] for s in wire.sent]
    assert len(tokens) == 3
    assert len(set(tokens)) == 1 and tokens[0]
    assert result.status is GrantStatus.PENDING_WORKFLOW
    assert result.response_metadata is not None and result.response_metadata.attempts == 3


def test_each_logical_call_gets_its_own_client_token(lm: LicenseManager, wire: CannedWire) -> None:
    wire.ok(CREATED).ok(CREATED)
    lm.api.create_grant(**GRANT)
    lm.api.create_grant(**GRANT)
    assert wire.sent[0].params["ClientToken"] != wire.sent[1].params["ClientToken"]


def test_caller_client_token_wins(lm: LicenseManager, wire: CannedWire) -> None:
    wire.error("RateLimitExceededException", 429).ok(CREATED)
    lm.api.create_grant(**GRANT, client_token="my-run-42")
    assert [s.params["ClientToken"] for s in wire.sent] == ["my-run-42", "my-run-42"]


@pytest.mark.parametrize(
    ("code", "status", "operation", "retried"),
    [
        ("RateLimitExceededException", 429, "delete_grant", True),  # throttled: refused before any work
        ("RateLimitExceededException", 400, "delete_grant", True),  # also with the API reference's 400
        ("ServerInternalException", 500, "get_grant", True),  # a read: replay is harmless
        ("ServerInternalException", 500, "create_grant", True),  # carries a ClientToken
        ("ServerInternalException", 500, "delete_grant", False),  # a write without a token: outcome unknown
        ("ServiceUnavailable", 503, "get_grant", True),  # any 5xx on a read
        ("ValidationException", 400, "get_grant", False),
        ("AccessDeniedException", 401, "get_grant", False),
        ("AuthorizationException", 403, "get_grant", False),
        ("ResourceNotFoundException", 400, "get_grant", False),
        ("ConflictException", 409, "create_grant", False),
        ("InvalidParameterValueException", 400, "get_grant", False),
    ],
)
def test_retry_matrix(
    lm: LicenseManager, wire: CannedWire, sleeps: SleepRecorder, code: str, status: int, operation: str, retried: bool
) -> None:
    wire.error(code, status).ok(CREATED if operation != "get_grant" else {"Grant": {}})
    kwargs = {
        "create_grant": GRANT,
        "get_grant": {"grant_arn": CREATED["GrantArn"]},
        "delete_grant": {"grant_arn": CREATED["GrantArn"], "version": "1"},
    }[operation]
    call = getattr(lm.api, operation)
    if retried:
        result = call(**kwargs)
        assert result.response_metadata.attempts == 2
        assert len(sleeps) == 1
    else:
        with pytest.raises(ServiceError) as info:
            call(**kwargs)
        assert info.value.error_code == code
        assert info.value.attempts == 1
        assert sleeps == []
    assert len(wire.sent) == (2 if retried else 1)


def test_attempts_are_bounded_and_reported_on_the_error(
    lm: LicenseManager, wire: CannedWire, sleeps: SleepRecorder
) -> None:
    for _ in range(3):
        wire.error("RateLimitExceededException", 429, "slow down")
    with pytest.raises(RateLimitExceededError) as info:
        lm.api.get_license(license_arn="arn:aws:license-manager::1:license:l-1")
    assert info.value.attempts == 3
    assert len(wire.sent) == 3
    assert len(sleeps) == 2
    assert "3 attempts" in str(info.value)


def test_waits_are_full_jitter_exponential_and_capped(wire: CannedWire) -> None:
    sleeps = SleepRecorder()
    lm = LicenseManager(
        region_name="us-east-1",
        endpoint_url="http://localhost.invalid",
        config=ClientConfig(retry=RetryConfig(max_attempts=6, initial_backoff=1.0, max_backoff=3.0, sleep=sleeps)),
    )
    wire.attach(lm.boto3_client)
    for _ in range(5):
        wire.error("RateLimitExceededException", 429)
    wire.ok({"License": {}})
    lm.api.get_license(license_arn="arn:aws:license-manager::1:license:l-1")
    ceilings = [1.0, 2.0, 3.0, 3.0, 3.0]
    assert len(sleeps) == 5
    assert all(0.0 <= wait <= ceiling for wait, ceiling in zip(sleeps, ceilings, strict=True))


def test_retry_after_header_is_honoured_and_capped(lm: LicenseManager, wire: CannedWire, sleeps: SleepRecorder) -> None:
    wire.error("RateLimitExceededException", 429, headers={"x-amz-retry-after": "1500"})
    wire.error("RateLimitExceededException", 429, headers={"x-amz-retry-after": "999000"})
    wire.ok({"License": {}})
    lm.api.get_license(license_arn="arn:aws:license-manager::1:license:l-1")
    assert sleeps == [1.5, 20.0]


def test_transport_errors_are_retried_only_when_replay_is_safe(
    lm: LicenseManager, wire: CannedWire, sleeps: SleepRecorder
) -> None:
    wire.timeout().ok({"Grant": {}})
    assert lm.api.get_grant(grant_arn="g").response_metadata.attempts == 2

    wire.timeout()
    with pytest.raises(TransportError) as info:
        lm.api.accept_grant(grant_arn="g")
    assert info.value.attempts == 1
    assert isinstance(info.value, LicenseManagerError)


def test_errors_map_by_code_with_context_and_cause(lm: LicenseManager, wire: CannedWire) -> None:
    wire.error("ResourceNotFoundException", 400, "License not found")
    with pytest.raises(ResourceNotFoundError) as info:
        lm.api.create_token(license_arn="arn:aws:license-manager::1:license:l-1")
    err = info.value
    assert (err.operation, err.error_code, err.message) == (
        "CreateToken",
        "ResourceNotFoundException",
        "License not found",
    )
    assert err.request_id == "req-ResourceNotFoundException"
    assert err.status_code == 400
    assert isinstance(err.__cause__, ClientError)
    assert str(err) == (
        "CreateToken failed (ResourceNotFoundException, HTTP 400, request req-ResourceNotFoundException, 1 attempt): "
        "License not found"
    )


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("ValidationException", ServiceValidationError),
        ("AccessDeniedException", AccessDeniedError),
        ("ConflictException", ConflictError),
        ("ServerInternalException", ServerInternalError),
    ],
)
def test_every_modelled_code_has_its_class(
    lm: LicenseManager, wire: CannedWire, code: str, cls: type[ServiceError]
) -> None:
    wire.error(code, 400 if code != "ServerInternalException" else 500)
    with pytest.raises(cls):
        lm.api.delete_grant(grant_arn="g", version="1")


def test_unknown_code_is_a_plain_service_error(lm: LicenseManager, wire: CannedWire) -> None:
    wire.error("BrandNewException", 400, "new")
    with pytest.raises(ServiceError) as info:
        lm.api.delete_grant(grant_arn="g", version="1")
    assert type(info.value) is ServiceError
    assert info.value.error_code == "BrandNewException"


def test_redirect_is_reported_with_the_region(lm: LicenseManager, wire: CannedWire) -> None:
    wire.error("RedirectException", 308, "wrong region", Location="https://license-manager.eu-west-1.amazonaws.com")
    with pytest.raises(RedirectError) as info:
        lm.api.delete_license(license_arn="arn:aws:license-manager::1:license:l-1", source_version="1")
    assert info.value.location == "https://license-manager.eu-west-1.amazonaws.com"
    assert "region eu-west-1" in str(info.value)
    assert len(wire.sent) == 1


def test_redirect_is_followed_once_when_asked() -> None:
    lm = LicenseManager(
        region_name="us-east-1",
        endpoint_url="http://localhost.invalid",
        config=ClientConfig(follow_redirects=True, retry=RetryConfig(sleep=lambda _: None)),
    )
    CannedWire().attach(lm.boto3_client).error(
        "RedirectException", 308, "wrong region", Location="https://license-manager.eu-west-1.amazonaws.com"
    )
    other = lm._redirect_client("eu-west-1")
    assert other.meta.region_name == "eu-west-1"
    target = CannedWire().attach(other).ok({"Status": "PENDING_DELETE", "DeletionDate": "2030-01-01T00:00:00Z"})
    result = lm.api.delete_license(license_arn="arn:aws:license-manager::1:license:l-1", source_version="1")
    assert result.status == "PENDING_DELETE"
    assert [s.operation for s in target.sent] == ["DeleteLicense"]


def test_invalid_requests_fail_before_sending_and_name_the_field(lm: LicenseManager, wire: CannedWire) -> None:
    with pytest.raises(RequestValidationError) as info:
        lm.api.create_grant(**{**GRANT, "principals": ["a", "b"]})
    assert info.value.field == "principals"
    assert isinstance(info.value, ValueError)

    with pytest.raises(RequestValidationError) as info:
        lm.api.create_grant(**{**GRANT, "allowed_operations": ["CheckoutLicence"]})
    assert info.value.field == "allowed_operations[0]"

    with pytest.raises(RequestValidationError) as info:
        lm.api.get_license(license_arn="x", licence_arn="typo")  # type: ignore[call-overload]
    assert "licence_arn" in str(info.value)
    assert wire.sent == []


def test_botocore_min_length_check_becomes_a_request_validation_error(lm: LicenseManager, wire: CannedWire) -> None:
    with pytest.raises(RequestValidationError):
        lm.api.list_licenses(max_results=0)
    assert wire.sent == []
