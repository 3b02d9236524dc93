"""State shared by the License Manager operation modules: the caller, the store, and lookups over licenses,
grants, organisations and usage."""

from __future__ import annotations

from collections.abc import Iterator

from ..core.clock import Clock
from ..core.settings import Settings
from ..core.store import Doc, Store, document_kind
from ..kms.backend import Kms
from .formats import account_root_arn, months_between, parse_principal
from .usage import ActiveUsage

__all__ = [
    "CHECKOUT",
    "GRANT",
    "IDEM",
    "LICENSE",
    "ORG",
    "SECRET",
    "TAGS",
    "TOKEN",
    "USAGE",
    "Backend",
]

LICENSE, GRANT, USAGE, CHECKOUT, TOKEN, TAGS, ORG, IDEM, SECRET = (
    document_kind(name) for name in ("license", "grant", "usage", "checkout", "token", "tags", "org", "idem", "secret")
)

#: Grant statuses that give the grantee read access to the license.
_VISIBLE = frozenset({"PENDING_ACCEPT", "ACTIVE", "DISABLED", "PENDING_WORKFLOW", "WORKFLOW_COMPLETED"})


class Backend:
    """The store plus the lookups every operation needs. Callers hold the engine lock."""

    def __init__(self, store: Store, clock: Clock, settings: Settings, kms: Kms) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.kms = kms
        self._grants_by_license: dict[str, list[str]] = {}
        self._licenses_by_sku: dict[str, list[str]] = {}
        self._active = ActiveUsage()
        self._active_synced = (-1, 0.0)  # (store rollbacks, latest time seen)
        self.rebuild_indexes()

    def rebuild_indexes(self) -> None:
        """Recompute in-memory indexes from the store."""
        self._grants_by_license = {}
        self._licenses_by_sku = {}
        for lic in self.store.values(LICENSE):
            self._licenses_by_sku.setdefault(lic["versions"][0]["ProductSKU"], []).append(lic["arn"])
        for grant in self.store.values(GRANT):
            self._grants_by_license.setdefault(grant["license"], []).append(grant["arn"])
        self._active_synced = (-1, 0.0)

    def now(self) -> float:
        """Emulator time, epoch seconds."""
        return self.clock.timestamp()

    # ----- licenses -----

    def license(self, arn: str) -> Doc | None:
        """A stored license document."""
        return self.store.get(LICENSE, arn)

    def add_license(self, lic: Doc) -> None:
        """Store a new license and index it."""
        self.store.put(LICENSE, lic["arn"], lic)
        self._licenses_by_sku.setdefault(lic["versions"][0]["ProductSKU"], []).append(lic["arn"])

    def licenses_with_sku(self, sku: str) -> Iterator[Doc]:
        """Licenses of a ProductSKU, oldest first."""
        for arn in self._licenses_by_sku.get(sku, ()):
            lic = self.store.get(LICENSE, arn)
            if lic is not None:
                yield lic

    @staticmethod
    def current(lic: Doc) -> Doc:
        """The license's current version."""
        version: Doc = lic["versions"][-1]
        return version

    def license_status(self, lic: Doc, version: Doc | None = None) -> str:
        """The status a read reports (deletion, activation delay and expiry applied)."""
        v = version if version is not None else self.current(lic)
        now = self.now()
        if lic.get("deletion") is not None:
            return "DELETED" if now >= lic["deletion"] else "PENDING_DELETE"
        status: str = v["Status"]
        if status == "PENDING_AVAILABLE" and now >= v["_created"] + self.settings.license_activation_delay_s:
            status = "AVAILABLE"
        if status == "AVAILABLE" and v.get("_end") is not None and now > v["_end"]:
            status = "EXPIRED"
        return status

    def can_read_license(self, lic: Doc, account: str) -> bool:
        """Issuer, or an account holding a visible grant (any grant once the license is deleted)."""
        if lic["account"] == account:
            return True
        deleted = lic.get("deletion") is not None
        for grant in self.grants_to_account(lic["arn"], account):
            status = grant["versions"][-1]["GrantStatus"]
            if status in _VISIBLE or (deleted and status == "DELETED"):
                return True
        return False

    # ----- grants -----

    def grant(self, arn: str) -> Doc | None:
        """A stored grant document."""
        return self.store.get(GRANT, arn)

    def add_grant(self, grant: Doc) -> None:
        """Store a new grant and index it."""
        self.store.put(GRANT, grant["arn"], grant)
        self._grants_by_license.setdefault(grant["license"], []).append(grant["arn"])

    def grants_of_license(self, license_arn: str) -> Iterator[Doc]:
        """Every grant on a license, oldest first."""
        for arn in self._grants_by_license.get(license_arn, ()):
            grant = self.store.get(GRANT, arn)
            if grant is not None:
                yield grant

    def grants_to_account(self, license_arn: str, account: str) -> Iterator[Doc]:
        """Account-principal grants on a license to `account`."""
        principal = account_root_arn(account)
        return (g for g in self.grants_of_license(license_arn) if g["principal"] == principal)

    def usable_grant(self, license_arn: str, account: str, operation: str) -> Doc | None:
        """The newest ACTIVE buyer grant to `account` allowing `operation`."""
        found = None
        for grant in self.grants_to_account(license_arn, account):
            v = grant["versions"][-1]
            if (
                v["GrantStatus"] == "ACTIVE"
                and operation in v["GrantedOperations"]
                and v.get("GrantType") != "DelegateGrant"
            ):
                found = grant
        return found

    def received_by(self, grant: Doc, account: str) -> bool:
        """Whether `grant` was received by `account` directly, through its organisation, or an OU."""
        parsed = parse_principal(grant["principal"])
        if parsed is None:
            return False
        kind, ident, _ou = parsed
        if kind == "account":
            return ident == account
        return account in self.principal_members(grant["principal"])

    # ----- organisations -----

    def organization_of(self, account: str) -> Doc | None:
        """The organisation an account belongs to."""
        for org in self.store.values(ORG):
            if account == org["management"] or account in org["accounts"]:
                return org
        return None

    def principal_members(self, principal: str) -> list[str]:
        """Accounts an organisation or OU principal covers ([] when unknown)."""
        parsed = parse_principal(principal)
        if parsed is None or parsed[0] == "account":
            return []
        org = self.store.get(ORG, parsed[1])
        if org is None:
            return []
        if parsed[0] == "organization":
            return [org["management"], *[a for a in org["accounts"] if a != org["management"]]]
        return list(org["ous"].get(parsed[2], []))

    # ----- usage -----

    def active(self) -> ActiveUsage:
        """The outstanding-checkout index, rebuilt when a call was rolled back or the clock went backwards."""
        now = self.now()
        rollbacks, latest = self._active_synced
        if rollbacks != self.store.rollbacks or now < latest:
            self._active.rebuild(self.store.values(CHECKOUT), now)
        self._active_synced = (self.store.rollbacks, now)
        return self._active

    def perpetual(self, license_arn: str) -> Doc:
        """PERPETUAL counters of a license: {"period": ..., "used": {name: qty}}."""
        return self.store.get(USAGE, license_arn) or {"period": "", "used": {}}

    def period(self, version: Doc) -> str:
        """The current RenewType period of a license version (PERPETUAL counters reset between periods)."""
        renew = version.get("ConsumptionConfiguration", {}).get("RenewType", "None")
        if renew == "Weekly":
            return f"w{int(max(self.now() - version['_begin'], 0) // 604800)}"
        if renew == "Monthly":
            return f"m{months_between(version['_begin'], self.now())}"
        return "-"

    def consumed(self, license_arn: str, version: Doc) -> dict[str, int]:
        """Quantity in use per entitlement: unexpired PROVISIONAL/BORROW plus this period's PERPETUAL."""
        totals = self.active().totals(license_arn, self.now())
        perpetual = self.perpetual(license_arn)
        if perpetual["period"] == self.period(version):
            for name, qty in perpetual["used"].items():
                totals[name] = totals.get(name, 0) + qty
        return totals

    def active_checkouts(self, license_arn: str) -> int:
        """Outstanding (unexpired, not checked-in) PROVISIONAL/BORROW checkouts of a license."""
        return self.active().count(license_arn, self.now())
