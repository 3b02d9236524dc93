"""The one call path. Every request goes validate -> ClientToken -> retry -> translate errors -> parse, here.

This is the only module that calls boto3 client methods; the rules themselves are in `_core/policy.py`, shared with
the `AsyncInvoker` (`_core/async_invoke.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from licensemanager_sdk._config import RetryConfig
from licensemanager_sdk._core import fastparse as _fastparse
from licensemanager_sdk._core import policy
from licensemanager_sdk._core.operation import OperationSpec
from licensemanager_sdk._core.retry import retries_after
from licensemanager_sdk._exceptions import ServiceError, TransportError
from licensemanager_sdk._models import RequestModel, TopLevelResponse

if TYPE_CHECKING:
    from licensemanager_sdk.pagination import Page, Paginator

__all__ = ["Invoker"]

RequestT = TypeVar("RequestT", bound=RequestModel)
ResponseT = TypeVar("ResponseT", bound=TopLevelResponse)


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
        return self._send(self._client, spec, policy.call_params(self._client, spec, request, fields))

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
        from licensemanager_sdk.pagination import Page, Paginator  # loaded by the first listing, not by every client

        base = policy.page_request(spec, fields)
        attribute = policy.result_attribute(spec)

        def fetch(token: str | None, size: int | None) -> Page[Any, ResponseT]:
            response = self._send(self._client, spec, policy.page_params(base, token, size))
            return Page(getattr(response, attribute), getattr(response, "next_token", None), response)

        return Paginator(fetch, page_size=page_size, max_items=max_items, starting_token=starting_token)

    def _send(self, client: Any, spec: OperationSpec[RequestT, ResponseT], params: dict[str, Any]) -> ResponseT:
        method = getattr(client, spec.method)
        attempts = 0

        def attempt() -> dict[str, Any]:
            nonlocal attempts
            attempts += 1
            try:
                if self._fast:
                    with _fastparse.fast_calls(spec.output_model):
                        return cast("dict[str, Any]", method(**params))
                return cast("dict[str, Any]", method(**params))
            except Exception as err:
                mapped = policy.sdk_error(spec, params, err, attempts)
                if mapped is None:
                    raise
                raise mapped[0] from (err if mapped[1] else None)

        def replay_first_then_attempt() -> dict[str, Any]:
            if failures:
                raise failures.pop()  # tenacity counts the first attempt's failure as its attempt 1, then waits
            return attempt()

        failures: list[ServiceError | TransportError] = []
        try:
            try:
                raw = attempt()  # the common case pays for no retry machinery
            except (ServiceError, TransportError) as first:
                if not retries_after(first, self._retry, replay_safe=spec.replay_safe):
                    raise
                failures.append(first)
                from licensemanager_sdk._core.retrying import build_retrying  # lazy: tenacity loads on a first failure

                raw = build_retrying(self._retry, replay_safe=spec.replay_safe)(replay_first_then_attempt)
        except (ServiceError, TransportError) as err:
            err.attempts = attempts
            region = policy.redirect_region(err)
            if region is not None and self._redirect is not None and client is self._client:
                return self._send(self._redirect(region), spec, params)
            raise
        return policy.parse(spec, raw, attempts)
