"""The call path's rules as pure functions, shared by the sync `Invoker` and the `AsyncInvoker`.

Validation, the ClientToken, the mapping of botocore's exceptions to the SDK's errors, the parse into the response
model and the redirect region: everything about a call except how it waits for the network.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from botocore import xform_name
from botocore.exceptions import ClientError, HTTPClientError, ParamValidationError
from botocore.exceptions import ConnectionError as BotoConnectionError
from pydantic import ValidationError

from licensemanager_sdk._core import fastparse as _fastparse
from licensemanager_sdk._core.operation import OperationSpec
from licensemanager_sdk._core.redact import redact, secret_members, secret_values
from licensemanager_sdk._exceptions import (
    RequestValidationError,
    ResponseValidationError,
    ServiceError,
    TransportError,
)
from licensemanager_sdk._generated._errors import ERRORS_BY_CODE
from licensemanager_sdk._models import RequestModel, ResponseMetadata, TopLevelResponse

__all__ = [
    "call_params",
    "page_params",
    "page_request",
    "parse",
    "redirect_region",
    "result_attribute",
    "sdk_error",
]

RequestT = TypeVar("RequestT", bound=RequestModel)
ResponseT = TypeVar("ResponseT", bound=TopLevelResponse)

_REGION_IN_LOCATION = re.compile(r"license-manager(?:-fips)?\.([a-z0-9-]+)\.amazonaws")


def call_params(
    client: Any, spec: OperationSpec[RequestT, ResponseT], request: RequestT | None, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The wire parameters of one logical call: validated, secrets checked, a ClientToken filled in once."""
    model = _request(spec, request, fields)
    params = model.to_wire() if model is not None else {}
    secrets = secret_members(spec.input_model)
    if secrets:
        _check_secrets(client, spec, params, secrets)
    member = spec.idempotency_member
    if member is not None and not params.get(member):
        params[member] = str(uuid.uuid4())  # once per logical call: every retry re-sends it
    return params


def page_request(spec: OperationSpec[RequestT, ResponseT], fields: Mapping[str, Any]) -> RequestT:
    """The validated request a paginator re-sends for every page (unset fields left out)."""
    base = _request(spec, None, {k: v for k, v in fields.items() if v is not None})
    assert base is not None and spec.result_key is not None
    return base


def page_params(base: RequestModel, token: str | None, size: int | None) -> dict[str, Any]:
    """The wire parameters of one page."""
    params = base.to_wire()
    if token:
        params["NextToken"] = token
    if size is not None:
        params["MaxResults"] = size
    return params


def result_attribute(spec: OperationSpec[Any, Any]) -> str:
    """The response model attribute holding a paginated operation's items."""
    assert spec.result_key is not None
    return xform_name(spec.result_key)


def sdk_error(
    spec: OperationSpec[Any, Any], params: Mapping[str, Any], err: Exception, attempts: int
) -> tuple[Exception, bool] | None:
    """The SDK error for what botocore raised in one attempt, and whether to chain botocore's exception as its cause;
    None for anything else (it propagates as it is)."""
    if isinstance(err, ClientError):
        return _service_error(spec.name, err, attempts, _secrets_of(spec, params)), True
    if isinstance(err, ParamValidationError):
        secrets = _secrets_of(spec, params)
        message = redact(str(err), secrets)
        return RequestValidationError(spec.name, _param_field(message), message), not secrets
    if isinstance(err, HTTPClientError | BotoConnectionError):
        return TransportError(spec.name, str(err), attempts=attempts), True
    return None


def parse(spec: OperationSpec[Any, ResponseT], raw: dict[str, Any], attempts: int) -> ResponseT:
    """The response model of a successful call (from the fast parser, else validated from botocore's dict)."""
    meta = raw.get("ResponseMetadata", {})
    metadata = ResponseMetadata(
        request_id=meta.get("RequestId") or None, http_status_code=meta.get("HTTPStatusCode"), attempts=attempts
    )
    model = raw.get(_fastparse.FAST_RESULT)
    if model is None:
        body = {k: v for k, v in raw.items() if k != "ResponseMetadata"}
        try:
            model = spec.output_model.model_validate(body)
        except ValidationError as err:
            raise ResponseValidationError(f"{spec.name}: the response did not fit {spec.output_model}: {err}") from err
    # The model was made for this call and is not shared yet: set the (excluded, frozen) field in place, no copy.
    object.__setattr__(model, "response_metadata", metadata)
    return cast("ResponseT", model)


