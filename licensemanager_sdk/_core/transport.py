"""Builds boto3 clients: the only place `boto3.client` is called."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import NoRegionError

from licensemanager_sdk._config import ClientConfig
from licensemanager_sdk._core import fastparse as _fastparse
from licensemanager_sdk._core import useragent as _useragent
from licensemanager_sdk._exceptions import ConfigurationError
from licensemanager_sdk._version import __version__

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_license_manager import LicenseManagerClient

__all__ = ["NO_REGION", "botocore_config", "build_client", "build_neighbour", "resolve_region", "warn_if_retrying"]

_log = logging.getLogger("licensemanager_sdk")

_USER_AGENT = f"aws-license-manager-sdk/{__version__}"
NO_REGION = (
    "No AWS region: pass LicenseManager(region_name='us-east-1') or a boto3.Session(region_name=...), "
    "set AWS_REGION or AWS_DEFAULT_REGION, or set `region` in your AWS config profile"
)


def build_client(
    *, session: boto3.Session | None, region_name: str | None, endpoint_url: str | None, config: ClientConfig
) -> LicenseManagerClient:
    """A `license-manager` boto3 client with botocore's own retries and parameter validation off (the SDK retries and
    validates), the fast response parser installed and its User-Agent header cached."""
    session = session or boto3.Session()
    _fastparse.install(session._session)
    try:
        client = session.client(
            "license-manager",
            region_name=resolve_region(session, region_name),
            endpoint_url=endpoint_url,
            config=botocore_config(config),
        )
    except NoRegionError:
        raise ConfigurationError(NO_REGION) from None
    _useragent.install(client)
    return client


def resolve_region(session: boto3.Session, region_name: str | None) -> str | None:
    """`region_name`, else the session's explicit region, else `AWS_REGION`; None leaves botocore to read
    `AWS_DEFAULT_REGION` and the profile (botocore itself does not read `AWS_REGION`)."""
    return region_name or session._session.instance_variables().get("region") or os.environ.get("AWS_REGION") or None


def botocore_config(config: ClientConfig) -> Config:
    """ClientConfig's timeouts and pool size and no parameter validation (the request models validate first), the
    user's `botocore_config` merged over them, then what the SDK keeps: one attempt (the SDK retries; the user's retry
    `mode` stays) and its user-agent suffix after the user's."""
    own = Config(
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        max_pool_connections=config.max_pool_connections,
        parameter_validation=False,
    )
    given = config.botocore_options()
    mode = (given.get("retries") or {}).get("mode", "legacy")
    user_agent = f"{given['user_agent_extra']} {_USER_AGENT}" if given.get("user_agent_extra") else _USER_AGENT
    sdk = Config(retries={"total_max_attempts": 1, "mode": mode}, user_agent_extra=user_agent)
    return own.merge(config.botocore_config or Config()).merge(sdk)


def build_neighbour(
    service: Literal["kms"], *, session: boto3.Session | None, region_name: str | None, endpoint_url: str | None
) -> KMSClient:
    """A boto3 client of a neighbouring service (KMS) with the same session, region and endpoint override."""
    session = session or boto3.Session()
    return session.client(service, region_name=region_name, endpoint_url=endpoint_url)


def warn_if_retrying(client: Any) -> None:
    """Log once per client when a handed-in boto3 client retries by itself, so attempts would multiply."""
    retries = client.meta.config.retries or {}
    attempts = retries.get("total_max_attempts", (retries.get("max_attempts", 4) + 1) if retries else 5)
    if attempts != 1:
        _log.warning(
            "the boto3 client handed to LicenseManager retries by itself (%d attempts); with the SDK's own retries "
            "attempts multiply. Build it with Config(retries={'total_max_attempts': 1}).",
            attempts,
        )
