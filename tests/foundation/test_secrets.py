"""Secrets of a request (refresh, access and consumption tokens) never appear in what the call path raises."""

from __future__ import annotations

import pytest

from licensemanager_sdk import LicenseManager, RequestValidationError, ServiceError
from licensemanager_sdk._core.redact import REDACTED, redact, secret_members
from licensemanager_sdk.types import ExtendLicenseConsumptionRequest, GetAccessTokenRequest, ListLicensesRequest
from tests._wire import CannedWire

CONSUMPTION_TOKEN = "0cd7b2bc7c674573a669bea8f5b75f2d"
REFRESH_TOKEN = "eyJhbGciOiJQUzM4NCJ9.eyJzdWIiOiJyZWZyZXNoIn0.c2lnbmF0dXJl"


def _shown(err: BaseException) -> str:
    """Everything an application could print or log about `err`, its cause included."""
    cause = err.__cause__
    return " ".join([str(err), repr(err), repr(getattr(err, "response", "")), str(cause), repr(cause)])


@pytest.mark.parametrize("bad", [REFRESH_TOKEN + "\n", " " + REFRESH_TOKEN, "refresh token", "x" * 4097])
def test_a_malformed_refresh_token_is_refused_before_sending_without_echoing_it(
    lm: LicenseManager, wire: CannedWire, bad: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        lm.api.get_access_token(token=bad)
    assert wire.sent == []
    assert caught.value.field == "token" and "(value hidden)" in str(caught.value)
    assert bad.strip()[:20] not in _shown(caught.value)


def test_a_service_error_echoing_the_consumption_token_is_redacted(lm: LicenseManager, wire: CannedWire) -> None:
    echo = f"License consumption token {CONSUMPTION_TOKEN} does not exist or was checked in."
    wire.error("ResourceNotFoundException", 400, echo)
    with pytest.raises(ServiceError) as caught:
        lm.api.extend_license_consumption(license_consumption_token=CONSUMPTION_TOKEN)
    assert wire.sent[0].params["LicenseConsumptionToken"] == CONSUMPTION_TOKEN
    assert CONSUMPTION_TOKEN not in _shown(caught.value)
    assert caught.value.message == f"License consumption token {REDACTED} does not exist or was checked in."
    assert caught.value.error_code == "ResourceNotFoundException"


def test_a_service_error_echoing_an_escaped_refresh_token_is_redacted(lm: LicenseManager, wire: CannedWire) -> None:
    secret = REFRESH_TOKEN + "\u00e9"
    wire.error("ValidationException", 400, f"Value '{secret.encode('unicode_escape').decode()}' at 'token' is bad")
    with pytest.raises(ServiceError) as caught:
        lm.api.get_access_token(token=secret)
    assert REFRESH_TOKEN not in _shown(caught.value) and REDACTED in str(caught.value)


def test_errors_of_requests_without_secrets_are_left_alone(lm: LicenseManager, wire: CannedWire) -> None:
    wire.error("ValidationException", 400, f"value {CONSUMPTION_TOKEN} shown")
    with pytest.raises(ServiceError) as caught:
        lm.api.list_licenses()
    assert CONSUMPTION_TOKEN in caught.value.message


def test_secret_members_come_from_the_models() -> None:
    assert secret_members(GetAccessTokenRequest) == {"Token": "token"}
    assert secret_members(ExtendLicenseConsumptionRequest) == {"LicenseConsumptionToken": "license_consumption_token"}
    assert secret_members(ListLicensesRequest) == {}
    assert redact("a 'x\\ny' b x\ny", ["x\ny"]) == f"a '{REDACTED}' b {REDACTED}"
