"""License Manager's state, typed: licenses and their versions, grants and their versions, checkouts, PERPETUAL
usage, tokens, tags and the emulator's signing keys, each with its store kind.

The JSON of each row keeps the field names of the first (untyped) release, so existing `--state` files load.
Values are immutable: a change is a new value (`dataclasses.replace`) put back into the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.store import Kind

__all__ = [
    "CHECKOUTS",
    "GRANTS",
    "LICENSES",
    "SECRETS",
    "TAGS",
    "TOKENS",
    "USAGE",
    "Allowed",
    "BorrowConfiguration",
    "Checkout",
    "ConsumptionConfiguration",
    "Entitlement",
    "Grant",
    "GrantVersion",
    "Issuer",
    "License",
    "LicenseVersion",
    "MarketplaceKey",
    "Metadata",
    "PerpetualUsage",
    "ResourceTags",
    "Secret",
    "Tag",
    "Token",
    "TokenSigningKey",
    "Validity",
]

Json = dict[str, Any]


def _present(**members: Any) -> Json:
    """The members that are not None (wire and row structures omit absent members)."""
    return {name: value for name, value in members.items() if value is not None}


# ----- the nested structures of a license version (their JSON is their wire shape) -----


@dataclass(frozen=True, slots=True)
class Entitlement:
    """One entitlement of a license. Counted ones (Unit other than None) have MaxCount, Overage, AllowCheckIn."""

    name: str
    unit: str
    value: str | None = None
    max_count: int | None = None
    overage: bool | None = None
    allow_check_in: bool | None = None

    @property
    def counted(self) -> bool:
        """Whether checkouts draw down a quantity."""
        return self.unit != "None"

    def to_json(self) -> Json:
        return _present(
            Name=self.name,
            Value=self.value,
            MaxCount=self.max_count,
            Overage=self.overage,
            Unit=self.unit,
            AllowCheckIn=self.allow_check_in,
        )

    @classmethod
    def from_json(cls, row: Json) -> Entitlement:
        return cls(
            row["Name"], row["Unit"], row.get("Value"), row.get("MaxCount"), row.get("Overage"), row.get("AllowCheckIn")
        )


@dataclass(frozen=True, slots=True)
class Issuer:
    """The issuer of a license: its name, optional KMS signing key and key fingerprint."""

    name: str
    key_fingerprint: str
    sign_key: str | None = None

    def to_json(self) -> Json:
        return _present(Name=self.name, SignKey=self.sign_key, KeyFingerprint=self.key_fingerprint)

    @classmethod
    def from_json(cls, row: Json) -> Issuer:
        return cls(row["Name"], row["KeyFingerprint"], row.get("SignKey"))


@dataclass(frozen=True, slots=True)
class Validity:
    """Validity as answered (`YYYY-MM-DDTHH:MM:SS.sssZ`)."""

    begin: str
    end: str | None = None

    def to_json(self) -> Json:
        return _present(Begin=self.begin, End=self.end)

    @classmethod
    def from_json(cls, row: Json) -> Validity:
        return cls(row["Begin"], row.get("End"))


@dataclass(frozen=True, slots=True)
class BorrowConfiguration:
    """How long a borrowed checkout lasts and whether it may be checked in early."""

    max_ttl_minutes: int
    allow_early_check_in: bool | None = None

    def to_json(self) -> Json:
        return _present(AllowEarlyCheckIn=self.allow_early_check_in, MaxTimeToLiveInMinutes=self.max_ttl_minutes)


@dataclass(frozen=True, slots=True)
class ConsumptionConfiguration:
    """RenewType and the provisional (TTL in minutes) and borrow configurations."""

    renew_type: str | None = None
    provisional_ttl_minutes: int | None = None
    borrow: BorrowConfiguration | None = None

    def to_json(self) -> Json:
        out = _present(RenewType=self.renew_type)
        if self.provisional_ttl_minutes is not None:
            out["ProvisionalConfiguration"] = {"MaxTimeToLiveInMinutes": self.provisional_ttl_minutes}
        if self.borrow is not None:
            out["BorrowConfiguration"] = self.borrow.to_json()
        return out

    @classmethod
    def from_json(cls, row: Json) -> ConsumptionConfiguration:
        provisional = row.get("ProvisionalConfiguration")
        borrow = row.get("BorrowConfiguration")
        return cls(
            row.get("RenewType"),
            None if provisional is None else provisional["MaxTimeToLiveInMinutes"],
            None
            if borrow is None
            else BorrowConfiguration(borrow["MaxTimeToLiveInMinutes"], borrow.get("AllowEarlyCheckIn")),
        )


@dataclass(frozen=True, slots=True)
class Metadata:
    """A Name/Value pair (LicenseMetadata, CheckoutMetadata)."""

    name: str | None = None
    value: str | None = None

    def to_json(self) -> Json:
        return _present(Name=self.name, Value=self.value)

    @classmethod
    def from_json(cls, row: Json) -> Metadata:
        return cls(row.get("Name"), row.get("Value"))


# ----- licenses -----


@dataclass(frozen=True, slots=True)
class LicenseVersion:
    """One immutable version of a license. `begin`/`end` are Validity in epoch seconds, `created` its creation."""

    license_arn: str
    license_name: str
    product_name: str
    product_sku: str
    issuer: Issuer
    home_region: str
    status: str
    validity: Validity
    beneficiary: str
    entitlements: tuple[Entitlement, ...]
    consumption: ConsumptionConfiguration
    metadata: tuple[Metadata, ...]
    create_time: str
    version: str
    begin: float
    end: float | None
    created: float

    def to_json(self) -> Json:
        out: Json = {
            "LicenseArn": self.license_arn,
            "LicenseName": self.license_name,
            "ProductName": self.product_name,
            "Issuer": self.issuer.to_json(),
            "HomeRegion": self.home_region,
            "Validity": self.validity.to_json(),
            "Entitlements": [e.to_json() for e in self.entitlements],
            "ConsumptionConfiguration": self.consumption.to_json(),
            "_begin": self.begin,
            "_end": self.end,
            "ProductSKU": self.product_sku,
            "Beneficiary": self.beneficiary,
            "Status": self.status,
            "CreateTime": self.create_time,
            "Version": self.version,
            "_created": self.created,
        }
        if self.metadata:
            out["LicenseMetadata"] = [m.to_json() for m in self.metadata]
        return out

    @classmethod
    def from_json(cls, row: Json) -> LicenseVersion:
        return cls(
            license_arn=row["LicenseArn"],
            license_name=row["LicenseName"],
            product_name=row["ProductName"],
            product_sku=row["ProductSKU"],
            issuer=Issuer.from_json(row["Issuer"]),
            home_region=row["HomeRegion"],
            status=row["Status"],
            validity=Validity.from_json(row["Validity"]),
            beneficiary=row["Beneficiary"],
            entitlements=tuple(Entitlement.from_json(e) for e in row["Entitlements"]),
            consumption=ConsumptionConfiguration.from_json(row["ConsumptionConfiguration"]),
            metadata=tuple(Metadata.from_json(m) for m in row.get("LicenseMetadata") or ()),
            create_time=row["CreateTime"],
            version=row["Version"],
            begin=row["_begin"],
            end=row.get("_end"),
            created=row["_created"],
        )


@dataclass(frozen=True, slots=True)
class License:
    """A license: issuer account, home region, versions (oldest first), deletion time once deleted."""

    arn: str
    account: str
    home: str
    versions: tuple[LicenseVersion, ...]
    deletion: float | None = None
    mp_signed: bool = False

    @property
    def current(self) -> LicenseVersion:
        """The current (newest) version."""
        return self.versions[-1]

    def version(self, number: str) -> LicenseVersion | None:
        """The version numbered `number`, or None."""
        return next((v for v in self.versions if v.version == number), None)

    def to_json(self) -> Json:
        return {
            "arn": self.arn,
            "account": self.account,
            "home": self.home,
            "versions": [v.to_json() for v in self.versions],
            "deletion": self.deletion,
            "mp_signed": self.mp_signed,
        }

    @classmethod
    def from_json(cls, row: Json) -> License:
        return cls(
            row["arn"],
            row["account"],
            row["home"],
            tuple(LicenseVersion.from_json(v) for v in row["versions"]),
            row.get("deletion"),
            bool(row.get("mp_signed")),
        )


# ----- grants -----


@dataclass(frozen=True, slots=True)
class GrantVersion:
    """One version of a grant (every state change makes a new one)."""

    grant_name: str
    grant_status: str
    granted_operations: tuple[str, ...]
    version: str
    grant_type: str | None = None
    activation_override: str | None = None
    status_reason: str | None = None

    def to_json(self) -> Json:
        out = _present(
            GrantName=self.grant_name,
            GrantStatus=self.grant_status,
            GrantedOperations=list(self.granted_operations),
            Version=self.version,
            GrantType=self.grant_type,
            StatusReason=self.status_reason,
        )
        if self.activation_override is not None:
            out["Options"] = {"ActivationOverrideBehavior": self.activation_override}
        return out

    @classmethod
    def from_json(cls, row: Json) -> GrantVersion:
        options = row.get("Options") or {}
        return cls(
            row["GrantName"],
            row["GrantStatus"],
            tuple(row["GrantedOperations"]),
            row["Version"],
            row.get("GrantType"),
            options.get("ActivationOverrideBehavior"),
            row.get("StatusReason"),
        )


@dataclass(frozen=True, slots=True)
class Grant:
    """A grant of a license from `account` (the grantor) to `principal`; `parent` is the license or the grant
    it derives from."""

    arn: str
    account: str
    license: str
    parent: str
    principal: str
    home: str
    created: float
    versions: tuple[GrantVersion, ...]

    @property
    def current(self) -> GrantVersion:
        """The current (newest) version."""
        return self.versions[-1]

    @property
    def status(self) -> str:
        """The current GrantStatus."""
        return self.versions[-1].grant_status

    def version(self, number: str) -> GrantVersion | None:
        """The version numbered `number`, or None."""
        return next((v for v in self.versions if v.version == number), None)

    def to_json(self) -> Json:
        return {
            "arn": self.arn,
            "account": self.account,
            "license": self.license,
            "parent": self.parent,
            "principal": self.principal,
            "home": self.home,
            "created": self.created,
            "versions": [v.to_json() for v in self.versions],
        }

    @classmethod
    def from_json(cls, row: Json) -> Grant:
        return cls(
            row["arn"],
            row["account"],
            row["license"],
            row["parent"],
            row["principal"],
            row["home"],
            row.get("created", 0.0),
            tuple(GrantVersion.from_json(v) for v in row["versions"]),
        )


# ----- consumption -----


@dataclass(frozen=True, slots=True)
class Allowed:
    """An entitlement a checkout was allowed (its wire `EntitlementData`)."""

    name: str
    unit: str
    value: str | None = None

    def to_json(self) -> Json:
        return _present(Name=self.name, Unit=self.unit, Value=self.value)

    @classmethod
    def from_json(cls, row: Json) -> Allowed:
        return cls(row["Name"], row["Unit"], row.get("Value"))


@dataclass(frozen=True, slots=True)
class Checkout:
    """A checkout (its consumption token), PROVISIONAL, PERPETUAL or BORROW. `quantities` holds the counted
    entitlements drawn down; `checked_in_at` is when it was checked in (None for rows of older state files)."""

    token: str
    license: str
    version: str
    account: str
    type: str
    allowed: tuple[Allowed, ...]
    quantities: dict[str, int]
    issued: int
    exp: float
    ttl: int
    grant: str | None = None
    node: str | None = None
    beneficiary: str | None = None
    checked_in: bool = False
    checked_in_at: float | None = None

    @property
    def finished_at(self) -> float:
        """When the checkout stopped counting: its check-in, else its expiry."""
        if self.checked_in and self.checked_in_at is not None:
            return min(self.checked_in_at, self.exp)
        return self.exp

    def to_json(self) -> Json:
        out: Json = {
            "token": self.token,
            "license": self.license,
            "version": self.version,
            "account": self.account,
            "type": self.type,
            "allowed": [a.to_json() for a in self.allowed],
            "quantities": self.quantities,
            "issued": self.issued,
            "exp": self.exp,
            "ttl": self.ttl,
            "grant": self.grant,
            "node": self.node,
            "beneficiary": self.beneficiary,
            "checked_in": self.checked_in,
        }
        if self.checked_in_at is not None:
            out["checked_in_at"] = self.checked_in_at
        return out

    @classmethod
    def from_json(cls, row: Json) -> Checkout:
        return cls(
            token=row["token"],
            license=row["license"],
            version=row["version"],
            account=row["account"],
            type=row["type"],
            allowed=tuple(Allowed.from_json(a) for a in row["allowed"]),
            quantities=dict(row["quantities"]),
            issued=row["issued"],
            exp=row["exp"],
            ttl=row["ttl"],
            grant=row.get("grant"),
            node=row.get("node"),
            beneficiary=row.get("beneficiary"),
            checked_in=bool(row.get("checked_in")),
            checked_in_at=row.get("checked_in_at"),
        )


@dataclass(frozen=True, slots=True)
class PerpetualUsage:
    """PERPETUAL quantities drawn down in one RenewType period of a license."""

    period: str = ""
    used: dict[str, int] | None = None

    def to_json(self) -> Json:
        return {"period": self.period, "used": dict(self.used or {})}

    @classmethod
    def from_json(cls, row: Json) -> PerpetualUsage:
        return cls(row["period"], dict(row["used"]))


# ----- tokens, tags, keys -----


@dataclass(frozen=True, slots=True)
class Token:
    """A refresh token's record (the JWT itself is not kept)."""

    token_id: str
    license_arn: str
    expiration_time: str
    token_properties: tuple[str, ...]
    role_arns: tuple[str, ...]
    status: str
    account: str
    home: str
    token_type: str = "REFRESH_TOKEN"

    def to_json(self) -> Json:
        return {
            "TokenId": self.token_id,
            "TokenType": self.token_type,
            "LicenseArn": self.license_arn,
            "ExpirationTime": self.expiration_time,
            "TokenProperties": list(self.token_properties),
            "RoleArns": list(self.role_arns),
            "Status": self.status,
            "account": self.account,
            "home": self.home,
        }

    @classmethod
    def from_json(cls, row: Json) -> Token:
        return cls(
            token_id=row["TokenId"],
            license_arn=row["LicenseArn"],
            expiration_time=row["ExpirationTime"],
            token_properties=tuple(row["TokenProperties"]),
            role_arns=tuple(row["RoleArns"]),
            status=row["Status"],
            account=row["account"],
            home=row["home"],
            token_type=row["TokenType"],
        )


