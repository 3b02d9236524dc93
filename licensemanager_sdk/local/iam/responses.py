"""IAM's query protocol: form parameters (as botocore sends them) to `IamBackend` calls, answers to XML.

`respond(backend, action, params, request_id)` returns `(status, xml)` for success and error alike; `render_error`
renders one `IamError`. Policy documents go out URL-encoded, as IAM sends them (botocore decodes them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from urllib.parse import quote
from xml.sax.saxutils import escape

from .backend import IamBackend
from .exceptions import IamError, InvalidAction, ValidationError
from .models import ManagedPolicy, Role

__all__ = ["IAM_VERSION", "IAM_XMLNS", "OPERATIONS", "render_error", "respond"]

IAM_VERSION = "2010-05-08"
IAM_XMLNS = f"https://iam.amazonaws.com/doc/{IAM_VERSION}/"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tags(**members: object) -> str:
    return "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in members.items() if v is not None)


def _role(role: Role) -> str:
    return "<Role>" + _role_members(role) + "</Role>"


def _role_members(role: Role) -> str:
    return _tags(
        Path=role.path,
        RoleName=role.name,
        RoleId=role.role_id,
        Arn=role.arn,
        CreateDate=_iso(role.create_date),
        AssumeRolePolicyDocument=quote(role.assume_role_policy_document, safe=""),
        Description=role.description,
        MaxSessionDuration=role.max_session_duration,
    )


def _policy(policy: ManagedPolicy) -> str:
    return (
        "<Policy>"
        + _tags(
            PolicyName=policy.name,
            DefaultVersionId=policy.default_version_id,
            PolicyId=policy.policy_id,
            Path=policy.path,
            Arn=policy.arn,
            AttachmentCount=policy.attachment_count,
            PermissionsBoundaryUsageCount=0,
            IsAttachable="true",
            Description=policy.description,
            CreateDate=_iso(policy.create_date),
            UpdateDate=_iso(policy.create_date),
        )
        + "</Policy>"
    )


def _listing(name: str, members: list[str], marker: str | None) -> str:
    body = f"<{name}>" + "".join(f"<member>{m}</member>" for m in members) + f"</{name}>"
    truncated = "true" if marker else "false"
    return body + f"<IsTruncated>{truncated}</IsTruncated>" + _tags(Marker=marker)


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


def _create_role(b: IamBackend, p: Mapping[str, str]) -> str:
    role = b.create_role(
        _required(p, "RoleName"),
        _required(p, "AssumeRolePolicyDocument"),
        path=p.get("Path", "/"),
        max_session_duration=_int(p, "MaxSessionDuration"),
        description=p.get("Description"),
    )
    return _role(role)


def _list_roles(b: IamBackend, p: Mapping[str, str]) -> str:
    page = b.list_roles(path_prefix=p.get("PathPrefix", "/"), marker=p.get("Marker"), max_items=_int(p, "MaxItems"))
    return _listing("Roles", [_role_members(r) for r in page], page.marker)


def _list_attached(b: IamBackend, p: Mapping[str, str]) -> str:
    page = b.list_attached_role_policies(
        _required(p, "RoleName"),
        path_prefix=p.get("PathPrefix", "/"),
        marker=p.get("Marker"),
        max_items=_int(p, "MaxItems"),
    )
    members = [_tags(PolicyName=policy.name, PolicyArn=policy.arn) for policy in page]
    return _listing("AttachedPolicies", members, page.marker)


def _create_policy(b: IamBackend, p: Mapping[str, str]) -> str:
    policy = b.create_policy(
        _required(p, "PolicyName"),
        _required(p, "PolicyDocument"),
        path=p.get("Path", "/"),
        description=p.get("Description"),
    )
    return _policy(policy)


def _none(call: Callable[[IamBackend, Mapping[str, str]], object]) -> Callable[[IamBackend, Mapping[str, str]], None]:
    def run(b: IamBackend, p: Mapping[str, str]) -> None:
        call(b, p)

    return run


OPERATIONS: dict[str, Callable[[IamBackend, Mapping[str, str]], str | None]] = {
    "CreateRole": _create_role,
    "GetRole": lambda b, p: _role(b.get_role(_required(p, "RoleName"))),
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
"""The IAM actions answered; each returns its `<...Result>` content, or None for actions with no result."""


def respond(backend: IamBackend, action: str, params: Mapping[str, str], request_id: str) -> tuple[int, str]:
    """(HTTP status, XML body) of one IAM query-protocol request (`Action`/`Version` already taken out)."""
    handler = OPERATIONS.get(action)
    try:
        if handler is None:
            raise InvalidAction(f"Could not find operation {action or '(no Action)'} for version {IAM_VERSION}")
        result = handler(backend, params)
    except IamError as error:
        return error.status, render_error(error, request_id)
    inner = "" if result is None else f"<{action}Result>{result}</{action}Result>"
    metadata = f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
    return 200, f'<{action}Response xmlns="{IAM_XMLNS}">{inner}{metadata}</{action}Response>'


def render_error(error: IamError, request_id: str) -> str:
    """IAM's `ErrorResponse`; `Type` is `Receiver` for 5xx, `Sender` otherwise."""
    kind = "Receiver" if error.status >= 500 else "Sender"
    return (
        f'<ErrorResponse xmlns="{IAM_XMLNS}"><Error><Type>{kind}</Type><Code>{escape(error.code)}</Code>'
        f"<Message>{escape(error.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
