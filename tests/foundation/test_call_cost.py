"""What SDK-built clients leave out of botocore's per-call work, and what they keep: the SDK's request models
validate instead of botocore, and the User-Agent header is built once per set of features, byte for byte botocore's."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.context import start_as_current_context
from botocore.useragent import register_feature_id
from botocore.validate import ParamValidationDecorator

from licensemanager_sdk import ClientConfig, LicenseManager, RequestValidationError
from licensemanager_sdk._core.transport import botocore_config
from licensemanager_sdk._core.useragent import CachedUserAgent
from tests._wire import CannedWire, sorted_user_agent

ENDPOINT = "http://localhost.invalid"


def _validates(client: object) -> bool:
    """Whether botocore validates the parameters of this client's calls (its serializer is wrapped to do so)."""
    return isinstance(getattr(client, "_serializer", None), ParamValidationDecorator)


def test_sdk_built_clients_leave_parameter_validation_to_the_request_models(lm: LicenseManager) -> None:
    assert not _validates(lm.boto3_client)
    wire = CannedWire().attach(lm.boto3_client)
    with pytest.raises(RequestValidationError) as info:
        lm.api.get_license(license_arn=12)  # type: ignore[arg-type]  # not a string: refused before botocore
    assert info.value.field == "license_arn"
    with pytest.raises(RequestValidationError):
        lm.api.list_received_licenses(max_results="many")  # type: ignore[arg-type]
    assert wire.sent == []


def test_your_botocore_config_can_turn_parameter_validation_back_on() -> None:
    config = ClientConfig(botocore_config=Config(parameter_validation=True))
    lm = LicenseManager(region_name="us-east-1", endpoint_url=ENDPOINT, config=config)
    assert _validates(lm.boto3_client)


def test_a_handed_in_client_keeps_botocore_validation_and_its_own_user_agent_builder() -> None:
    config = Config(retries={"total_max_attempts": 1})
    plain = boto3.client("license-manager", region_name="us-east-1", endpoint_url=ENDPOINT, config=config)
    lm = LicenseManager(boto3_client=plain)
    assert _validates(lm.boto3_client)
    assert not isinstance(plain._user_agent_creator, CachedUserAgent)
    wire = CannedWire().attach(plain).ok({"License": {"LicenseArn": "arn:x"}})
    lm.api.get_license(license_arn="arn:x")
    assert len(wire.sent) == 1


def test_the_user_agent_sent_is_the_one_botocore_builds() -> None:
    lm = LicenseManager(session=boto3.Session(region_name="us-east-1"), endpoint_url=ENDPOINT)
    plain = boto3.Session(region_name="us-east-1").client(
        "license-manager", endpoint_url=ENDPOINT, config=botocore_config(ClientConfig())
    )
    assert isinstance(lm.boto3_client._user_agent_creator, CachedUserAgent)
    assert not isinstance(plain._user_agent_creator, CachedUserAgent)
    ours = CannedWire().attach(lm.boto3_client).ok({}).ok({}).ok({})
    theirs = CannedWire().attach(plain).ok({}).ok({}).ok({})
    for _ in range(3):  # the first call of a session also reports where its credentials came from
        lm.api.get_license(license_arn="arn:x")
        plain.get_license(LicenseArn="arn:x")
    for mine, botocores in zip(ours.sent, theirs.sent, strict=True):
        assert sorted_user_agent(mine.headers["User-Agent"]) == sorted_user_agent(botocores.headers["User-Agent"])
    assert b"aws-license-manager-sdk/" in ours.sent[0].headers["User-Agent"]


def test_the_cached_user_agent_follows_the_features_of_each_request() -> None:
    lm = LicenseManager(region_name="us-east-1", endpoint_url=ENDPOINT)
    cached = lm.boto3_client._user_agent_creator
    assert isinstance(cached, CachedUserAgent)
    with start_as_current_context():
        plain_header = cached.to_string()
    with start_as_current_context():
        register_feature_id("PAGINATOR")
        with_feature = cached.to_string()
        assert with_feature == cached._creator.to_string()  # what botocore builds for the same request
    assert with_feature != plain_header
    assert "C" in with_feature.split(" m/")[1].split(" ")[0].split(",")  # PAGINATOR's feature id
