"""License Manager's backend core: the store, clock and settings, and the lookups every operation needs over
typed licenses, grants, organisations and usage. The operations themselves are grouped by concern in
`licenses.py`, `grants.py`, `consumption.py`, `tokens.py` and `tags.py`."""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Iterator
from typing import TypeVar

from ..core.clock import Clock
from ..core.ids import account_root_arn, months_between
from ..core.organizations import ORGANIZATIONS, Organization
from ..core.settings import Settings
from ..core.store import Kind, Store
from ..kms.backend import Kms
from .formats import parse_principal
from .indexes import PositionIndex, Principal, principal_key
from .models import CHECKOUTS, GRANTS, LICENSES, TOKENS, USAGE, Grant, License, LicenseVersion, PerpetualUsage, Token
from .usage import ActiveUsage

__all__ = ["Backend"]

T = TypeVar("T")

#: Grant statuses that give the grantee read access to the license.
_VISIBLE = frozenset({"PENDING_ACCEPT", "ACTIVE", "DISABLED", "PENDING_WORKFLOW", "WORKFLOW_COMPLETED"})


class Backend:
    """The store plus the lookups every operation needs. Callers hold the engine lock."""

    def __init__(self, store: Store, clock: Clock, settings: Settings, kms: Kms) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.kms = kms
        self._active = ActiveUsage()
        self._active_synced = (-1, 0.0)  # (store rollbacks, latest time seen)
        self._finished: list[tuple[float, str]] | None = None  # (prunable after, token) min-heap
        self._finished_synced = -1
        self._live: dict[str, int] = {}  # license -> grants made from it (not from a grant) that are not DELETED
        self._live_synced = -1
        self.rebuild_indexes()

    def rebuild_indexes(self) -> None:
        """Recompute the in-memory indexes from the store."""
        self._licenses_by_issuer: PositionIndex[str] = PositionIndex()
        self._licenses_by_sku: PositionIndex[str] = PositionIndex()
        #: Licenses a principal holds a grant on, by license position (the order of received licenses).
        self._licenses_by_grantee: PositionIndex[Principal] = PositionIndex()
        self._grants_by_license: PositionIndex[str] = PositionIndex()
        self._grants_by_grantor: PositionIndex[str] = PositionIndex()
        self._grants_by_grantee: PositionIndex[Principal] = PositionIndex()
        self._grants_by_license_grantee: PositionIndex[tuple[str, Principal]] = PositionIndex()
        self._grants_by_parent: PositionIndex[str] = PositionIndex()
        self._tokens_by_account: PositionIndex[str] = PositionIndex()
        self._tokens_by_license: PositionIndex[str] = PositionIndex()
        for lic in self.store.values(LICENSES):
            self._index_license(lic)
        for grant in self.store.values(GRANTS):
            self._index_grant(grant)
        for token in self.store.values(TOKENS):
            self._index_token(token)
        self._active_synced = (-1, 0.0)
        self._finished = None
        self._live_synced = -1

    def _index_license(self, lic: License) -> None:
        position = self.store.position(LICENSES, lic.arn)
        if position is not None:
            self._licenses_by_issuer.add(lic.account, position, lic.arn)
            self._licenses_by_sku.add(lic.versions[0].product_sku, position, lic.arn)

    def _index_grant(self, grant: Grant) -> None:
        position = self.store.position(GRANTS, grant.arn)
        if position is None:
            return
        grantee = principal_key(grant.principal)
        self._grants_by_license.add(grant.license, position, grant.arn)
        self._grants_by_grantor.add(grant.account, position, grant.arn)
        self._grants_by_grantee.add(grantee, position, grant.arn)
        self._grants_by_license_grantee.add((grant.license, grantee), position, grant.arn)
        self._grants_by_parent.add(grant.parent, position, grant.arn)
        license_position = self.store.position(LICENSES, grant.license)
        if license_position is not None:
            self._licenses_by_grantee.add(grantee, license_position, grant.license)

    def _index_token(self, token: Token) -> None:
        position = self.store.position(TOKENS, token.token_id)
        if position is not None:
            self._tokens_by_account.add(token.account, position, token.token_id)
            self._tokens_by_license.add(token.license_arn, position, token.token_id)

    def _values(self, kind: Kind[T], keys: Iterable[tuple[int, str]]) -> Iterator[tuple[int, T]]:
        """(position, value) of the keys still stored (an index may hold keys of rolled-back calls)."""
        for position, key in keys:
            value = self.store.get(kind, key)
            if value is not None:
                yield position, value

    def chosen(self, kind: Kind[T], keys: Iterable[str], after: int = 0) -> Iterator[tuple[int, T]]:
        """(position, value) of the stored values among `keys` (LicenseArns, GrantArns...) after `after`, oldest
        first."""
        positions = ((self.store.position(kind, key), key) for key in set(keys))
        return self._values(kind, sorted((p, key) for p, key in positions if p is not None and p > after))

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
        self._index_license(lic)

    def licenses_with_sku(self, sku: str) -> Iterator[License]:
        """Licenses of a ProductSKU, oldest first."""
        return (lic for _, lic in self._values(LICENSES, self._licenses_by_sku.after(sku)))

    def licenses_issued_by(self, account: str, after: int = 0) -> Iterator[tuple[int, License]]:
        """(position, license) of the licenses `account` issued, after `after`, oldest first."""
        return self._values(LICENSES, self._licenses_by_issuer.after(account, after))

    def licenses_granted_to(self, principals: Collection[Principal], after: int = 0) -> Iterator[tuple[int, License]]:
        """(position, license) of the licenses any of `principals` holds a grant on (of any status), after
        `after`, oldest first."""
        merged = heapq.merge(
            *(self._licenses_by_grantee.after(p, after) for p in principals if p in self._licenses_by_grantee)
        )
        return self._values(LICENSES, _distinct(merged))

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
        self._count_live(grant, +1)
        self.store.put(GRANTS, grant.arn, grant)
        self._index_grant(grant)

    def replace_grant(self, old: Grant, new: Grant) -> None:
        """Store a grant's new state (a new version)."""
        self._count_live(old, -1)
        self._count_live(new, +1)
        self.store.put(GRANTS, new.arn, new)

    def live_grants(self, license_arn: str) -> int:
        """Grants made from the license itself (not from another grant) that are not DELETED."""
        self._count_live(None, 0)
        return self._live.get(license_arn, 0)

    def _count_live(self, grant: Grant | None, delta: int) -> None:
        if self._live_synced != self.store.rollbacks:  # derived counts: recount after a rolled-back call
            self._live, self._live_synced = {}, self.store.rollbacks
            for stored in self.store.values(GRANTS):
                self._count_live(stored, +1)
        if grant is not None and grant.status != "DELETED" and self.store.get(GRANTS, grant.parent) is None:
            self._live[grant.license] = self._live.get(grant.license, 0) + delta

    def grants_from(self, parent_arn: str) -> Iterator[Grant]:
        """The grants made from a grant (an organisation grant's member grants), oldest first."""
        return (grant for _, grant in self._values(GRANTS, self._grants_by_parent.after(parent_arn)))

    def grants_of_license(self, license_arn: str, after: int = 0) -> Iterator[tuple[int, Grant]]:
        """(position, grant) of every grant on a license, after `after`, oldest first."""
        return self._values(GRANTS, self._grants_by_license.after(license_arn, after))

    def grants_by(self, account: str, after: int = 0) -> Iterator[tuple[int, Grant]]:
        """(position, grant) of the grants `account` created (distributed), after `after`, oldest first."""
        return self._values(GRANTS, self._grants_by_grantor.after(account, after))

    def grants_to(self, principals: Collection[Principal], after: int = 0) -> Iterator[tuple[int, Grant]]:
        """(position, grant) of the grants to any of `principals`, after `after`, oldest first."""
        merged = heapq.merge(
            *(self._grants_by_grantee.after(p, after) for p in principals if p in self._grants_by_grantee)
        )
        return self._values(GRANTS, merged)

    def grants_of_license_to(self, license_arn: str, principals: Collection[Principal]) -> Iterator[Grant]:
        """The grants on a license to any of `principals`, oldest first."""
        if len(principals) < self._grants_by_license.size(license_arn):
            groups = self._grants_by_license_grantee
            merged = heapq.merge(*(groups.after((license_arn, p)) for p in principals if (license_arn, p) in groups))
            return (grant for _, grant in self._values(GRANTS, merged))
        wanted = principals if isinstance(principals, (set, frozenset)) else set(principals)
        return (g for _, g in self.grants_of_license(license_arn) if principal_key(g.principal) in wanted)

    def grants_to_account(self, license_arn: str, account: str) -> Iterator[Grant]:
        """Account-principal grants on a license to `account`, oldest first."""
        keys = self._grants_by_license_grantee.after((license_arn, principal_key(account_root_arn(account))))
        return (grant for _, grant in self._values(GRANTS, keys))

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
        return principal_key(grant.principal) in self.principals_of((account,))

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

    def principals_of(self, accounts: Collection[str]) -> set[Principal]:
        """The grantee principals through which any of `accounts` receives grants: each account, and each
        organisation and OU holding one of them."""
        members = accounts if isinstance(accounts, (set, frozenset)) else set(accounts)
        out: set[Principal] = {("account", account, None) for account in members}
        for org in self.store.values(ORGANIZATIONS):
            if org.management in members or not members.isdisjoint(org.accounts):
                out.add(("organization", org.id, None))
            out.update(("ou", org.id, ou) for ou, held in org.ous.items() if not members.isdisjoint(held))
        return out

    # ----- tokens -----

    def add_token(self, token: Token) -> None:
        """Store a new token and index it."""
        self.store.put(TOKENS, token.token_id, token)
        self._index_token(token)

    def tokens_of(self, account: str, after: int = 0) -> Iterator[tuple[int, Token]]:
        """(position, token) of the tokens `account` created, after `after`, oldest first."""
        return self._values(TOKENS, self._tokens_by_account.after(account, after))

    def tokens_of_license(self, license_arn: str, after: int = 0) -> Iterator[tuple[int, Token]]:
        """(position, token) of the tokens of a license, after `after`, oldest first."""
        return self._values(TOKENS, self._tokens_by_license.after(license_arn, after))

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


def _distinct(items: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Sorted (position, key) pairs with repeats dropped."""
    last = None
    for item in items:
        if item[0] != last:
            last = item[0]
            yield item
