"""License Manager's backend core: the store, clock and settings, and the lookups every operation needs over
typed licenses, grants, organisations and usage. The operations themselves are grouped by concern in
`licenses.py`, `grants.py`, `consumption.py`, `tokens.py` and `tags.py`."""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from ..core.clock import Clock
from ..core.ids import account_root_arn, months_between
from ..core.organizations import ORGANIZATIONS, Organization
from ..core.settings import Settings
from ..core.store import Store
from ..kms.backend import Kms
from .formats import parse_principal
from .models import CHECKOUTS, GRANTS, LICENSES, USAGE, Grant, License, LicenseVersion, PerpetualUsage
from .usage import ActiveUsage

__all__ = ["Backend"]

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
        self._finished: list[tuple[float, str]] | None = None  # (prunable after, token) min-heap
        self._finished_synced = -1
        self.rebuild_indexes()

    def rebuild_indexes(self) -> None:
        """Recompute in-memory indexes from the store."""
        self._grants_by_license = {}
        self._licenses_by_sku = {}
        for lic in self.store.values(LICENSES):
            self._licenses_by_sku.setdefault(lic.versions[0].product_sku, []).append(lic.arn)
        for grant in self.store.values(GRANTS):
            self._grants_by_license.setdefault(grant.license, []).append(grant.arn)
        self._active_synced = (-1, 0.0)
        self._finished = None

    def now(self) -> float:
        """Emulator time, epoch seconds."""
        return self.clock.timestamp()

    # ----- licenses -----

    def license(self, arn: str) -> License | None:
        """A stored license."""
        return self.store.get(LICENSES, arn)

    def add_license(self, lic: License) -> None:
        """Store a new license and index it."""
        self.store.put(LICENSES, lic.arn, lic)
        self._licenses_by_sku.setdefault(lic.versions[0].product_sku, []).append(lic.arn)

    def licenses_with_sku(self, sku: str) -> Iterator[License]:
        """Licenses of a ProductSKU, oldest first."""
        for arn in self._licenses_by_sku.get(sku, ()):
            lic = self.store.get(LICENSES, arn)
            if lic is not None:
                yield lic

    def license_status(self, lic: License, version: LicenseVersion | None = None) -> str:
        """The status a read reports (deletion, activation delay and expiry applied)."""
        v = version if version is not None else lic.current
        now = self.now()
        if lic.deletion is not None:
            return "DELETED" if now >= lic.deletion else "PENDING_DELETE"
        status = v.status
        if status == "PENDING_AVAILABLE" and now >= v.created + self.settings.license_activation_delay_s:
            status = "AVAILABLE"
        if status == "AVAILABLE" and v.end is not None and now > v.end:
            status = "EXPIRED"
        return status

    def can_read_license(self, lic: License, account: str) -> bool:
        """Issuer, or an account holding a visible grant (any grant once the license is deleted)."""
        if lic.account == account:
            return True
        deleted = lic.deletion is not None
        for grant in self.grants_to_account(lic.arn, account):
            status = grant.status
            if status in _VISIBLE or (deleted and status == "DELETED"):
                return True
        return False

    # ----- grants -----

    def grant(self, arn: str) -> Grant | None:
        """A stored grant."""
        return self.store.get(GRANTS, arn)

    def add_grant(self, grant: Grant) -> None:
        """Store a new grant and index it."""
        self.store.put(GRANTS, grant.arn, grant)
        self._grants_by_license.setdefault(grant.license, []).append(grant.arn)

    def grants_of_license(self, license_arn: str) -> Iterator[Grant]:
        """Every grant on a license, oldest first."""
        for arn in self._grants_by_license.get(license_arn, ()):
            grant = self.store.get(GRANTS, arn)
            if grant is not None:
                yield grant

    def grants_to_account(self, license_arn: str, account: str) -> Iterator[Grant]:
        """Account-principal grants on a license to `account`."""
        principal = account_root_arn(account)
        return (g for g in self.grants_of_license(license_arn) if g.principal == principal)

    def usable_grant(self, license_arn: str, account: str, operation: str) -> Grant | None:
        """The newest ACTIVE buyer grant to `account` allowing `operation`."""
        found = None
        for grant in self.grants_to_account(license_arn, account):
            v = grant.current
            if v.grant_status == "ACTIVE" and operation in v.granted_operations and v.grant_type != "DelegateGrant":
                found = grant
        return found

    def received_by(self, grant: Grant, account: str) -> bool:
        """Whether `grant` was received by `account` directly, through its organisation, or an OU."""
        parsed = parse_principal(grant.principal)
        if parsed is None:
            return False
        kind, ident, _ou = parsed
        if kind == "account":
            return ident == account
        return account in self.principal_members(grant.principal)

    # ----- organisations -----

    def organization(self, organization_id: str) -> Organization | None:
        """An organisation by id."""
        return self.store.get(ORGANIZATIONS, organization_id)

    def organization_of(self, account: str) -> Organization | None:
        """The organisation an account belongs to."""
        return next((org for org in self.store.values(ORGANIZATIONS) if org.has(account)), None)

    def principal_members(self, principal: str) -> list[str]:
        """Accounts an organisation or OU principal covers ([] when unknown)."""
        parsed = parse_principal(principal)
        if parsed is None or parsed[0] == "account":
            return []
        org = self.organization(parsed[1])
        if org is None:
            return []
        if parsed[0] == "organization":
            return [org.management, *[a for a in org.accounts if a != org.management]]
        return list(org.ous.get(parsed[2] or "", ()))

    # ----- usage -----

    def active(self) -> ActiveUsage:
        """The outstanding-checkout index, rebuilt when a call was rolled back or the clock went backwards."""
        now = self.now()
        rollbacks, latest = self._active_synced
        if rollbacks != self.store.rollbacks or now < latest:
            self._active.rebuild(self.store.values(CHECKOUTS), now)
        self._active_synced = (self.store.rollbacks, now)
        return self._active

    def perpetual(self, license_arn: str) -> PerpetualUsage:
        """PERPETUAL counters of a license."""
        return self.store.get(USAGE, license_arn) or PerpetualUsage()

    def period(self, version: LicenseVersion) -> str:
        """The current RenewType period of a license version (PERPETUAL counters reset between periods)."""
        renew = version.consumption.renew_type or "None"
        if renew == "Weekly":
            return f"w{int(max(self.now() - version.begin, 0) // 604800)}"
        if renew == "Monthly":
            return f"m{months_between(version.begin, self.now())}"
        return "-"

    def consumed(self, license_arn: str, version: LicenseVersion) -> dict[str, int]:
        """Quantity in use per entitlement: unexpired PROVISIONAL/BORROW plus this period's PERPETUAL."""
        totals = self.active().totals(license_arn, self.now())
        perpetual = self.perpetual(license_arn)
        if perpetual.period == self.period(version) and perpetual.used:
            for name, qty in perpetual.used.items():
                totals[name] = totals.get(name, 0) + qty
        return totals

    def active_checkouts(self, license_arn: str) -> int:
        """Outstanding (unexpired, not checked-in) PROVISIONAL/BORROW checkouts of a license."""
        return self.active().count(license_arn, self.now())

    # ----- retention -----

    def checkout_finishes(self, token: str, finished_at: float) -> None:
        """Note when a checkout stops counting, so that `prune` can delete it after the retention window."""
        if self._finished is not None:
            heapq.heappush(self._finished, (finished_at + self.settings.idempotency_window_s, token))

    def prune(self, limit: int) -> int:
        """Delete up to `limit` checkouts that finished (expired or checked in) more than the idempotency
        window ago: nothing counts or reports them any more (PERPETUAL usage has its own counters)."""
        if self._finished is None or self._finished_synced != self.store.rollbacks:
            window = self.settings.idempotency_window_s
            self._finished = [(c.finished_at + window, c.token) for c in self.store.values(CHECKOUTS)]
            heapq.heapify(self._finished)
            self._finished_synced = self.store.rollbacks
        now = self.now()
        heap, deleted = self._finished, 0
        while heap and heap[0][0] <= now and deleted < limit:
            _, token = heapq.heappop(heap)
            record = self.store.get(CHECKOUTS, token)
            if record is not None and record.finished_at + self.settings.idempotency_window_s <= now:
                self.store.delete(CHECKOUTS, token)
                deleted += 1
        return deleted
