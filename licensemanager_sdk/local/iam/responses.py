"""IAM's query protocol: form parameters (as botocore sends them) to `IamBackend` calls, answers as wire members
(rendered as XML by the transport, or by `respond`).

`IamResponses` answers the engine's calls for every account; `respond(backend, action, params, request_id)` answers
one request against one backend, as `(status, xml)`. Policy documents go out URL-encoded, as IAM sends them
(botocore decodes them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from botocore import xform_name

from ..core.caller import Caller
from ..core.faults import ServiceFault
from ..core.query import error_document, namespace_of, result_document
from ..core.responses import ServiceResponses
from .backend import Iam, IamBackend
from .exceptions import IamError, InvalidAction, ValidationError
from .models import ManagedPolicy, Role

__all__ = ["IAM_VERSION", "IAM_XMLNS", "OPERATIONS", "IamResponses", "render_error", "respond"]

IAM_VERSION = "2010-05-08"
IAM_XMLNS = namespace_of("iam", IAM_VERSION)

Result = dict[str, Any]


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _role(role: Role) -> Result:
    return {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn,
        "CreateDate": _iso(role.create_date),
        "AssumeRolePolicyDocument": quote(role.assume_role_policy_document, safe=""),
        "Description": role.description,
        "MaxSessionDuration": role.max_session_duration,
    }


def _policy(policy: ManagedPolicy) -> Result:
    return {
        "Policy": {
            "PolicyName": policy.name,
            "DefaultVersionId": policy.default_version_id,
            "PolicyId": policy.policy_id,
            "Path": policy.path,
            "Arn": policy.arn,
            "AttachmentCount": policy.attachment_count,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "Description": policy.description,
            "CreateDate": _iso(policy.create_date),
            "UpdateDate": _iso(policy.create_date),
        }
    }


def _listing(name: str, members: list[Result], marker: str | None) -> Result:
    return {name: members, "IsTruncated": marker is not None, "Marker": marker}


def _int(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError(f"Value '{raw}' at '{name[0].lower()}{name[1:]}' is not an integer.") from None


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if value is None:
        raise ValidationError(f"1 validation error detected: Value null at '{name}' failed to satisfy constraint")
    return value


def _create_role(b: IamBackend, p: Mapping[str, str]) -> Result:
    role = b.create_role(
        _required(p, "RoleName"),
        _required(p, "AssumeRolePolicyDocument"),
        path=p.get("Path", "/"),
        max_session_duration=_int(p, "MaxSessionDuration"),
        description=p.get("Description"),
    )
    return {"Role": _role(role)}


def _list_roles(b: IamBackend, p: Mapping[str, str]) -> Result:
    page = b.list_roles(path_prefix=p.get("PathPrefix", "/"), marker=p.get("Marker"), max_items=_int(p, "MaxItems"))
    return _listing("Roles", [_role(r) for r in page], page.marker)


def _list_attached(b: IamBackend, p: Mapping[str, str]) -> Result:
    page = b.list_attached_role_policies(
        _required(p, "RoleName"),
        path_prefix=p.get("PathPrefix", "/"),
        marker=p.get("Marker"),
        max_items=_int(p, "MaxItems"),
    )
    members: list[Result] = [{"PolicyName": policy.name, "PolicyArn": policy.arn} for policy in page]
    return _listing("AttachedPolicies", members, page.marker)


def _create_policy(b: IamBackend, p: Mapping[str, str]) -> Result:
    policy = b.create_policy(
        _required(p, "PolicyName"),
        _required(p, "PolicyDocument"),
        path=p.get("Path", "/"),
        description=p.get("Description"),
    )
    return _policy(policy)


def _none(call: Callable[[IamBackend, Mapping[str, str]], object]) -> Callable[[IamBackend, Mapping[str, str]], Result]:
    def run(b: IamBackend, p: Mapping[str, str]) -> Result:
        call(b, p)
        return {}

    return run


OPERATIONS: dict[str, Callable[[IamBackend, Mapping[str, str]], Result]] = {
    "CreateRole": _create_role,
    "GetRole": lambda b, p: {"Role": _role(b.get_role(_required(p, "RoleName")))},
    "DeleteRole": _none(lambda b, p: b.delete_role(_required(p, "RoleName"))),
    "ListRoles": _list_roles,
    "UpdateAssumeRolePolicy": _none(
        lambda b, p: b.update_assume_role_policy(_required(p, "RoleName"), _required(p, "PolicyDocument"))
    ),
    "CreatePolicy": _create_policy,
    "GetPolicy": lambda b, p: _policy(b.get_policy(_required(p, "PolicyArn"))),
    "DeletePolicy": _none(lambda b, p: b.delete_policy(_required(p, "PolicyArn"))),
    "AttachRolePolicy": _none(lambda b, p: b.attach_role_policy(_required(p, "RoleName"), _required(p, "PolicyArn"))),
    "DetachRolePolicy": _none(lambda b, p: b.detach_role_policy(_required(p, "RoleName"), _required(p, "PolicyArn"))),
    "ListAttachedRolePolicies": _list_attached,
}
"""The IAM actions answered; each returns its result members (empty for actions with no result)."""

_READS = frozenset(action for action in OPERATIONS if action.startswith(("Get", "List")))


def respond(backend: IamBackend, action: str, params: Mapping[str, str], request_id: str) -> tuple[int, str]:
    """(HTTP status, XML body) of one IAM query-protocol request (`Action`/`Version` already taken out)."""
    handler = OPERATIONS.get(action)
    try:
        if handler is None:
            raise InvalidAction(f"Could not find operation {action or '(no Action)'} for version {IAM_VERSION}")
        result = handler(backend, params)
    except IamError as error:
        return error.status, render_error(error, request_id)
    return 200, result_document(IAM_XMLNS, action, result, request_id)


def render_error(error: IamError, request_id: str) -> str:
    """IAM's `ErrorResponse`; `Type` is `Receiver` for 5xx, `Sender` otherwise."""
    return error_document(IAM_XMLNS, error.status, error.code, error.message, request_id)


def _action(action: str) -> Callable[[IamResponses, Caller, dict[str, Any]], Result]:
    """The engine's method for one IAM action (named by `xform_name`, as `OperationTable` finds it)."""

    def method(self: IamResponses, caller: Caller, params: dict[str, Any]) -> Result:
        return self._run(action, caller, params)

    method.__name__ = xform_name(action)
    return method


class IamResponses(ServiceResponses):
    """The engine's IAM: the caller's account's roles and policies (permission policies are stored, not enforced)."""

    service = "iam"
    validates_input = False  # query parameters arrive as flat strings; `OPERATIONS` checks what it reads

    def __init__(self, iam: Iam) -> None:
        self._iam = iam

    def _run(self, action: str, caller: Caller, params: Mapping[str, str]) -> Result:
        backend = self._iam.backend(caller.account)
        try:
            result = OPERATIONS[action](backend, params)
        except IamError as error:
            raise ServiceFault(error.code, error.message, status=error.status) from None
        if action not in _READS:
            self._iam.save(backend)
        return result

    create_role = _action("CreateRole")
    get_role = _action("GetRole")
    delete_role = _action("DeleteRole")
    list_roles = _action("ListRoles")
    update_assume_role_policy = _action("UpdateAssumeRolePolicy")
    create_policy = _action("CreatePolicy")
    get_policy = _action("GetPolicy")
    delete_policy = _action("DeletePolicy")
    attach_role_policy = _action("AttachRolePolicy")
    detach_role_policy = _action("DetachRolePolicy")
    list_attached_role_policies = _action("ListAttachedRolePolicies")
