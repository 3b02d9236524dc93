"""KMS's wire answers: blobs as base64 strings, CreationDate as epoch seconds."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..core.caller import Caller
from ..core.faults import SERIALIZATION_CODE, ServiceFault
from ..core.responses import ServiceResponses
from .backend import Kms
from .exceptions import kms_fault
from .models import RSA_ALGORITHMS, KmsKey

__all__ = ["KmsResponses"]

Wire = dict[str, Any]


def _blob(params: Wire, name: str) -> bytes:
    try:
        return base64.b64decode(params[name], validate=True)
    except (binascii.Error, ValueError):
        raise ServiceFault(SERIALIZATION_CODE, f"{name} is not valid base64") from None


def _metadata(key: KmsKey) -> Wire:
    meta: Wire = {
        "AWSAccountId": key.account,
        "KeyId": key.key_id,
        "Arn": key.arn,
        "CreationDate": key.creation_date,
        "Enabled": True,
        "Description": key.description,
        "KeyUsage": key.usage,
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": key.spec,
        "KeySpec": key.spec,
        "MultiRegion": False,
    }
    if key.is_rsa:
        meta["SigningAlgorithms"] = list(RSA_ALGORITHMS)
    else:
        meta["EncryptionAlgorithms"] = ["SYMMETRIC_DEFAULT"]
    return meta


class KmsResponses(ServiceResponses):
    """The KMS operations the local service implements."""

    service = "kms"

    def __init__(self, backend: Kms) -> None:
        self.backend = backend

    def create_key(self, caller: Caller, params: Wire) -> Wire:
        spec_new, spec_old = params.get("KeySpec"), params.get("CustomerMasterKeySpec")
        if spec_new is not None and spec_old is not None:
            raise kms_fault(
                "ValidationException", "You cannot specify KeySpec and CustomerMasterKeySpec in the same request."
            )
        key = self.backend.create_key(
            caller.account,
            caller.region,
            spec=spec_new or spec_old or "SYMMETRIC_DEFAULT",
            usage=params.get("KeyUsage"),
            description=params.get("Description", ""),
            tags=params.get("Tags") or (),
            origin=params.get("Origin", "AWS_KMS"),
        )
        return {"KeyMetadata": _metadata(key)}

    def describe_key(self, caller: Caller, params: Wire) -> Wire:
        return {"KeyMetadata": _metadata(self._key(caller, params))}

    def get_public_key(self, caller: Caller, params: Wire) -> Wire:
        key = self._key(caller, params)
        der = self.backend.require_public_key(key)
        return {
            "KeyId": key.arn,
            "PublicKey": base64.b64encode(der).decode("ascii"),
            "CustomerMasterKeySpec": key.spec,
            "KeySpec": key.spec,
            "KeyUsage": "SIGN_VERIFY",
            "SigningAlgorithms": list(RSA_ALGORITHMS),
        }

    def sign(self, caller: Caller, params: Wire) -> Wire:
        key = self._key(caller, params)
        algorithm = params["SigningAlgorithm"]
        signature = self.backend.sign(
            key,
            algorithm,
            _blob(params, "Message"),
            params.get("MessageType", "RAW"),
            dry_run=bool(params.get("DryRun")),
        )
        return {
            "KeyId": key.arn,
            "Signature": base64.b64encode(signature).decode("ascii"),
            "SigningAlgorithm": algorithm,
        }

    def verify(self, caller: Caller, params: Wire) -> Wire:
        key = self._key(caller, params)
        algorithm = params["SigningAlgorithm"]
        self.backend.verify(
            key,
            algorithm,
            _blob(params, "Message"),
            params.get("MessageType", "RAW"),
            _blob(params, "Signature"),
            dry_run=bool(params.get("DryRun")),
        )
        return {"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": algorithm}

    def _key(self, caller: Caller, params: Wire) -> KmsKey:
        return self.backend.lookup(params["KeyId"], caller.account, caller.region)
