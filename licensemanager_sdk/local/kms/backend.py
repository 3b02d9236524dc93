"""KMS operations over typed keys: create, look up, sign and verify with RSA keys.

The private half of an RSA key is stored as PKCS#8 PEM with the state, so a restarted engine signs with the
same key; RSA material is generated when first needed. A `KeySource` lets keys held elsewhere (moto's KMS, under
`licensemanager_sdk.testing.mock_license_manager`) sign License Manager's tokens.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from ..core.clock import Clock
from ..core.ids import new_uuid
from ..core.settings import Settings
from ..core.store import Store
from .exceptions import kms_fault
from .models import KEYS, RSA_ALGORITHMS, RSA_BITS, KmsKey, kms_key_arn

__all__ = ["KeySource", "Kms", "generate_rsa_key"]

KeySource = Callable[[str, str, str], "KmsKey | None"]
"""`(key_ref, account, region) -> KmsKey | None`: a signing key held outside the engine, with its private half in
`pem` when it is RSA; None when the source does not know the key (the engine then creates it lazily)."""

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/([A-Za-z0-9-]+)")
_POOL: dict[int, rsa.RSAPrivateKey] = {}


def generate_rsa_key(bits: int, *, reuse: bool = False) -> rsa.RSAPrivateKey:
    """A new RSA private key; with `reuse`, one key per size per process."""
    if reuse:
        if bits not in _POOL:
            _POOL[bits] = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        return _POOL[bits]
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


class Kms:
    """KMS keys over the shared store."""

    def __init__(self, store: Store, clock: Clock, settings: Settings) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._loaded: dict[str, rsa.RSAPrivateKey] = {}
        self.key_source: KeySource | None = None
        """Asked for a signing key the store does not hold, before one is created lazily."""

    # ----- helpers used by License Manager and the engine -----

    def find(self, key_ref: str, account: str, region: str) -> KmsKey | None:
        """A key by ARN, or by key id in (account, region); None when unknown."""
        if key_ref.startswith("arn:"):
            return self._store.get(KEYS, key_ref)
        return self._store.get(KEYS, kms_key_arn(region, account, key_ref))

    def find_anywhere(self, key_ref: str) -> KmsKey | None:
        """A key by ARN or by key id in any account or region."""
        if key_ref.startswith("arn:"):
            return self._store.get(KEYS, key_ref)
        return next((k for k in self._store.values(KEYS) if k.key_id == key_ref), None)

    def ensure_sign_key(self, key_ref: str, account: str, region: str) -> KmsKey | None:
        """The RSA SIGN_VERIFY key named by `key_ref`, created (material deferred) when unknown; None when
        `key_ref` cannot name a key (an alias or a malformed ARN) or names a key that cannot sign."""
        key = self.find(key_ref, account, region)
        if key is None and self.key_source is not None:
            key = self.key_source(key_ref, account, region)
            if key is not None:
                self._store.put(KEYS, key.arn, key)
        if key is None:
            if key_ref.startswith("arn:"):
                match = _KEY_ARN.fullmatch(key_ref)
                if match is None:
                    return None
                region, account, key_id = match.groups()
            elif key_ref.startswith("alias/") or not re.fullmatch(r"[A-Za-z0-9-]{1,128}", key_ref):
                return None
            else:
                key_id = key_ref
            key = self._new_key(account, region, key_id, self._settings.lazy_sign_key_spec, "SIGN_VERIFY", "", ())
        if key.usage != "SIGN_VERIFY" or not key.is_rsa:
            return None
        return key

    def private_key(self, arn: str) -> rsa.RSAPrivateKey:
        """The private RSA key of a key ARN, generating its material on first use."""
        key = self._store.get(KEYS, arn)
        if key is None:
            raise KeyError(arn)
        if key.pem is None:
            material = generate_rsa_key(RSA_BITS[key.spec], reuse=self._settings.reuse_rsa_keys)
            pem = material.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode("ascii")
            self._store.put(KEYS, arn, dataclasses.replace(key, pem=pem))
            self._loaded[pem] = material
            return material
        cached = self._loaded.get(key.pem)
        if cached is None:
            loaded = serialization.load_pem_private_key(key.pem.encode("ascii"), password=None)
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise TypeError("stored KMS key is not RSA")
            cached = self._loaded[key.pem] = loaded
        return cached

    def public_key_der(self, arn: str) -> bytes:
        """DER SubjectPublicKeyInfo of a key ARN."""
        return (
            self.private_key(arn)
            .public_key()
            .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )

    def new_sign_key(self, account: str, region: str, key_spec: str) -> KmsKey:
        """Create an RSA SIGN_VERIFY key directly (for emulator-owned keys)."""
        return self._new_key(account, region, new_uuid(), key_spec, "SIGN_VERIFY", "", ())

    def clear_cache(self) -> None:
        """Forget loaded key objects (after a reset)."""
        self._loaded.clear()

    # ----- the KMS API -----

    def create_key(
        self,
        account: str,
        region: str,
        *,
        spec: str,
        usage: str | None,
        description: str,
        tags: Iterable[dict[str, str]],
        origin: str,
    ) -> KmsKey:
        """CreateKey: RSA SIGN_VERIFY keys (material generated now) and metadata-only SYMMETRIC_DEFAULT keys."""
        usage = usage or ("SIGN_VERIFY" if spec in RSA_BITS else "ENCRYPT_DECRYPT")
        if spec in RSA_BITS and usage not in ("SIGN_VERIFY", "ENCRYPT_DECRYPT"):
            raise kms_fault("ValidationException", f"KeyUsage {usage} is not compatible with KeySpec {spec}.")
        if not (
            (spec in RSA_BITS and usage == "SIGN_VERIFY")
            or (spec == "SYMMETRIC_DEFAULT" and usage == "ENCRYPT_DECRYPT")
        ):
            raise kms_fault(
                "UnsupportedOperationException",
                f"The local emulator supports RSA SIGN_VERIFY and SYMMETRIC_DEFAULT keys only, not {spec}/{usage}.",
            )
        if origin != "AWS_KMS":
            raise kms_fault("UnsupportedOperationException", "The local emulator supports Origin AWS_KMS only.")
        key = self._new_key(account, region, new_uuid(), spec, usage, description, tuple(tags))
        if key.is_rsa:
            self.private_key(key.arn)
        return key

    def lookup(self, key_ref: str, account: str, region: str) -> KmsKey:
        """The key a request names (ARN, or key id in the caller's account and region); aliases are unknown."""
        if key_ref.startswith("alias/") or ":alias/" in key_ref:
            raise kms_fault("NotFoundException", f"Alias {key_ref} is not found.")
        if key_ref.startswith("arn:") and _KEY_ARN.fullmatch(key_ref) is None:
            raise kms_fault("InvalidArnException", f"Invalid arn {key_ref}")
        key = self.find(key_ref, account, region)
        if key is None:
            arn = key_ref if key_ref.startswith("arn:") else kms_key_arn(region, account, key_ref)
            raise kms_fault("NotFoundException", f"Key '{arn}' does not exist")
        return key

    def require_public_key(self, key: KmsKey) -> bytes:
        """GetPublicKey: DER public key of an RSA key."""
        if not key.is_rsa:
            raise kms_fault(
                "UnsupportedOperationException", f"{key.arn} key usage is ENCRYPT_DECRYPT and has no public key."
            )
        return self.public_key_der(key.arn)

    def sign(self, key: KmsKey, algorithm: str, message: bytes, message_type: str, *, dry_run: bool) -> bytes:
        """Sign: the signature of `message` (RAW, or a DIGEST of the algorithm's hash)."""
        pad, chosen = self._scheme("Sign", key, algorithm, message, message_type, dry_run=dry_run)
        return self.private_key(key.arn).sign(message, pad, chosen)

    def verify(
        self, key: KmsKey, algorithm: str, message: bytes, message_type: str, signature: bytes, *, dry_run: bool
    ) -> None:
        """Verify: KMSInvalidSignatureException unless `signature` is valid."""
        pad, chosen = self._scheme("Verify", key, algorithm, message, message_type, dry_run=dry_run)
        try:
            self.private_key(key.arn).public_key().verify(signature, message, pad, chosen)
        except InvalidSignature:
            raise kms_fault("KMSInvalidSignatureException", "The signature is not valid.") from None

    # ----- internals -----

    def _new_key(
        self,
        account: str,
        region: str,
        key_id: str,
        spec: str,
        usage: str,
        description: str,
        tags: tuple[dict[str, str], ...],
    ) -> KmsKey:
        key = KmsKey(
            key_id=key_id,
            arn=kms_key_arn(region, account, key_id),
            account=account,
            region=region,
            creation_date=self._clock.timestamp(),
            description=description,
            usage=usage,
            spec=spec,
            tags=tags,
        )
        self._store.put(KEYS, key.arn, key)
        return key

    @staticmethod
    def _scheme(
        operation: str, key: KmsKey, algorithm: str, message: bytes, message_type: str, *, dry_run: bool
    ) -> tuple[padding.AsymmetricPadding, hashes.HashAlgorithm | utils.Prehashed]:
        if key.usage != "SIGN_VERIFY":
            raise kms_fault(
                "InvalidKeyUsageException", f"{key.arn} key usage is {key.usage} which is not valid for {operation}."
            )
        if algorithm not in RSA_ALGORITHMS:
            raise kms_fault(
                "InvalidKeyUsageException", f"Algorithm {algorithm} is incompatible with key spec {key.spec}."
            )
        if dry_run:
            raise kms_fault(
                "DryRunOperationException", "The request would have succeeded, but the DryRun option is set."
            )
        digest = _HASHES[algorithm[-3:]]()
        chosen: hashes.HashAlgorithm | utils.Prehashed
        if message_type == "DIGEST":
            if len(message) != digest.digest_size:
                raise kms_fault("ValidationException", f"Digest is invalid length for algorithm {algorithm}.")
            chosen = utils.Prehashed(digest)
        elif message_type == "RAW":
            chosen = digest
        else:
            raise kms_fault("ValidationException", f"MessageType {message_type} is not supported for RSA keys.")
        pad: padding.AsymmetricPadding = (
            padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
            if "_PSS_" in algorithm
            else padding.PKCS1v15()
        )
        return pad, chosen
