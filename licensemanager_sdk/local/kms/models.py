"""KMS state: keys (typed), their JSON rows, and ARN formats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.store import Kind

__all__ = ["KEYS", "RSA_ALGORITHMS", "RSA_BITS", "KmsKey", "kms_key_arn"]

RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
RSA_ALGORITHMS = (
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
)


def kms_key_arn(region: str, account: str, key_id: str) -> str:
    """The ARN of a KMS key."""
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"


@dataclass(frozen=True, slots=True)
class KmsKey:
    """A KMS key. `pem` is the PKCS#8 private half of an RSA key, None until its material is generated."""

    key_id: str
    arn: str
    account: str
    region: str
    creation_date: float
    description: str
    usage: str
    spec: str
    tags: tuple[dict[str, str], ...] = ()
    pem: str | None = None

    @property
    def is_rsa(self) -> bool:
        """An RSA key (it has a public key and signs)."""
        return self.spec in RSA_BITS

    def to_json(self) -> dict[str, Any]:
        """The stored row (the wire member names KMS uses)."""
        return {
            "KeyId": self.key_id,
            "Arn": self.arn,
            "AWSAccountId": self.account,
            "Region": self.region,
            "CreationDate": self.creation_date,
            "Description": self.description,
            "KeyUsage": self.usage,
            "KeySpec": self.spec,
            "Tags": list(self.tags),
            "Pem": self.pem,
        }

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> KmsKey:
        """A key from its stored row."""
        return cls(
            key_id=row["KeyId"],
            arn=row["Arn"],
            account=row["AWSAccountId"],
            region=row["Region"],
            creation_date=row["CreationDate"],
            description=row["Description"],
            usage=row["KeyUsage"],
            spec=row["KeySpec"],
            tags=tuple(row.get("Tags") or ()),
            pem=row.get("Pem"),
        )


KEYS: Kind[KmsKey] = Kind("kms", KmsKey.from_json, KmsKey.to_json)