def redirect_region(err: ServiceError | TransportError) -> str | None:
    """The home region named by a RedirectException, else None."""
    if not isinstance(err, ServiceError) or err.error_code != "RedirectException":
        return None
    found = _REGION_IN_LOCATION.search(err.member("Location") or "")
    return found.group(1) if found else None


def _request(
    spec: OperationSpec[RequestT, ResponseT], request: RequestT | None, fields: Mapping[str, Any]
) -> RequestT | None:
    if request is not None:
        if fields:
            raise TypeError(f"{spec.method}() takes a request model or keyword fields, not both")
        if not isinstance(request, spec.input_model or ()):
            raise TypeError(f"{spec.method}() expects a {getattr(spec.input_model, '__name__', None)}")
        return request
    if spec.input_model is None:
        return None
    try:
        return spec.input_model.model_validate(dict(fields))
    except ValidationError as err:
        raise _request_error(spec.name, err) from None


def _check_secrets(
    client: Any, spec: OperationSpec[Any, Any], params: dict[str, Any], secrets: Mapping[str, str]
) -> None:
    """Check secret members against the service model's pattern and length here, so the service never echoes one."""
    shape = client.meta.service_model.operation_model(spec.name).input_shape
    for wire, field in secrets.items():
        value = params.get(wire)
        member = shape.members.get(wire) if shape is not None else None
        if not isinstance(value, str) or member is None:
            continue
        pattern, longest = member.metadata.get("pattern"), member.metadata.get("max")
        if pattern is not None and re.fullmatch(pattern, value) is None:
            raise RequestValidationError(spec.name, field, f"must match ^{pattern}$ (value hidden)")
        if longest is not None and len(value) > longest:
            raise RequestValidationError(spec.name, field, f"must be at most {longest} characters (value hidden)")


def _secrets_of(spec: OperationSpec[Any, Any], params: Mapping[str, Any]) -> tuple[str, ...]:
    return secret_values(params, secret_members(spec.input_model))


def _service_error(operation: str, err: ClientError, attempts: int, secrets: tuple[str, ...] = ()) -> ServiceError:
    """The SDK error for a service error; secrets of the request the service echoed are redacted, in `err` too."""
    if secrets:
        _redact_in_place(cast("dict[str, Any]", err.response), secrets)
        _redact_in_place(cast("dict[str, Any]", err.response.get("Error", {})), secrets)
        err.args = tuple(redact(a, secrets) if isinstance(a, str) else a for a in err.args)
    response: dict[str, Any] = dict(err.response)
    error = response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    meta = response.get("ResponseMetadata", {})
    message = str(error.get("Message") or error.get("message") or "")
    cls = ERRORS_BY_CODE.get(code, ServiceError)
    if code == "RedirectException":
        location = response.get("Location") or error.get("Location")
        region = _REGION_IN_LOCATION.search(str(location or ""))
        where = f"region {region.group(1)}" if region else f"{location}"
        message = (
            f"{message} The resource lives in {where}: use a client for that region, "
            "or ClientConfig(follow_redirects=True)."
        ).strip()
    return cls(
        operation=operation,
        error_code=code,
        message=message,
        request_id=meta.get("RequestId"),
        status_code=meta.get("HTTPStatusCode"),
        attempts=attempts,
        response=response,
    )


def _redact_in_place(members: dict[str, Any], secrets: tuple[str, ...]) -> None:
    for key, value in members.items():
        if isinstance(value, str):
            members[key] = redact(value, secrets)


def _param_field(message: str) -> str:
    found = re.search(r"(?:parameter|in input|input): ?\"?([A-Za-z0-9_.\[\]]+)", message)
    return found.group(1) if found else "request"


def _request_error(operation: str, err: ValidationError) -> RequestValidationError:
    problems = []
    for item in err.errors(include_url=False):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in item["loc"]).lstrip(".")
        problems.append(f"{path}: {item['msg']}" if path else str(item["msg"]))
    # A model-level problem (unknown field or enum value deep down) carries its path at the start of its message.
    field = problems[0].split(":", 1)[0] if problems else "request"
    return RequestValidationError(operation, field, problems[0] if problems else "invalid", tuple(problems))
