"""The caller's account and region come from the SigV4 credential scope; signatures are not verified."""

from __future__ import annotations

import json

import pytest

from licensemanager_sdk.local import LocalLicenseManager, LocalServer
from licensemanager_sdk.local.server.wire import Identity, IdentityError, account_for_key, parse_identity

from .support import error_of, http_client, license_params, lm_headers, raw_request


@pytest.mark.parametrize(
    ("key", "account"),
    [
        ("111122223333", "111122223333"),
        ("000000000001", "000000000001"),
        ("AKIAIOSFODNN7EXAMPLE", "123456789012"),
        ("1111222233334", "123456789012"),  # 13 digits
        ("11112222333", "123456789012"),  # 11 digits
        ("١١١١٢٢٢٢٣٣٣٣", "123456789012"),  # 12 non-ASCII digits
    ],
)
def test_account_for_key(key: str, account: str) -> None:
    assert account_for_key(key) == account


def test_parse_identity_reads_the_scope() -> None:
    header = (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-3/license-manager/aws4_request, "
        "SignedHeaders=host, Signature=abc"
    )
    assert parse_identity(header, None, None) == Identity("AKIDEXAMPLE", "eu-west-3", "license-manager")
    assert parse_identity(None, "K/20260101/ap-south-1/kms/aws4_request", None) == Identity("K", "ap-south-1", "kms")
    sigv4a = "AWS4-ECDSA-P256-SHA256 Credential=K/20260101/sts/aws4_request, SignedHeaders=host, Signature=1"
    assert parse_identity(sigv4a, None, "us-west-2") == Identity("K", "us-west-2", "sts")
    assert parse_identity(None, None, None) is None
    with pytest.raises(IdentityError, match="Credential"):
        parse_identity("Bearer abc", None, None)
    with pytest.raises(IdentityError, match="aws4_request"):
        parse_identity("AWS4-HMAC-SHA256 Credential=K/20260101, Signature=1", None, None)


@pytest.mark.parametrize(("key", "account"), [("444455556666", "444455556666"), ("AKIAEXAMPLE", "123456789012")])
def test_sts_identity_in_process_and_over_http(
    emulator: LocalLicenseManager, server: LocalServer, key: str, account: str
) -> None:
    in_process = emulator.boto3_client("sts", account=key).get_caller_identity()
    over_http = http_client(server.url, "sts", account=key).get_caller_identity()
    for identity in (in_process, over_http):
        assert identity["Account"] == account
        assert identity["Arn"] == f"arn:aws:iam::{account}:root"


def test_resources_belong_to_the_signing_account(emulator: LocalLicenseManager) -> None:
    seller = emulator.boto3_client(account="111111111111")
    other = emulator.boto3_client(account="AKIAOTHER")
    arn = seller.create_license(**license_params("acct-1"))["LicenseArn"]
    assert ":111111111111:" in arn
    assert [lic["LicenseArn"] for lic in seller.list_licenses()["Licenses"]] == [arn]
    assert other.list_licenses()["Licenses"] == []


def test_region_comes_from_the_credential_scope(server: LocalServer) -> None:
    # The region appears only in the Authorization header: the request goes to the same URL.
    body = json.dumps(license_params("region-1", home_region="eu-west-1")).encode()
    status, headers, answer = raw_request(
        server.url, "POST", "/", body, lm_headers("CreateLicense", region="eu-west-1")
    )
    assert status == 200, answer
    status, headers, answer = raw_request(
        server.url,
        "POST",
        "/",
        json.dumps(license_params("region-2", home_region="eu-west-1")),
        lm_headers("CreateLicense", region="us-east-1"),
    )
    assert status == 308
    assert error_of(answer)["__type"].endswith("#RedirectException")
    assert "eu-west-1" in headers["location"]


def test_kms_keys_live_in_the_scope_region(emulator: LocalLicenseManager, server: LocalServer) -> None:
    metadata = http_client(server.url, "kms", region="ap-southeast-2").create_key(
        KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY"
    )["KeyMetadata"]
    assert metadata["Arn"].startswith("arn:aws:kms:ap-southeast-2:111122223333:key/")
