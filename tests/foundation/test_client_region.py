"""Which region an SDK-built client calls: region_name > the session's explicit region > AWS_REGION >
AWS_DEFAULT_REGION / the profile's region (botocore 1.44 itself reads only the last two)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from licensemanager_sdk import ConfigurationError, LicenseManager


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    return monkeypatch


def test_region_name_wins_over_session_and_environment(env: pytest.MonkeyPatch) -> None:
    lm = LicenseManager(session=boto3.Session(region_name="ap-south-1"), region_name="eu-west-1")
    assert lm.region_name == "eu-west-1"


def test_session_explicit_region_wins_over_aws_region(env: pytest.MonkeyPatch) -> None:
    assert LicenseManager(session=boto3.Session(region_name="ap-south-1")).region_name == "ap-south-1"


def test_aws_region_wins_over_aws_default_region(env: pytest.MonkeyPatch) -> None:
    assert LicenseManager().region_name == "eu-central-1"
    assert LicenseManager(session=boto3.Session()).region_name == "eu-central-1"


def test_aws_region_wins_over_the_profile_region(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[profile team]\nregion = sa-east-1\n")
    env.setenv("AWS_CONFIG_FILE", str(config))
    assert LicenseManager(session=boto3.Session(profile_name="team")).region_name == "eu-central-1"
    env.delenv("AWS_REGION")
    env.delenv("AWS_DEFAULT_REGION")
    assert LicenseManager(session=boto3.Session(profile_name="team")).region_name == "sa-east-1"


def test_aws_default_region_when_aws_region_is_unset_or_empty(env: pytest.MonkeyPatch) -> None:
    env.setenv("AWS_REGION", "")
    assert LicenseManager().region_name == "us-west-2"
    env.delenv("AWS_REGION")
    assert LicenseManager().region_name == "us-west-2"


def test_no_region_says_every_way_to_set_one(env: pytest.MonkeyPatch) -> None:
    env.delenv("AWS_REGION")
    env.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(ConfigurationError) as raised:
        LicenseManager()
    message = str(raised.value)
    for way in ("region_name=", "boto3.Session(region_name=", "AWS_REGION", "AWS_DEFAULT_REGION", "profile"):
        assert way in message


def test_redirects_call_the_named_region_whatever_aws_region_says(env: pytest.MonkeyPatch) -> None:
    lm = LicenseManager()
    assert lm._redirect_client("ap-northeast-1").meta.region_name == "ap-northeast-1"
