"""Client options: construction, retries, timeouts, a handed-in boto3 client, and the escape hatch to boto3."""

from __future__ import annotations

import boto3
from botocore.config import Config

from licensemanager_sdk import ClientConfig, LicenseManager, RetryConfig


def build_clients(endpoint_url: str) -> list[LicenseManager]:
    session = boto3.Session(aws_access_key_id="111111111111", aws_secret_access_key="x", region_name="us-east-1")
    configured = LicenseManager(
        session=session,
        endpoint_url=endpoint_url,  # e.g. the local service: python -m licensemanager_sdk.local --port 4566
        config=ClientConfig(
            retry=RetryConfig(max_attempts=5, initial_backoff=0.2, max_backoff=10.0),
            connect_timeout=5.0,
            read_timeout=30.0,
            max_pool_connections=32,  # for many threads sharing one client
        ),
    )
    # A boto3 client you built yourself: keep botocore's own retries off, or attempts multiply.
    no_retries = Config(retries={"total_max_attempts": 1})
    mine = session.client("license-manager", endpoint_url=endpoint_url, config=no_retries)
    handed_in = LicenseManager(boto3_client=mine)
    patient = configured.with_options(retry=RetryConfig(max_attempts=10))  # shares the boto3 client
    return [configured, handed_in, patient]


def main(endpoint_url: str) -> None:
    for lm in build_clients(endpoint_url):
        usage = lm.api.list_licenses(max_results=1)
        assert usage.response_metadata is not None
        print(f"{lm!r}: {len(usage.licenses)} license(s), request {usage.response_metadata.request_id}")
        print(f"  boto3 underneath: {type(lm.boto3_client).__name__}")


if __name__ == "__main__":
    from licensemanager_sdk.local import LocalLicenseManager

    with LocalLicenseManager() as local, local.serve() as server:
        main(server.url)
