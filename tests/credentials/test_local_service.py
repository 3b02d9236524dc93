"""Refresh-token credentials against the local service, in process and over HTTP: the SDK keeps working across
clock jumps of hours (credentials refreshed), a lease keeps extending across refreshes, and every refusal is a typed
`RefreshTokenError` reason."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from licensemanager_sdk import LicenseManager
from licensemanager_sdk.credentials import RefreshTokenError, refresh_token_session
from licensemanager_sdk.local import LocalLicenseManager, Settings
from licensemanager_sdk.local.sts.models import SESSIONS
from tests._constants import BUYER, OTHER
from tests.entitlements.conftest import StepWait
from tests.local.sts.conftest import FINGERPRINT, Flow, trust_policy

THREE_HOURS = 3 * 3600


class Setup:
    """A granted license, the buyer's consumption role and a refresh token, on `flow`'s emulator."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.license_arn = flow.granted_license()
        self.role_arn = flow.role()
        self.token = flow.refresh_token(self.license_arn)

    def client(self, token: str | None = None, role_arn: str | None = None, **kwargs: Any) -> LicenseManager:
        token = token or self.token
        role_arn = role_arn or self.role_arn
        if self.flow.url is None:
            return self.flow.local.refresh_token_client(token, role_arn=role_arn, **kwargs)
        return LicenseManager.from_refresh_token(
            token, role_arn=role_arn, endpoint_url=self.flow.url, region_name="us-east-1", **kwargs
        )

    def sessions(self) -> int:
        """How many role sessions the emulator has issued."""
        return self.flow.local.engine._store.count(SESSIONS)


@pytest.fixture
def local() -> Iterator[LocalLicenseManager]:
    with LocalLicenseManager(settings=Settings(reuse_rsa_keys=True)) as emulator:
        yield emulator


@pytest.fixture(params=["in-process", "http"])
def setup(request: pytest.FixtureRequest, local: LocalLicenseManager) -> Iterator[Setup]:
    if request.param == "in-process":
        yield Setup(Flow(local))
        return
    with local.serve() as server:
        yield Setup(Flow(local, server.url))


def _access_key(lm: LicenseManager) -> str:
    credentials = lm.boto3_client._request_signer._credentials
    return str(credentials.get_frozen_credentials().access_key)


def _refused(lm: LicenseManager) -> RefreshTokenError:
    with pytest.raises(RefreshTokenError) as caught:
        lm.api.list_received_licenses()
    return caught.value


def test_calls_keep_working_across_a_three_hour_clock_jump(setup: Setup) -> None:
    lm = setup.client(session_name="node-7")
    assert [lic.arn for lic in lm.licenses.list_received()] == [setup.license_arn]
    first = _access_key(lm)
    assert first.startswith("ASIA")

    setup.flow.local.advance_clock(THREE_HOURS)
    lease = lm.entitlements.checkout(
        product_sku="widget-sku", key_fingerprint=FINGERPRINT, entitlements={"Users": 1}, keep_alive=False
    )
    assert lease.has("Users")
    second = _access_key(lm)
    assert second != first  # refreshed once the service called the first credentials expired
    setup.flow.local.advance_clock(55 * 60)
    lease.extend()
    setup.flow.local.advance_clock(55 * 60)  # the hour-long role session has expired, the extended lease has not
    lease.extend()
    assert _access_key(lm) not in (first, second)
    lease.release()
    assert setup.sessions() == 3


def test_plain_boto3_clients_of_the_session_act_as_the_role(local: LocalLicenseManager) -> None:
    with local.serve() as server:
        setup = Setup(Flow(local, server.url))
        session = refresh_token_session(setup.token, role_arn=setup.role_arn, endpoint_url=server.url)
        sts = session.client("sts", endpoint_url=server.url)
        assert sts.get_caller_identity()["Arn"].startswith(f"arn:aws:sts::{BUYER}:assumed-role/LicenseConsumer/")
        local.advance_clock(THREE_HOURS)
        lm = session.client("license-manager", endpoint_url=server.url)
        assert [lic["LicenseArn"] for lic in lm.list_received_licenses()["Licenses"]] == [setup.license_arn]


def test_a_lease_keeps_extending_across_credential_refreshes_hours_later(local: LocalLicenseManager) -> None:
    setup = Setup(Flow(local))
    lm = setup.client()
    started = time.time()
    wait = StepWait(local, steps=12)  # the keep-alive's waits move the emulator clock (an hour-long TTL: hours)
    lost: list[Exception] = []
    lease = lm.entitlements.checkout(
        product_sku="widget-sku",
        key_fingerprint=FINGERPRINT,
        entitlements={"Users": 1},
        clock=lambda: started + local.engine.clock.offset,  # the SDK's clock moves with the emulator's only
        wait=wait,
        on_lost=lost.append,
    )
    assert wait.stopped.wait(30), "the keep-alive did not take its steps"
    assert sum(wait.waits) > 4 * 3600
    assert not lost and lease.has("Users")
    assert setup.sessions() >= 4  # one role session per hour-long credential
    lease.release()


def test_refusals_are_typed(setup: Setup) -> None:
    flow = setup.flow
    header, claims, signature = setup.token.split(".")
    assert _refused(setup.client(token=f"{header}.{claims}.{signature[:-4]}AAAA")).reason == "forged"
    with LocalLicenseManager(settings=Settings(reuse_rsa_keys=False)) as elsewhere:
        foreign = Flow(elsewhere).refresh_token(Flow(elsewhere).granted_license())
    assert _refused(setup.client(token=foreign)).reason == "forged"  # another service's key

    missing = f"arn:aws:iam::{BUYER}:role/Missing"
    assert _refused(setup.client(role_arn=missing)).reason == "role_missing"
    untrusting = flow.role("OtherIssuer", trust_policy(OTHER))
    error = _refused(setup.client(role_arn=untrusting))
    assert (error.reason, error.operation, error.error_code) == (
        "role_not_trusted",
        "AssumeRoleWithWebIdentity",
        "AccessDenied",
    )
    pinned = flow.refresh_token(setup.license_arn, [untrusting], client_token="pinned")
    assert _refused(setup.client(token=pinned)).reason == "role_not_in_token"

    short = flow.client("license-manager").create_token(
        LicenseArn=setup.license_arn, ClientToken="short", ExpirationInDays=1
    )["Token"]
    flow.local.advance_clock(2 * 86400)
    error = _refused(setup.client(token=short))
    assert (error.reason, error.operation) == ("expired", "GetAccessToken")
    assert short not in str(error) and short not in repr(error)


def test_a_deleted_token_fails_at_the_next_refresh_with_a_typed_error(setup: Setup) -> None:
    lm = setup.client()
    lm.api.list_received_licenses()
    buyer = setup.flow.client("license-manager")
    buyer.delete_token(TokenId=buyer.list_tokens()["Tokens"][0]["TokenId"])
    lm.api.list_received_licenses()  # the role session lives on until it expires
    setup.flow.local.advance_clock(3601)
    error = _refused(lm)
    assert (error.reason, error.operation) == ("deleted", "GetAccessToken")
