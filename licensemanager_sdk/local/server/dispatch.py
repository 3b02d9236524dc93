"""`Dispatcher.handle_http`: one HTTP request in, one `Answer` out.

The HTTP server and the in-process `before-send` attachment both call this, so they answer the same bytes.
Order of work for an AWS call: route (X-Amz-Target / awsQuery Action) -> identity (SigV4 credential scope)
-> decode body -> implemented? -> injected latency and "before" faults -> engine -> "after" faults -> encode.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from ..core.faults import NOT_IMPLEMENTED_CODE, SERIALIZATION_CODE, UNKNOWN_OPERATION_CODE, ServiceFault, status_for
from ..core.ids import new_uuid
from ..core.model import operations, service_model
from ..core.query import namespace_of
from ..engine import Caller, Engine
from ..services import QUERY_SERVICES, json_targets
from . import control as _control
from . import control_marketplace as _marketplace
from .injection import FaultBoard, FaultRule
from .routing import unsigned_allowed
from .wire import (
    DEFAULT_ACCOUNT,
    KMS,
    LICENSE_MANAGER,
    Answer,
    IdentityError,
    account_for_key,
    decode_form,
    decode_json_object,
    json_error,
    json_success,
    parse_identity,
    query_error,
    query_success,
)

__all__ = ["CONTROL_PREFIX", "TEMPORARY_KEY_PREFIX", "Dispatcher", "injected_fault"]

CONTROL_PREFIX = "/_local/"
_CORAL = "com.amazon.coral.service#"
_log = logging.getLogger("licensemanager_sdk.local")

#: Access key ids of temporary credentials (STS role sessions) start with this.
TEMPORARY_KEY_PREFIX = "ASIA"
# The AWS-wide auth errors as query services (STS, IAM) word them: (code, HTTP status).
_QUERY_AUTH_ERRORS = {
    "UnrecognizedClientException": ("InvalidClientTokenId", 403),
    "ExpiredTokenException": ("ExpiredToken", 403),
}

# Server-side codes of KMS and STS (License Manager's come from `status_for`).
_SERVER_CODES = {"KMSInternalException": 500, "InternalFailure": 500, "InternalError": 500, "ServiceUnavailable": 503}


def injected_fault(rule: FaultRule, operation: str, *, legacy_status_codes: bool = False) -> ServiceFault:
    """The ServiceFault an injected rule answers; its HTTP status comes from the engine's code table."""
    message = rule.message or f"Injected fault {rule.error} for {operation} (licensemanager_sdk.local)."
    status = _SERVER_CODES.get(rule.error) or status_for(rule.error, legacy=legacy_status_codes)
    return ServiceFault(rule.error, message, status=status)


