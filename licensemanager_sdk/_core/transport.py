"""Builds boto3 clients: the only place `boto3.client` is called."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import NoRegionError

from licensemanager_sdk._config import ClientConfig
from licensemanager_sdk._core import fastparse as _fastparse
from licensemanager_sdk._exceptions import ConfigurationError
from licensemanager_sdk._version import __version__

if TYPE_CHECKING:
    from mypy_boto3_license_manager import LicenseManagerClient

__all__ = ["build_client", "build_neighbour", "warn_if_retrying"]

_log = logging.getLogger("licensemanager_sdk")


def build_client(
    *, session: boto3.Session | None, region_name: str | None, endpoint_url: str | None, config: ClientConfig
) -> LicenseManagerClient:
    """A `license-manager` boto3 client with botocore's own retries off and the fast response parser installed."""
    session = session or boto3.Session()
    _fastparse.install(session._session)
    botocore_config = Config(
        retries={"total_max_attempts": 1, "mode": "legacy"},  # one attempt: the SDK retries
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        max_pool_connections=config.max_pool_connections,
        user_agent_extra=f"aws-license-manager-sdk/{__version__}",
    )
    try:
        return session.client(
            "license-manager", region_name=region_name, endpoint_url=endpoint_url, config=botocore_config
        )
    except NoRegionError:
        raise ConfigurationError(
            "No AWS region: pass LicenseManager(region_name='us-east-1'), or set AWS_REGION / AWS_DEFAULT_REGION"
        ) from None


def build_neighbour(
    service: str, *, session: boto3.Session | None, region_name: str | None, endpoint_url: str | None
) -> Any:
    """A boto3 client of a neighbouring service (KMS) with the same session, region and endpoint override."""
    session = session or boto3.Session()
    return session.client(service, region_name=region_name, endpoint_url=endpoint_url)  # type: ignore[call-overload]


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
