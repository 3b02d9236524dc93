"""`mock_license_manager`: every boto3 client's License Manager, alone and inside moto's `mock_aws`.

Written the way moto's documentation shows users' tests: a decorator on a function or a class, a context
manager, a pytest fixture.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.hooks import HierarchicalEmitter
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key
from moto import mock_aws
from moto.kms.models import kms_backends

from licensemanager_sdk import LicenseManager
from licensemanager_sdk.local import LocalLicenseManager
from licensemanager_sdk.local.core.jwt import b64url_decode
from licensemanager_sdk.testing import MockLicenseManager, mock_license_manager

REGION = "us-east-1"
ISSUER = "My Company"
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def lm_client(**kwargs: Any) -> Any:
    return boto3.client("license-manager", region_name=REGION, **kwargs)


def create_license(sign_key: str | None = None, *, sku: str = "sku-1") -> str:
    issuer: dict[str, str] = {"Name": ISSUER}
    if sign_key is not None:
        issuer["SignKey"] = sign_key
    arn: str = lm_client().create_license(
        LicenseName="Pro",
        ProductName="Product",
        ProductSKU=sku,
        Issuer=issuer,
        HomeRegion=REGION,
        Validity={"Begin": "2020-01-01T00:00:00Z"},
        Entitlements=[{"Name": "Seats", "Unit": "Count", "MaxCount": 5}],
        Beneficiary="acme",
        ConsumptionConfiguration={
            "ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60},
            "BorrowConfiguration": {"AllowEarlyCheckIn": True, "MaxTimeToLiveInMinutes": 60},
        },
        ClientToken="create-1",
    )["LicenseArn"]
    return arn


def license_count() -> int:
    return len(lm_client().list_licenses()["Licenses"])


def moto_rsa_key() -> dict[str, Any]:
    metadata: dict[str, Any] = boto3.client("kms", region_name=REGION).create_key(
        KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY"
    )["KeyMetadata"]
    return metadata


def signed_tokens(license_arn: str, account: str) -> list[str]:
    """A borrow token and a provisional checkout token of the license."""
    lm = lm_client()
    seats = [{"Name": "Seats", "Unit": "Count", "Value": "1"}]
    borrow = lm.checkout_borrow_license(
        LicenseArn=license_arn, Entitlements=seats, DigitalSignatureMethod="JWT_PS384", ClientToken="borrow-1"
    )
    checkout = lm.checkout_license(
        ProductSKU="sku-1",
        CheckoutType="PROVISIONAL",
        KeyFingerprint=f"aws:{account}:{ISSUER}:issuer-fingerprint",
        Entitlements=seats,
        Beneficiary="acme",
        ClientToken="checkout-1",
    )
    return [borrow["SignedToken"], checkout["SignedToken"]]


def verify_pss_sha384_salt_48(token: str, public_der: bytes) -> None:
    public = load_der_public_key(public_der)
    assert isinstance(public, rsa.RSAPublicKey)
    head, payload, signature = token.split(".")
    public.verify(
        b64url_decode(signature),
        f"{head}.{payload}".encode("ascii"),
        padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48),
        hashes.SHA384(),
    )


@contextlib.contextmanager
def both(order: str) -> Iterator[None]:
    """moto's mock_aws and mock_license_manager, entered in the given order."""
    first, second = (
        (mock_aws(), mock_license_manager()) if order == "moto-first" else (mock_license_manager(), mock_aws())
    )
    with first, second:
        yield


# -- the forms: decorator on a function, on a class, context manager, fixture --------------------------------


@mock_license_manager
def test_decorator_on_a_function_answers_every_client() -> None:
    arn = create_license()
    assert lm_client().get_license(LicenseArn=arn)["License"]["LicenseName"] == "Pro"
    assert (
        boto3.Session().client("license-manager", region_name=REGION).list_licenses()["Licenses"][0]["LicenseArn"]
        == arn
    )
    assert [lic.arn for lic in LicenseManager(region_name=REGION).licenses.list()] == [arn]