class _Refused(Exception):
    """A request refused before it reaches the engine (bad or missing signature)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class Dispatcher:
    """Routes requests to the engine (AWS calls) or to the control endpoints (`/_local/...`)."""

    def __init__(self, engine: Engine, faults: FaultBoard, default_region: str, state_path: str | None = None) -> None:
        self.engine = engine
        self.faults = faults
        self.default_region = default_region
        self.state_path = state_path

    def handle_http(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        """Answer one request. Never raises: a bug in the emulator answers 500 `InternalFailure` (and is logged)."""
        request_id = new_uuid()
        try:
            if path.startswith(CONTROL_PREFIX):
                if _marketplace.owns(path):  # needs the headers (Content-Type)
                    return _marketplace.handle(self, method, path, headers, body, request_id)
                return _control.handle(self, method, path, body, request_id)
            return self._handle_aws(method, path, headers, body, request_id)
        except Exception as exc:
            _log.exception("licensemanager_sdk.local: unexpected error answering %s %s", method, path)
            return json_error(
                LICENSE_MANAGER,
                500,
                "InternalFailure",
                f"Bug in licensemanager_sdk.local: {type(exc).__name__}: {exc}",
                request_id,
                namespace=_CORAL,
            )

    # -- AWS calls ---------------------------------------------------------------------------------

    def _handle_aws(
        self, method: str, path: str, raw_headers: Mapping[str, str], body: bytes, request_id: str
    ) -> Answer:
        query = ""
        if "?" in path:
            path, query = path.split("?", 1)
        if path != "/":
            return json_error(
                LICENSE_MANAGER,
                404,
                "NotFound",
                f"No resource at {path}: AWS calls are POST / and control calls are under {CONTROL_PREFIX}.",
                request_id,
                namespace=_CORAL,
            )
        if method != "POST":
            answer = json_error(
                LICENSE_MANAGER,
                405,
                "MethodNotAllowed",
                f"{method} / is not allowed: AWS calls are POST /.",
                request_id,
                namespace=_CORAL,
            )
            answer.headers["Allow"] = "POST"
            return answer

        headers = {key.lower(): value for key, value in raw_headers.items()}
        target = headers.get("x-amz-target")
        if target is None:
            query_service = _query_service(headers, body)
            if query_service is not None:
                return self._handle_query(query_service, headers, query, body, request_id)

        service, operation = _route_json(target)
        if service is None or operation not in operations(service):
            shown = service or LICENSE_MANAGER
            named = target if target else "(missing X-Amz-Target header)"
            return json_error(
                shown,
                400,
                UNKNOWN_OPERATION_CODE,
                f"Unknown operation {named}: expected X-Amz-Target "
                + " or ".join(f"'{prefix}.<Operation>'" for prefix in json_targets())
                + ".",
                request_id,
                namespace=_CORAL if service != KMS else "",
            )

        try:
            caller = self._caller(service, operation, headers, query)
        except _Refused as refused:
            return json_error(service, refused.status, refused.code, refused.message, request_id, namespace="")
        try:
            params = decode_json_object(body)
        except ValueError as exc:
            return json_error(
                service,
                400,
                SERIALIZATION_CODE,
                f"The request body of {operation} is not a JSON object: {exc}",
                request_id,
                namespace=_CORAL if service == LICENSE_MANAGER else "",
            )
        try:
            result = self._call(service, operation, params, caller)
        except ServiceFault as fault:
            return json_error(service, fault.status, fault.code, fault.message, request_id, fault.extra)
        return json_success(result, request_id)

    def _handle_query(self, service: str, headers: dict[str, str], query: str, body: bytes, request_id: str) -> Answer:
        """An awsQuery call (STS, IAM): `Action=<Operation>` form body in, XML document in its namespace out."""
        model = service_model(service)
        namespace = namespace_of(model.endpoint_prefix, model.api_version)
        try:
            form = decode_form(body)
        except UnicodeDecodeError:
            message = "The request body is not UTF-8 form data."
            return query_error(namespace, 400, "MalformedQueryString", message, request_id)
        operation = form.pop("Action", "")
        form.pop("Version", None)
        if operation not in operations(service):
            return query_error(
                namespace,
                400,
                "InvalidAction",
                f"Could not find operation {operation or '(no Action)'} for version {model.api_version}",
                request_id,
            )
        try:
            caller = self._caller(service, operation, headers, query)
        except _Refused as refused:
            code, status = _QUERY_AUTH_ERRORS.get(refused.code, (refused.code, refused.status))
            return query_error(namespace, status, code, refused.message, request_id)
        try:
            result = self._call(service, operation, dict(form), caller)
        except ServiceFault as fault:
            return query_error(namespace, fault.status, fault.code, fault.message, request_id)
        return query_success(namespace, operation, result, request_id)

    def _caller(self, service: str, operation: str, headers: dict[str, str], query: str) -> Caller:
        """The caller from the SigV4 credential scope; temporary (`ASIA`) keys act as the role session the
        emulator issued them for. Raises `_Refused` for an unusable or missing signature or session token."""
        query_params = parse_qs(query) if query else {}
        query_credential = query_params.get("X-Amz-Credential", [None])[0]
        try:
            identity = parse_identity(headers.get("authorization"), query_credential, headers.get("x-amz-region-set"))
        except IdentityError as exc:
            raise _Refused(400, "IncompleteSignatureException", str(exc)) from None
        if identity is None:
            if unsigned_allowed(service, operation):
                return Caller(DEFAULT_ACCOUNT, self.default_region, anonymous=True)
            raise _Refused(
                403,
                "MissingAuthenticationTokenException",
                f"Missing Authentication Token: {operation} must be signed with AWS Signature Version 4 "
                "(an Authorization header with Credential=<access-key-id>/<date>/<region>/<service>/aws4_request).",
            )
        region = identity.region or self.default_region
        if not identity.access_key_id.startswith(TEMPORARY_KEY_PREFIX):
            return Caller(account_for_key(identity.access_key_id), region)
        session_token = headers.get("x-amz-security-token") or query_params.get("X-Amz-Security-Token", [None])[0]
        try:
            role = self.engine.assumed_role(identity.access_key_id, session_token)
        except ServiceFault as refused:
            raise _Refused(refused.status, refused.code, refused.message) from None
        return Caller(role.account, region, arn=role.arn, user_id=role.assumed_role_id)

    def _call(self, service: str, operation: str, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        """Implemented?, latency, "before" faults, the engine, then "after" faults. Raises ServiceFault."""
        if not self.engine.implements(service, operation):
            raise ServiceFault(
                NOT_IMPLEMENTED_CODE,
                f"{operation} is an operation of {service} that licensemanager_sdk.local does not implement "
                "(see docs/local.md for the implemented operations).",
                status=400,
            )
        faults = self.faults
        if faults.active:
            delay = faults.latency_seconds(service, operation)
            if delay > 0:
                time.sleep(delay)  # outside the engine's lock: other calls proceed meanwhile
            rule = faults.take(service, operation, "before")
            if rule is not None:
                raise injected_fault(rule, operation, legacy_status_codes=self.engine.settings.legacy_status_codes)
        result = self.engine.handle(service, operation, params, caller)
        if faults.active:
            rule = faults.take(service, operation, "after")
            if rule is not None:
                raise injected_fault(rule, operation, legacy_status_codes=self.engine.settings.legacy_status_codes)
        return result


def _route_json(target: str | None) -> tuple[str | None, str]:
    if not target:
        return None, ""
    prefix, _, operation = target.partition(".")
    return json_targets().get(prefix), operation


def _query_service(headers: Mapping[str, str], body: bytes) -> str | None:
    """The query service an awsQuery request is for (form-encoded, an `Action=` body, or a query service's
    credential scope): the service its credential scope names, else the first registered (STS); None when the
    request is not an awsQuery one."""
    authorization = headers.get("authorization", "")
    named = next((s for s in QUERY_SERVICES if f"/{s}/aws4_request" in authorization), None)
    if named is not None:
        return named
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded") or body.startswith(b"Action="):
        return QUERY_SERVICES[0]
    return None
