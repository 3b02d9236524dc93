"""The one call path. Every request goes validate -> ClientToken -> retry -> translate errors -> parse, here.

This is the only module that calls boto3 client methods.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from botocore import xform_name
from botocore.exceptions import ClientError, HTTPClientError, ParamValidationError
from botocore.exceptions import ConnectionError as BotoConnectionError
from pydantic import ValidationError

from licensemanager_sdk._config import RetryConfig
from licensemanager_sdk._core import fastparse as _fastparse
from licensemanager_sdk._core.operation import OperationSpec
from licensemanager_sdk._core.redact import redact, secret_members, secret_values
from licensemanager_sdk._core.retry import build_retrying, is_retryable
from licensemanager_sdk._exceptions import (
    RequestValidationError,
    ResponseValidationError,
    ServiceError,
    TransportError,
)
from licensemanager_sdk._generated._errors import ERRORS_BY_CODE
from licensemanager_sdk._models import RequestModel, ResponseMetadata, TopLevelResponse
from licensemanager_sdk.pagination import Page, Paginator

__all__ = ["Invoker"]

RequestT = TypeVar("RequestT", bound=RequestModel)
ResponseT = TypeVar("ResponseT", bound=TopLevelResponse)

_REGION_IN_LOCATION = re.compile(r"license-manager(?:-fips)?\.([a-z0-9-]+)\.amazonaws")


class Invoker:
    """Sends operations through one boto3 client with the SDK's retry, idempotency and error rules."""

    def __init__(
        self,
        client: Any,
        retry: RetryConfig,
        *,
        fast: bool,
        redirect: Callable[[str], Any] | None = None,
    ) -> None:
        self._client = client
        self._retry = retry
        self._fast = fast
        self._redirect = redirect

    def call(
        self, spec: OperationSpec[RequestT, ResponseT], request: RequestT | None, fields: Mapping[str, Any]
    ) -> ResponseT:
        """Validate, send (with retries) and parse one operation."""
        model = self._request(spec, request, fields)
        params = model.to_wire() if model is not None else {}
        secrets = secret_members(spec.input_model)
        if secrets:
            self._check_secrets(spec, params, secrets)
        member = spec.idempotency_member
        if member is not None and not params.get(member):
            params[member] = str(uuid.uuid4())  # once per logical call: every retry re-sends it
        return self._send(self._client, spec, params)

    def paginate(
        self,
        spec: OperationSpec[RequestT, ResponseT],
        fields: Mapping[str, Any],
        *,
        page_size: int | None,
        max_items: int | None,
        starting_token: str | None,
    ) -> Paginator[Any, ResponseT]:
        """A lazy paginator over `spec`; the request is validated now, nothing is sent until iteration."""
        base = self._request(spec, None, {k: v for k, v in fields.items() if v is not None})
        assert base is not None and spec.result_key is not None
        attribute = xform_name(spec.result_key)

        def fetch(token: str | None, size: int | None) -> Page[Any, ResponseT]:
            params = base.to_wire()
            if token:
                params["NextToken"] = token
            if size is not None:
                params["MaxResults"] = size
            response = self._send(self._client, spec, params)
            items = getattr(response, attribute)
            return Page(items, getattr(response, "next_token", None), response)

        return Paginator(fetch, page_size=page_size, max_items=max_items, starting_token=starting_token)

    def _request(
        self, spec: OperationSpec[RequestT, ResponseT], request: RequestT | None, fields: Mapping[str, Any]
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

    def _check_secrets(self, spec: OperationSpec[Any, Any], params: dict[str, Any], secrets: Mapping[str, str]) -> None:
        """Check secret members against the service model's pattern and length here, so the service never echoes one."""
        shape = self._client.meta.service_model.operation_model(spec.name).input_shape
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

    def _send(self, client: Any, spec: OperationSpec[RequestT, ResponseT], params: dict[str, Any]) -> ResponseT:
        method = getattr(client, spec.method)
        attempts = 0

        def attempt() -> dict[str, Any]:
            nonlocal attempts
            attempts += 1
            try:
                if self._fast:
                    with _fastparse.fast_calls():
                        return cast("dict[str, Any]", method(**params))
                return cast("dict[str, Any]", method(**params))
            except ClientError as err:
                raise _service_error(spec.name, err, attempts, _secrets_of(spec, params)) from err
            except ParamValidationError as err:
                secrets = _secrets_of(spec, params)
                message = redact(str(err), secrets)
                raise RequestValidationError(spec.name, _param_field(message), message) from None if secrets else err
            except (HTTPClientError, BotoConnectionError) as err:
                raise TransportError(spec.name, str(err), attempts=attempts) from err

        def replay_first_then_attempt() -> dict[str, Any]:
            if failures:
                raise failures.pop()  # tenacity counts the first attempt's failure as its attempt 1, then waits
            return attempt()

        failures: list[ServiceError | TransportError] = []
        try:
            try:
                raw = attempt()  # the common case pays for no retry machinery
            except (ServiceError, TransportError) as first:
                if self._retry.max_attempts == 1 or not is_retryable(first, replay_safe=spec.replay_safe):
                    raise
                failures.append(first)
                raw = build_retrying(self._retry, replay_safe=spec.replay_safe)(replay_first_then_attempt)
        except (ServiceError, TransportError) as err:
            err.attempts = attempts
            redirected = isinstance(err, ServiceError) and err.error_code == "RedirectException"
            if redirected and self._redirect is not None and client is self._client:
                region = _redirect_region(cast("ServiceError", err))
                if region is not None:
                    return self._send(self._redirect(region), spec, params)
            raise
        return _parse(spec, raw, attempts)


def _parse(spec: OperationSpec[Any, ResponseT], raw: dict[str, Any], attempts: int) -> ResponseT:
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


def _redirect_region(err: ServiceError) -> str | None:
    found = _REGION_IN_LOCATION.search(err.member("Location") or "")
    return found.group(1) if found else None


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