@mock_license_manager
class TestDecoratorOnAClass:
    def test_first_method_gets_a_fresh_engine(self) -> None:
        create_license()
        assert license_count() == 1

    def test_second_method_gets_a_fresh_engine(self) -> None:
        create_license()
        assert license_count() == 1

    def helper_is_left_alone(self) -> bool:
        return HierarchicalEmitter.emit is ORIGINAL_EMIT


ORIGINAL_EMIT = HierarchicalEmitter.emit


def test_class_decorator_wraps_only_test_methods() -> None:
    assert TestDecoratorOnAClass().helper_is_left_alone()


def test_decorator_on_an_async_function() -> None:
    @mock_license_manager
    async def body() -> int:
        await asyncio.sleep(0)
        create_license()
        return license_count()

    assert asyncio.run(body()) == 1
    assert asyncio.run(body()) == 1  # a fresh engine per call
    assert HierarchicalEmitter.emit is ORIGINAL_EMIT


def test_decorator_with_settings_is_fresh_on_each_call() -> None:
    calls = []

    @mock_license_manager(settings=None)
    def body() -> None:
        create_license()
        calls.append(license_count())

    body()
    body()
    assert calls == [1, 1]


def test_context_manager_gives_the_engine() -> None:
    with mock_license_manager() as local:
        assert isinstance(local, LocalLicenseManager)
        local.inject_fault("ListLicenses", "RateLimitExceededException")
        with pytest.raises(ClientError, match="RateLimitExceededException"):
            lm_client(config=NO_RETRIES).list_licenses()
        assert license_count() == 0


def test_fixture(mock_license_manager: LocalLicenseManager) -> None:
    arn = create_license()
    assert license_count() == 1
    assert arn.split(":")[4] == "123456789012"  # the conftest's 12-digit access key acts as that account
    assert mock_license_manager.health()["status"] == "ok"