@dataclass(frozen=True, slots=True)
class Tag:
    """A resource tag."""

    key: str
    value: str

    def to_json(self) -> Json:
        return {"Key": self.key, "Value": self.value}


@dataclass(frozen=True, slots=True)
class ResourceTags:
    """The tags of one license or grant, in the order they were first set."""

    tags: tuple[Tag, ...] = ()

    def to_json(self) -> Json:
        return {"tags": [t.to_json() for t in self.tags]}

    @classmethod
    def from_json(cls, row: Json) -> ResourceTags:
        return cls(tuple(Tag(t["Key"], t["Value"]) for t in row["tags"]))


@dataclass(frozen=True, slots=True)
class MarketplaceKey:
    """The KMS key that signs SignedTokens of seeded AWS Marketplace licenses."""

    arn: str


@dataclass(frozen=True, slots=True)
class TokenSigningKey:
    """The RSA key (PKCS#8 PEM) that signs refresh and access tokens, and its `kid`. Never shown in repr."""

    kid: str
    pem: str = ""

    def __repr__(self) -> str:
        return f"TokenSigningKey(kid={self.kid!r})"


Secret = MarketplaceKey | TokenSigningKey


def _dump_secret(secret: Secret) -> Json:
    if isinstance(secret, MarketplaceKey):
        return {"arn": secret.arn}
    return {"kid": secret.kid, "pem": secret.pem}


def _load_secret(row: Json) -> Secret:
    if "pem" in row:
        return TokenSigningKey(row["kid"], row["pem"])
    return MarketplaceKey(row["arn"])


LICENSES: Kind[License] = Kind("license", License.from_json, License.to_json)
GRANTS: Kind[Grant] = Kind("grant", Grant.from_json, Grant.to_json)
CHECKOUTS: Kind[Checkout] = Kind("checkout", Checkout.from_json, Checkout.to_json)
USAGE: Kind[PerpetualUsage] = Kind("usage", PerpetualUsage.from_json, PerpetualUsage.to_json)
TOKENS: Kind[Token] = Kind("token", Token.from_json, Token.to_json)
TAGS: Kind[ResourceTags] = Kind("tags", ResourceTags.from_json, ResourceTags.to_json)
SECRETS: Kind[Secret] = Kind("secret", _load_secret, _dump_secret)
