"""`IamBackend`: one account's roles and managed policies, with IAM's checks and errors (SERVICE.md §8.4); `Iam`:
every account's, over the shared store."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import string
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..core.clock import Clock
from ..core.store import Store
from .exceptions import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
)
from .models import ACCOUNTS, AWS_MANAGED_POLICY_PREFIX, IamState, ManagedPolicy, Role

__all__ = ["DEFAULT_MAX_ITEMS", "Iam", "IamBackend", "Page", "check_policy_document"]

DEFAULT_MAX_ITEMS = 100
_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
_PATH = re.compile(r"^/(?:[\x21-\x7e]*/)?$")
_ID_ALPHABET = string.ascii_uppercase + string.digits
_ItemT = TypeVar("_ItemT")


class Page(list[_ItemT]):
    """One page of a listing; `marker` is where the next page starts (None on the last page)."""

    marker: str | None = None


def _new_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(17))


def check_policy_document(document: str) -> None:
    """MalformedPolicyDocument unless `document` is a JSON object with a `Statement`."""
    try:
        parsed = json.loads(document)
    except ValueError:
        raise MalformedPolicyDocument("This policy contains invalid Json") from None
    if not isinstance(parsed, dict):
        raise MalformedPolicyDocument("Syntax errors in policy.")
    if not parsed.get("Statement"):
        raise MalformedPolicyDocument("Missing required field Statement")
    statements = parsed["Statement"]
    if not isinstance(statements, list | dict) or not all(
        isinstance(s, dict) for s in (statements if isinstance(statements, list) else [statements])
    ):
        raise MalformedPolicyDocument("Syntax errors in policy.")


def _check_path(path: str) -> None:
    if not 1 <= len(path) <= 512 or not _PATH.match(path):
        raise ValidationError(
            f"The specified value for path is invalid: {path!r}. It must begin and end with / and contain only "
            "printable ASCII characters."
        )


def _page(items: Sequence[_ItemT], marker: str | None, max_items: int | None) -> Page[_ItemT]:
    size = DEFAULT_MAX_ITEMS if max_items is None else max_items
    if not 1 <= size <= 1000:
        raise ValidationError(f"1 validation error detected: Value '{size}' at 'maxItems' failed to satisfy constraint")
    start = 0
    if marker is not None:
        try:
            start = int(base64.urlsafe_b64decode(marker.encode()).decode())
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise InvalidInput(f"Invalid Marker: {marker}. Pass the Marker of the previous page.") from None
    page: Page[_ItemT] = Page(items[start : start + size])
    if start + size < len(items):
        page.marker = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return page


class IamBackend:
    """IAM of one account; `clock` gives epoch seconds (the emulator clock), `state` what survives a restart."""

    def __init__(self, account: str, clock: Callable[[], float], state: IamState | None = None) -> None:
        self.account = account
        self.state = state or IamState()
        self._clock = clock

    # Roles

    def create_role(
        self,
        name: str,
        assume_role_policy_document: str,
        *,
        path: str = "/",
        max_session_duration: int | None = None,
        description: str | None = None,
    ) -> Role:
        if not _NAME.match(name):
            raise ValidationError(f"The specified value for roleName is invalid: {name!r}.")
        _check_path(path)
        check_policy_document(assume_role_policy_document)
        duration = 3600 if max_session_duration is None else max_session_duration
        self._check_duration(duration)
        if name.lower() in (existing.lower() for existing in self.state.roles):
            raise EntityAlreadyExists(f"Role with name {name} already exists.")
        role = Role(
            name=name,
            path=path,
            arn=f"arn:aws:iam::{self.account}:role{path}{name}",
            role_id=_new_id("AROA"),
            create_date=self._clock(),
            assume_role_policy_document=assume_role_policy_document,
            max_session_duration=duration,
            description=description,
        )
        self.state.roles[name] = role
        return role

    def get_role(self, name: str) -> Role:
        role = self.state.roles.get(name)
        if role is None:
            raise NoSuchEntity(f"The role with name {name} cannot be found.")
        return role

    def role_by_arn(self, arn: str) -> Role | None:
        """The role an ARN names in this account (path included), or None."""
        return next((role for role in self.state.roles.values() if role.arn == arn), None)

    def delete_role(self, name: str) -> None:
        role = self.get_role(name)
        if role.attached_policy_arns:
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        del self.state.roles[name]

    def list_roles(
        self, *, path_prefix: str = "/", marker: str | None = None, max_items: int | None = None
    ) -> Page[Role]:
        roles = sorted(
            (r for r in self.state.roles.values() if r.path.startswith(path_prefix)), key=lambda r: r.name.lower()
        )
        return _page(roles, marker, max_items)

    def update_assume_role_policy(self, name: str, document: str) -> None:
        role = self.get_role(name)
        check_policy_document(document)
        role.assume_role_policy_document = document

    # Managed policies

    def create_policy(
        self, name: str, document: str, *, path: str = "/", description: str | None = None
    ) -> ManagedPolicy:
        if not _POLICY_NAME.match(name):
            raise ValidationError(f"The specified value for policyName is invalid: {name!r}.")
        _check_path(path)
        check_policy_document(document)
        arn = f"arn:aws:iam::{self.account}:policy{path}{name}"
        if any(p.name == name for p in self.state.policies.values()):
            raise EntityAlreadyExists(f"A policy called {name} already exists. Duplicate names are not allowed.")
        policy = ManagedPolicy(
            name=name,
            path=path,
            arn=arn,
            policy_id=_new_id("ANPA"),
            document=document,
            create_date=self._clock(),
            description=description,
        )
        self.state.policies[arn] = policy
        return policy

    def get_policy(self, arn: str) -> ManagedPolicy:
        policy = self.state.policies.get(arn)
        if policy is None and arn.startswith(AWS_MANAGED_POLICY_PREFIX):
            return self._aws_managed(arn)
        if policy is None:
            raise NoSuchEntity(f"Policy {arn} was not found.")
        return policy

    def delete_policy(self, arn: str) -> None:
        if arn.startswith(AWS_MANAGED_POLICY_PREFIX):
            raise InvalidInput(f"Policy {arn} is an AWS managed policy and cannot be deleted.")
        policy = self.get_policy(arn)
        if policy.attachment_count:
            raise DeleteConflict("Cannot delete a policy attached to entities.")
        del self.state.policies[arn]

    def attach_role_policy(self, role_name: str, policy_arn: str) -> None:
        role = self.get_role(role_name)
        policy = self.state.policies.get(policy_arn)
        if policy is None and not policy_arn.startswith(AWS_MANAGED_POLICY_PREFIX):
            raise NoSuchEntity(f"Policy {policy_arn} does not exist or is not attachable.")
        if policy_arn in role.attached_policy_arns:
            return
        role.attached_policy_arns.append(policy_arn)
        if policy is not None:
            policy.attachment_count += 1

    def detach_role_policy(self, role_name: str, policy_arn: str) -> None:
        role = self.get_role(role_name)
        if policy_arn not in role.attached_policy_arns:
            raise NoSuchEntity(f"Policy {policy_arn} was not found.")
        role.attached_policy_arns.remove(policy_arn)
        policy = self.state.policies.get(policy_arn)
        if policy is not None:
            policy.attachment_count -= 1

    def list_attached_role_policies(
        self, role_name: str, *, path_prefix: str = "/", marker: str | None = None, max_items: int | None = None
    ) -> Page[ManagedPolicy]:
        role = self.get_role(role_name)
        attached = [self.get_policy(arn) for arn in role.attached_policy_arns]
        return _page([p for p in attached if p.path.startswith(path_prefix)], marker, max_items)

    def _aws_managed(self, arn: str) -> ManagedPolicy:
        path, _, name = arn[len(AWS_MANAGED_POLICY_PREFIX) - 1 :].rpartition("/")
        count = sum(arn in role.attached_policy_arns for role in self.state.roles.values())
        return ManagedPolicy(
            name=name,
            path=f"{path}/",
            arn=arn,
            policy_id="ANPA" + base64.b32encode(name.encode()).decode()[:17].upper(),
            document='{"Version":"2012-10-17","Statement":[]}',
            create_date=0.0,
            attachment_count=count,
        )

    @staticmethod
    def _check_duration(seconds: int) -> None:
        if not 3600 <= seconds <= 43200:
            raise ValidationError(
                f"1 validation error detected: Value '{seconds}' at 'maxSessionDuration' failed to satisfy constraint: "
                "Member must have value between 3600 and 43200"
            )


class Iam:
    """IAM of every emulated account over the shared store (IAM is global: the region plays no part). A call works
    on a copy of its account's state (`backend`) and stores the copy when it changed something (`save`)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def backend(self, account: str) -> IamBackend:
        """A backend over a copy of `account`'s state."""
        stored = self._store.get(ACCOUNTS, account)
        state = IamState.from_json(stored.to_json()) if stored is not None else IamState()
        return IamBackend(account, self._clock.timestamp, state)

    def save(self, backend: IamBackend) -> None:
        """Store the state a backend from `backend()` changed."""
        self._store.put(ACCOUNTS, backend.account, backend.state)

    def role(self, arn: str) -> Role | None:
        """The role an ARN names, looked up in the ARN's account (None when there is no such role)."""
        parts = arn.split(":", 5)
        stored = self._store.get(ACCOUNTS, parts[4]) if len(parts) == 6 else None
        return None if stored is None else IamBackend(parts[4], self._clock.timestamp, stored).role_by_arn(arn)
