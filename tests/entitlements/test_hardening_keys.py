"""The KMS public-key cache of `verify()` never crosses clients: one tenant's key is never used for another's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from licensemanager_sdk import TokenVerificationError
from licensemanager_sdk.entitlements import verify
from licensemanager_sdk.local import LocalLicenseManager, Settings
from tests.entitlements.conftest import BUYER, FINGERPRINT, SELLER, USERS, World


class AliasKms:
    """A KMS client of one account that also resolves `alias/...` names (the local KMS has no aliases)."""

    def __init__(self, kms: Any, aliases: Mapping[str, str]) -> None:
        self.kms = kms
        self.aliases = dict(aliases)
        self.calls: list[str] = []

    def get_public_key(self, *, KeyId: str) -> Mapping[str, Any]:
        self.calls.append(KeyId)
        return self.kms.get_public_key(KeyId=self.aliases.get(KeyId, KeyId))  # type: ignore[no-any-return]


class OtherAccountKms:
    """The KMS of the buyer's account, whose own key (other key material) is also called alias/signing."""

    def __init__(self) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        self.der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    def get_public_key(self, *, KeyId: str) -> Mapping[str, Any]:
        assert KeyId == "alias/signing"
        return {"KeyId": f"arn:aws:kms:us-east-1:{BUYER}:key/buyer-key", "PublicKey": self.der}


def _signed(world: World) -> str:
    world.issue("SKU", [USERS])
    lease = world.buyer.entitlements.checkout(
        product_sku="SKU", key_fingerprint=FINGERPRINT, entitlements={"Users": 1}, keep_alive=False
    )
    assert lease.signed_token is not None
    return lease.signed_token


def test_the_same_alias_in_two_accounts_never_shares_a_key(world: World) -> None:
    signed = _signed(world)
    now = world.local.engine.clock.now()
    seller = AliasKms(world.kms, {"alias/signing": world.key_arn})
    buyer = AliasKms(OtherAccountKms(), {})
    assert verify(signed, kms_key_id="alias/signing", kms_client=seller, now=now).has("Users")
    with pytest.raises(TokenVerificationError) as caught:
        verify(signed, kms_key_id="alias/signing", kms_client=buyer, now=now)
    assert caught.value.reason == "signature"
    assert buyer.calls == ["alias/signing"]
    # The key ARN KMS answered with is cached too: asking for it by ARN through the same client fetches nothing.
    verify(signed, kms_key_id=world.key_arn, kms_client=seller, now=now)
    assert seller.calls == ["alias/signing"]


def test_a_key_id_fetched_through_one_tenant_is_not_reused_by_another(world: World) -> None:
    signed = _signed(world)
    now = world.local.engine.clock.now()
    bare_id = world.key_arn.rsplit("/", 1)[1]
    assert world.seller.entitlements.verify(signed, kms_key_id=bare_id, now=now).has("Users")
    with pytest.raises(TokenVerificationError) as caught:
        world.buyer.entitlements.verify(signed, kms_key_id=bare_id, now=now)
    assert caught.value.reason == "key"


def test_a_key_fetched_from_one_local_service_is_not_reused_for_another(world: World) -> None:
    signed = _signed(world)
    now = world.local.engine.clock.now()
    assert world.seller.entitlements.verify(signed, kms_key_id=world.key_arn, now=now).has("Users")
    with (
        LocalLicenseManager(settings=Settings(reuse_rsa_keys=True)) as other,
        pytest.raises(TokenVerificationError) as caught,
    ):
        other.client(account=SELLER).entitlements.verify(signed, kms_key_id=world.key_arn, now=now)
    assert caught.value.reason == "key"


def test_an_unknown_key_is_a_key_error_that_says_what_to_check(world: World) -> None:
    signed = _signed(world)
    missing = world.key_arn[:-4] + "0000"
    with pytest.raises(TokenVerificationError) as caught:
        verify(signed, kms_key_id=missing, kms_client=world.kms, now=world.local.engine.clock.now())
    assert caught.value.reason == "key"
    assert missing in str(caught.value) and "NotFoundException" in str(caught.value)
    assert "Issuer.SignKey" in str(caught.value) and "kms:GetPublicKey" in str(caught.value)
    assert isinstance(caught.value.__cause__, ClientError)


def test_a_key_that_cannot_sign_ps384_is_a_key_error(world: World) -> None:
    signed = _signed(world)
    real = world.kms.get_public_key(KeyId=world.key_arn)

    class EncryptOnly:
        def get_public_key(self, *, KeyId: str) -> Mapping[str, Any]:
            return {**real, "KeyUsage": "ENCRYPT_DECRYPT", "SigningAlgorithms": []}

    with pytest.raises(TokenVerificationError) as caught:
        verify(signed, kms_key_id=world.key_arn, kms_client=EncryptOnly(), now=world.local.engine.clock.now())
    assert caught.value.reason == "key"