def test_fixture_through_pytest_plugins(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["licensemanager_sdk.testing"]\n')
    (tmp_path / "test_user.py").write_text(
        "import boto3\n\n"
        "def test_uses_it(mock_license_manager):\n"
        "    client = boto3.client('license-manager', region_name='us-east-1')\n"
        "    assert client.list_licenses()['Licenses'] == []\n"
        "    assert mock_license_manager.health()['status'] == 'ok'\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


# -- alone ------------------------------------------------------------------------------------------------


def test_alone_it_answers_kms_and_sts_too() -> None:
    with mock_license_manager() as local:
        key = boto3.client("kms", region_name=REGION).create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
        arn = key["KeyMetadata"]["Arn"]
        assert local.engine.kms_public_key_der(arn)  # the engine's KMS made it
        assert boto3.client("sts", region_name=REGION).get_caller_identity()["Account"] == "123456789012"
        tokens = signed_tokens(create_license(arn), "123456789012")
        public = boto3.client("kms", region_name=REGION).get_public_key(KeyId=arn)["PublicKey"]
        for token in tokens:
            verify_pss_sha384_salt_48(token, public)


def test_alone_other_services_are_not_answered() -> None:
    with mock_license_manager():
        s3 = boto3.client("s3", region_name=REGION, config=NO_RETRIES)
        with pytest.raises(EndpointConnectionError):
            s3.list_buckets()


def test_a_client_created_before_entering_is_answered() -> None:
    early = lm_client()
    with mock_license_manager():
        assert early.list_licenses()["Licenses"] == []


def test_state_is_fresh_on_each_entry() -> None:
    with mock_license_manager():
        create_license()
        assert license_count() == 1
    with mock_license_manager():
        assert license_count() == 0


def test_nothing_is_intercepted_after_exit_even_for_clients_made_inside() -> None:
    with mock_license_manager():
        inside = lm_client(config=NO_RETRIES)
        assert inside.list_licenses()["Licenses"] == []
    assert HierarchicalEmitter.emit is ORIGINAL_EMIT
    with pytest.raises(EndpointConnectionError):  # it tried the network: the conftest's socket guard refused
        inside.list_licenses()
    with pytest.raises(EndpointConnectionError):
        lm_client(config=NO_RETRIES).list_licenses()


def test_exit_after_an_error_restores_emit() -> None:
    with pytest.raises(ValueError, match="boom"), mock_license_manager():
        raise ValueError("boom")
    assert HierarchicalEmitter.emit is ORIGINAL_EMIT


def test_entering_twice_is_refused() -> None:
    with mock_license_manager(), pytest.raises(RuntimeError, match="already active"), MockLicenseManager():
        pass
    assert HierarchicalEmitter.emit is ORIGINAL_EMIT


def test_clients_of_a_local_license_manager_keep_their_own_emulator() -> None:
    with LocalLicenseManager() as own, mock_license_manager() as mocked:
        assert own is not mocked
        own.client(account="111111111111").api.list_licenses()
        seller = own.boto3_client(account="111111111111")
        seller.create_license(
            LicenseName="Own",
            ProductName="Product",
            ProductSKU="sku-own",
            Issuer={"Name": ISSUER},
            HomeRegion=REGION,
            Validity={"Begin": "2020-01-01T00:00:00Z"},
            Entitlements=[{"Name": "Seats", "Unit": "Count", "MaxCount": 1}],
            Beneficiary="acme",
            ConsumptionConfiguration={"ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
            ClientToken="own-1",
        )
        assert len(seller.list_licenses()["Licenses"]) == 1
        assert license_count() == 0  # the mock's engine saw none of it


def test_dummy_credentials_only_when_none_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with mock_license_manager():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "mock-license-manager"
        assert license_count() == 0
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert "AWS_SECRET_ACCESS_KEY" not in os.environ


# -- with moto -----------------------------------------------------------------------------------------------

ORDERS = ["moto-first", "license-manager-first"]


@pytest.mark.parametrize("order", ORDERS)
def test_with_moto_kms_keys_sign_and_moto_public_keys_verify(order: str) -> None:
    with both(order):
        key = moto_rsa_key()
        account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
        assert key["KeyId"] in kms_backends[account][REGION].keys  # moto's KMS made the key
        license_arn = create_license(key["Arn"])
        assert license_arn.split(":")[4] == account
        public = boto3.client("kms", region_name=REGION).get_public_key(KeyId=key["KeyId"])["PublicKey"]
        lm = LicenseManager(region_name=REGION)
        for token in signed_tokens(license_arn, account):
            verify_pss_sha384_salt_48(token, public)
            claims = jwt.decode(token, load_der_public_key(public), algorithms=["PS384"])  # type: ignore[arg-type]
            assert claims["licenseArn"] == license_arn
            assert lm.entitlements.verify(token, kms_key_id=key["Arn"], license_arn=license_arn).license_arn == (
                license_arn
            )


@pytest.mark.parametrize("order", ORDERS)
def test_with_moto_other_services_stay_with_moto(order: str) -> None:
    with both(order):
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="my-bucket")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["my-bucket"]
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        assert sqs.list_queues()["QueueUrls"] == [url]
        identity = boto3.client("sts", region_name=REGION).get_caller_identity()
        assert identity["Arn"] == "arn:aws:sts::123456789012:user/moto"  # moto's answer, not the engine's
        assert license_count() == 0


@pytest.mark.parametrize("order", ORDERS)
def test_with_moto_account_follows_moto_account_id(order: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    with both(order):
        account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
        assert account == "111122223333"
        key = moto_rsa_key()
        assert key["Arn"].split(":")[4] == account
        license_arn = create_license(key["Arn"])
        assert license_arn.split(":")[4] == account
        public = boto3.client("kms", region_name=REGION).get_public_key(KeyId=key["KeyId"])["PublicKey"]
        for token in signed_tokens(license_arn, account):
            verify_pss_sha384_salt_48(token, public)


def test_with_moto_a_non_rsa_moto_key_cannot_sign() -> None:
    with mock_aws(), mock_license_manager():
        kms = boto3.client("kms", region_name=REGION)
        ecc = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
        with pytest.raises(ClientError, match="not an asymmetric RSA SIGN_VERIFY KMS key"):
            create_license(ecc)


def test_after_exit_inside_mock_aws_license_manager_is_moto_s_again() -> None:
    with mock_aws():
        with mock_license_manager():
            assert license_count() == 0
        with pytest.raises(ClientError, match="Not yet implemented"):
            license_count()
