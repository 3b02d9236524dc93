"""What `mock_license_manager` asks moto while moto's `mock_aws` is active: the account, and KMS signing keys.

Imported only once moto is (`_mock.moto_active`): moto is the optional `[moto]` extra.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.iam.models import get_account_id_from
from moto.kms.models import kms_backends

from ..local.kms.models import RSA_BITS, KmsKey

__all__ = ["moto_account", "moto_sign_key"]

_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/([A-Za-z0-9-]+)")


def moto_account(access_key_id: str, headers: Mapping[str, str]) -> str:
    """The account moto serves a request as (and its STS GetCallerIdentity reports).

    moto's own order (`BaseResponse.get_current_account`): `MOTO_ACCOUNT_ID`, then an `x-moto-account-id` header,
    then the account owning the access key in moto's IAM, else moto's default account 123456789012.
    """
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    header = {key.lower(): value for key, value in headers.items()}.get("x-moto-account-id")
    if header:
        return header
    account: str = get_account_id_from(access_key_id)
    return account


def moto_sign_key(key_ref: str, account: str, region: str) -> KmsKey | None:
    """The moto KMS key `key_ref` names (an ARN, or a key id in `account` and `region`), None when moto has none.

    An RSA key carries its private half, so License Manager signs its tokens itself with RSASSA-PSS SHA-384 and
    a 48-byte salt (moto's own Sign uses the longest salt, which PS384 verifiers refuse).
    """
    match = _KEY_ARN.fullmatch(key_ref)
    if match is not None:
        region, account, key_id = match.groups()
    elif key_ref.startswith("arn:"):
        return None
    else:
        key_id = key_ref
    try:
        key = kms_backends[account][region].keys.get(key_id)
    except KeyError:  # a region moto does not know
        return None
    if key is None:
        return None
    spec = str(key.key_spec)
    pem = None
    if spec in RSA_BITS:
        private = getattr(key.private_key, "private_key", None)
        if not isinstance(private, rsa.RSAPrivateKey):
            return None
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
    return KmsKey(
        key_id=key.id,
        arn=key.arn,
        account=key.account_id,
        region=key.region,
        creation_date=float(key.creation_date),
        description=key.description,
        usage=str(key.key_usage),
        spec=spec,
        pem=pem,
    )
