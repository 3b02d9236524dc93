"""A minimal KMS for license signing: RSA SIGN_VERIFY keys (CreateKey, DescribeKey, GetPublicKey, Sign, Verify).

Keys are documents of kind "kms" keyed by key ARN; the private half is stored as PKCS#8 PEM with the state, so a
restarted engine signs with the same key. RSA material is generated when first needed.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from ..core.clock import Clock
from ..core.faults import ServiceFault
from ..core.settings import Settings
from ..core.store import Doc, Store, document_kind

__all__ = ["KMS_OPERATIONS", "Kms", "generate_rsa_key", "kms_key_arn"]

KMS_OPERATIONS = frozenset({"CreateKey", "DescribeKey", "GetPublicKey", "Sign", "Verify"})

_KIND = document_kind("kms")
_RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
_RSA_ALGORITHMS = [
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
]
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/([A-Za-z0-9-]+)")
_POOL: dict[int, rsa.RSAPrivateKey] = {}


def kms_key_arn(region: str, account: str, key_id: str) -> str:
    """The ARN of a KMS key."""
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"


def generate_rsa_key(bits: int, *, reuse: bool = False) -> rsa.RSAPrivateKey:
    """A new RSA private key; with `reuse`, one key per size per process."""
    if reuse:
        if bits not in _POOL:
            _POOL[bits] = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        return _POOL[bits]
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _fault(code: str, message: str) -> ServiceFault:
    status = {"KMSInternalException": 500, "DryRunOperationException": 412}.get(code, 400)
    return ServiceFault(code, message, status=status)


def _blob(params: dict[str, Any], name: str) -> bytes:
    try:
        return base64.b64decode(params[name], validate=True)
    except (binascii.Error, ValueError):
        raise ServiceFault("SerializationException", f"{name} is not valid base64") from None


class Kms:
    """KMS operations over the shared store."""

    def __init__(self, store: Store, clock: Clock, settings: Settings) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._loaded: dict[str, rsa.RSAPrivateKey] = {}

    # ----- helpers used by License Manager and the engine -----

    def find(self, key_ref: str, account: str, region: str) -> Doc | None:
        """A key by ARN, or by key id in (account, region); None when unknown."""
        if key_ref.startswith("arn:"):
            return self._store.get(_KIND, key_ref)
        return self._store.get(_KIND, kms_key_arn(region, account, key_ref))

    def find_anywhere(self, key_ref: str) -> Doc | None:
        """A key by ARN or by key id in any account or region."""
        if key_ref.startswith("arn:"):
            return self._store.get(_KIND, key_ref)
        return next((d for d in self._store.values(_KIND) if d["KeyId"] == key_ref), None)

    def ensure_sign_key(self, key_ref: str, account: str, region: str) -> Doc | None:
        """The RSA SIGN_VERIFY key named by `key_ref`, created (material deferred) when unknown; None when
        `key_ref` cannot name a key (an alias or a malformed ARN) or names a key that cannot sign."""
        doc = self.find(key_ref, account, region)
        if doc is None:
            if key_ref.startswith("arn:"):
                match = _KEY_ARN.fullmatch(key_ref)
                if match is None:
                    return None
                region, account, key_id = match.groups()
            elif key_ref.startswith("alias/") or not re.fullmatch(r"[A-Za-z0-9-]{1,128}", key_ref):
                return None
            else:
                key_id = key_ref
            doc = self._new_key(account, region, key_id, self._settings.lazy_sign_key_spec, "SIGN_VERIFY", "", None)
        if doc["KeyUsage"] != "SIGN_VERIFY" or doc["KeySpec"] not in _RSA_BITS:
            return None
        return doc

    def private_key(self, arn: str) -> rsa.RSAPrivateKey:
        """The private RSA key of a key ARN, generating its material on first use."""
        doc = self._store.get(_KIND, arn)
        if doc is None:
            raise KeyError(arn)
        pem = doc.get("Pem")
        if pem is None:
            key = generate_rsa_key(_RSA_BITS[doc["KeySpec"]], reuse=self._settings.reuse_rsa_keys)
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode("ascii")
            self._store.put(_KIND, arn, {**doc, "Pem": pem})
            self._loaded[pem] = key
            return key
        cached = self._loaded.get(pem)
        if cached is None:
            loaded = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise TypeError("stored KMS key is not RSA")
            cached = self._loaded[pem] = loaded
        return cached

    def public_key_der(self, arn: str) -> bytes:
        """DER SubjectPublicKeyInfo of a key ARN."""
        return (
            self.private_key(arn)
            .public_key()
            .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )

    def create_key(self, account: str, region: str, key_spec: str, *, key_id: str | None = None) -> Doc:
        """Create an RSA SIGN_VERIFY key directly (used for emulator-owned keys)."""
        return self._new_key(account, region, key_id or str(uuid.uuid4()), key_spec, "SIGN_VERIFY", "", None)

    def clear_cache(self) -> None:
        """Forget loaded key objects (after a reset)."""
        self._loaded.clear()

    # ----- the KMS API -----

    def handle(self, operation: str, params: dict[str, Any], account: str, region: str) -> dict[str, Any]:
        """Answer one KMS operation (wire params in, wire body out)."""
        if operation == "CreateKey":
            return self._create_key(params, account, region)
        doc = self._lookup(params["KeyId"], account, region)
        if operation == "DescribeKey":
            return {"KeyMetadata": self._metadata(doc)}
        if operation == "GetPublicKey":
            return self._get_public_key(doc)
        if operation in ("Sign", "Verify"):
            return self._sign_or_verify(operation, doc, params)
        raise ServiceFault("NotImplementedException", f"The local emulator does not implement kms {operation}.")

    def _create_key(self, params: dict[str, Any], account: str, region: str) -> dict[str, Any]:
        spec_new, spec_old = params.get("KeySpec"), params.get("CustomerMasterKeySpec")
        if spec_new is not None and spec_old is not None:
            raise _fault(
                "ValidationException", "You cannot specify KeySpec and CustomerMasterKeySpec in the same request."
            )
        spec = spec_new or spec_old or "SYMMETRIC_DEFAULT"
        usage = params.get("KeyUsage") or ("SIGN_VERIFY" if spec in _RSA_BITS else "ENCRYPT_DECRYPT")
        if spec in _RSA_BITS and usage not in ("SIGN_VERIFY", "ENCRYPT_DECRYPT"):
            raise _fault("ValidationException", f"KeyUsage {usage} is not compatible with KeySpec {spec}.")
        if not (
            (spec in _RSA_BITS and usage == "SIGN_VERIFY")
            or (spec == "SYMMETRIC_DEFAULT" and usage == "ENCRYPT_DECRYPT")
        ):
            raise _fault(
                "UnsupportedOperationException",
                f"The local emulator supports RSA SIGN_VERIFY and SYMMETRIC_DEFAULT keys only, not {spec}/{usage}.",
            )
        if params.get("Origin", "AWS_KMS") != "AWS_KMS":
            raise _fault("UnsupportedOperationException", "The local emulator supports Origin AWS_KMS only.")
        doc = self._new_key(
            account, region, str(uuid.uuid4()), spec, usage, params.get("Description", ""), params.get("Tags")
        )
        if spec in _RSA_BITS:
            self.private_key(doc["Arn"])
        return {"KeyMetadata": self._metadata(doc)}

    def _new_key(
        self, account: str, region: str, key_id: str, spec: str, usage: str, description: str, tags: Any
    ) -> Doc:
        arn = kms_key_arn(region, account, key_id)
        doc: Doc = {
            "KeyId": key_id,
            "Arn": arn,
            "AWSAccountId": account,
            "Region": region,
            "CreationDate": self._clock.timestamp(),
            "Description": description,
            "KeyUsage": usage,
            "KeySpec": spec,
            "Tags": list(tags or []),
            "Pem": None,
        }
        self._store.put(_KIND, arn, doc)
        return doc

    def _lookup(self, key_ref: str, account: str, region: str) -> Doc:
        if key_ref.startswith("alias/") or ":alias/" in key_ref:
            raise _fault("NotFoundException", f"Alias {key_ref} is not found.")
        if key_ref.startswith("arn:") and _KEY_ARN.fullmatch(key_ref) is None:
            raise _fault("InvalidArnException", f"Invalid arn {key_ref}")
        doc = self.find(key_ref, account, region)
        if doc is None:
            arn = key_ref if key_ref.startswith("arn:") else kms_key_arn(region, account, key_ref)
            raise _fault("NotFoundException", f"Key '{arn}' does not exist")
        return doc

    @staticmethod
    def _metadata(doc: Doc) -> dict[str, Any]:
        rsa_key = doc["KeySpec"] in _RSA_BITS
        meta: dict[str, Any] = {
            "AWSAccountId": doc["AWSAccountId"],
            "KeyId": doc["KeyId"],
            "Arn": doc["Arn"],
            "CreationDate": doc["CreationDate"],
            "Enabled": True,
            "Description": doc["Description"],
            "KeyUsage": doc["KeyUsage"],
            "KeyState": "Enabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": doc["KeySpec"],
            "KeySpec": doc["KeySpec"],
            "MultiRegion": False,
        }
        if rsa_key:
            meta["SigningAlgorithms"] = list(_RSA_ALGORITHMS)
        else:
            meta["EncryptionAlgorithms"] = ["SYMMETRIC_DEFAULT"]
        return meta

    def _get_public_key(self, doc: Doc) -> dict[str, Any]:
        if doc["KeySpec"] not in _RSA_BITS:
            raise _fault(
                "UnsupportedOperationException", f"{doc['Arn']} key usage is ENCRYPT_DECRYPT and has no public key."
            )
        return {
            "KeyId": doc["Arn"],
            "PublicKey": base64.b64encode(self.public_key_der(doc["Arn"])).decode("ascii"),
            "CustomerMasterKeySpec": doc["KeySpec"],
            "KeySpec": doc["KeySpec"],
            "KeyUsage": "SIGN_VERIFY",
            "SigningAlgorithms": list(_RSA_ALGORITHMS),
        }

    def _sign_or_verify(self, operation: str, doc: Doc, params: dict[str, Any]) -> dict[str, Any]:
        if doc["KeyUsage"] != "SIGN_VERIFY":
            raise _fault(
                "InvalidKeyUsageException",
                f"{doc['Arn']} key usage is {doc['KeyUsage']} which is not valid for {operation}.",
            )
        algorithm = params["SigningAlgorithm"]
        if algorithm not in _RSA_ALGORITHMS:
            raise _fault(
                "InvalidKeyUsageException", f"Algorithm {algorithm} is incompatible with key spec {doc['KeySpec']}."
            )
        if params.get("DryRun"):
            raise _fault("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")
        message = _blob(params, "Message")
        digest = _HASHES[algorithm[-3:]]()
        message_type = params.get("MessageType", "RAW")
        if message_type == "DIGEST":
            if len(message) != digest.digest_size:
                raise _fault("ValidationException", f"Digest is invalid length for algorithm {algorithm}.")
            chosen: hashes.HashAlgorithm | utils.Prehashed = utils.Prehashed(digest)
        elif message_type == "RAW":
            chosen = digest
        else:
            raise _fault("ValidationException", f"MessageType {message_type} is not supported for RSA keys.")
        pad: padding.AsymmetricPadding = (
            padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
            if "_PSS_" in algorithm
            else padding.PKCS1v15()
        )
        key = self.private_key(doc["Arn"])
        if operation == "Sign":
            signature = key.sign(message, pad, chosen)
            return {
                "KeyId": doc["Arn"],
                "Signature": base64.b64encode(signature).decode("ascii"),
                "SigningAlgorithm": algorithm,
            }
        try:
            key.public_key().verify(_blob(params, "Signature"), message, pad, chosen)
        except InvalidSignature:
            raise _fault("KMSInvalidSignatureException", "The signature is not valid.") from None
        return {"KeyId": doc["Arn"], "SignatureValid": True, "SigningAlgorithm": algorithm}
