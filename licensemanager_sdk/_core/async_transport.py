"""Builds aiobotocore clients for `AsyncLicenseManager`, with the same settings as `transport.build_client`, the
fast response parser and the cached User-Agent header. The only place an aiobotocore client is created."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from licensemanager_sdk._config import ClientConfig
from licensemanager_sdk._core import fastparse as _fastparse
from licensemanager_sdk._core import useragent as _useragent
from licensemanager_sdk._core.transport import botocore_config

try:
    from aiobotocore.config import AioConfig
    from aiobotocore.parsers import AioJSONParser, AioResponseParserFactory
    from aiobotocore.session import AioSession, get_session
except ImportError as missing:  # the [async] extra is optional
    raise ImportError(
        "AsyncLicenseManager needs aiobotocore: pip install 'aws-license-manager-sdk[async]'"
    ) from missing

__all__ = ["AioFastParserFactory", "AioSession", "aio_config", "client_context", "install", "resolve_region"]


class _AioFastJSONParser(AioJSONParser):  # type: ignore[misc]  # aiobotocore is untyped
    async def parse(self, response: Mapping[str, Any], shape: Any) -> dict[str, Any]:
        fast = _fastparse.fast_result(response, shape)
        if fast is not None:
            return fast
        parsed: dict[str, Any] = await super().parse(response, shape)
        return parsed


class AioFastParserFactory(AioResponseParserFactory):  # type: ignore[misc]  # aiobotocore is untyped
    """aiobotocore's factory, except that AWS JSON 1.1 responses get the fast parser (marked calls only)."""

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "json":
            return _AioFastJSONParser(**self._defaults)
        return super().create_parser(protocol_name)


def install(session: AioSession) -> None:
    """Register the fast parser factory on an aiobotocore session (idempotent)."""
    if not isinstance(session.get_component("response_parser_factory"), AioFastParserFactory):
        session.register_component("response_parser_factory", AioFastParserFactory())


def aio_config(config: ClientConfig) -> AioConfig:
    """`transport.botocore_config` as an `AioConfig` (botocore retries off, timeouts, user agent)."""
    return AioConfig().merge(botocore_config(config))


def resolve_region(session: AioSession, region_name: str | None) -> str | None:
    """As `transport.resolve_region`: the argument, the session's explicit region, then `AWS_REGION`."""
    return region_name or session.instance_variables().get("region") or os.environ.get("AWS_REGION") or None


@asynccontextmanager
async def client_context(
    service: str, *, session: AioSession | None, region_name: str | None, endpoint_url: str | None, config: ClientConfig
) -> AsyncIterator[Any]:
    """An aiobotocore client (`async with ... as client`), fast parser installed and its User-Agent header cached, as
    `transport.build_client` does for boto3."""
    session = session or get_session()
    install(session)
    async with session.create_client(
        service,
        region_name=resolve_region(session, region_name),
        endpoint_url=endpoint_url,
        config=aio_config(config),
    ) as client:
        _useragent.install(client)
        yield client
