"""`ClientConfig(botocore_config=Config(...))` is merged into the Config of the client the SDK builds; the SDK keeps
one botocore attempt and appends its user-agent suffix."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config

from licensemanager_sdk import ClientConfig, ConfigurationError, LicenseManager, __version__
from licensemanager_sdk.local import LocalLicenseManager

SDK_AGENT = f"aws-license-manager-sdk/{__version__}"


def _built(config: ClientConfig) -> Any:
    return LicenseManager(region_name="us-east-1", config=config).boto3_client.meta.config


def test_without_botocore_config_the_sdk_settings_apply() -> None:
    built = _built(ClientConfig(connect_timeout=3.0, read_timeout=7.0, max_pool_connections=12))
    assert (built.connect_timeout, built.read_timeout, built.max_pool_connections) == (3.0, 7.0, 12)
    assert built.retries == {"total_max_attempts": 1, "mode": "legacy"}
    assert built.user_agent_extra == SDK_AGENT


def test_botocore_options_are_merged_and_client_config_settings_kept() -> None:
    proxies = {"https": "http://proxy.internal:3128"}
    built = _built(
        ClientConfig(
            connect_timeout=3.0,
            botocore_config=Config(proxies=proxies, max_pool_connections=50, tcp_keepalive=True),
        )
    )
    assert built.proxies == proxies
    assert built.max_pool_connections == 50
    assert built.tcp_keepalive is True
    assert built.connect_timeout == 3.0


def test_the_sdk_user_agent_is_appended_to_yours_and_sent() -> None:
    config = ClientConfig(botocore_config=Config(user_agent_extra="myapp/1.0"))
    with LocalLicenseManager() as local, local.serve() as server:
        session = boto3.Session(aws_access_key_id="111111111111", aws_secret_access_key="x", region_name="us-east-1")
        lm = LicenseManager(session=session, endpoint_url=server.url, config=config)
        assert lm.boto3_client.meta.config.user_agent_extra == f"myapp/1.0 {SDK_AGENT}"
        sent: list[str] = []
        lm.boto3_client.meta.events.register(
            "before-send", lambda request, **_: sent.append(request.headers["User-Agent"].decode())
        )
        lm.api.list_licenses()
    assert sent and sent[0].endswith(f"myapp/1.0 {SDK_AGENT}")


def test_your_retry_mode_is_kept_with_one_botocore_attempt() -> None:
    built = _built(ClientConfig(botocore_config=Config(retries={"mode": "adaptive"})))
    assert built.retries == {"total_max_attempts": 1, "mode": "adaptive"}


@pytest.mark.parametrize("retries", [{"max_attempts": 5}, {"total_max_attempts": 3, "mode": "standard"}])
def test_botocore_retry_attempts_are_refused_with_the_sdk_way(retries: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"RetryConfig\(max_attempts=\.\.\.\)"):
        ClientConfig(botocore_config=Config(retries=retries))


def test_one_botocore_attempt_is_accepted() -> None:
    assert _built(ClientConfig(botocore_config=Config(retries={"total_max_attempts": 1}))).retries == {
        "total_max_attempts": 1,
        "mode": "legacy",
    }


def test_a_region_in_botocore_config_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"LicenseManager\(region_name=\.\.\.\)"):
        ClientConfig(botocore_config=Config(region_name="eu-west-1"))


def test_a_setting_given_differently_in_both_places_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="max_pool_connections is set both on ClientConfig"):
        ClientConfig(max_pool_connections=20, botocore_config=Config(max_pool_connections=50))
    same = ClientConfig(read_timeout=5.0, botocore_config=Config(read_timeout=5.0))
    assert _built(same).read_timeout == 5.0


def test_botocore_config_must_be_a_botocore_config() -> None:
    with pytest.raises(ConfigurationError, match=r"must be a botocore\.config\.Config, got dict"):
        ClientConfig(botocore_config={"proxies": {}})  # type: ignore[arg-type]
