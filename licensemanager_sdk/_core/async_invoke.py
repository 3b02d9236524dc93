"""The async call path: `Invoker`'s rules (`_core/policy.py`) with aiobotocore calls awaited and tenacity's
`AsyncRetrying`. The only module that calls aiobotocore client methods."""

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
    from licensemanager_sdk.pagination import AsyncPaginator, Page

__all__ = ["AsyncInvoker"]

RequestT = TypeVar("RequestT", bound=RequestModel)
ResponseT = TypeVar("ResponseT", bound=TopLevelResponse)


class AsyncInvoker:
    """Sends operations through one aiobotocore client with the SDK's retry, idempotency and error rules.

    Args:
        client: a `license-manager` aiobotocore client, or a callable returning it (the client of an
            `AsyncLicenseManager` exists only inside its `async with`).
        redirect: an awaitable factory of the client of another region (`ClientConfig.follow_redirects`).
    """

    def __init__(
        self,
        client: Callable[[], Any],
        retry: RetryConfig,
        *,
        fast: bool,
        redirect: Callable[[str], Any] | None = None,
    ) -> None:
        self._client = client
        self._retry = retry
        self._fast = fast
        self._redirect = redirect

    async def call(
        self, spec: OperationSpec[RequestT, ResponseT], request: RequestT | None, fields: Mapping[str, Any]
    ) -> ResponseT:
        """Validate, send (with retries) and parse one operation."""
        client = self._client()
        return await self._send(client, spec, policy.call_params(client, spec, request, fields), redirected=False)

    def paginate(
        self,
        spec: OperationSpec[RequestT, ResponseT],
        fields: Mapping[str, Any],
        *,
        page_size: int | None,
        max_items: int | None,
        starting_token: str | None,
    ) -> AsyncPaginator[Any, ResponseT]:
        """A lazy async paginator over `spec`; the request is validated now, nothing is sent until `async for`."""
        from licensemanager_sdk.pagination import AsyncPaginator, Page  # loaded by the first listing, as in `Invoker`

        base = policy.page_request(spec, fields)
        attribute = policy.result_attribute(spec)

        async def fetch(token: str | None, size: int | None) -> Page[Any, ResponseT]:
            params = policy.page_params(base, token, size)
            response = await self._send(self._client(), spec, params, redirected=False)
            return Page(getattr(response, attribute), getattr(response, "next_token", None), response)

        return AsyncPaginator(fetch, page_size=page_size, max_items=max_items, starting_token=starting_token)

    async def _send(
        self, client: Any, spec: OperationSpec[RequestT, ResponseT], params: dict[str, Any], *, redirected: bool
    ) -> ResponseT:
        method = getattr(client, spec.method)
        attempts = 0

        async def attempt() -> dict[str, Any]:
            nonlocal attempts
            attempts += 1
            try:
                if self._fast:
                    with _fastparse.fast_calls(spec.output_model):  # a context variable: marks this task's call only
                        return cast("dict[str, Any]", await method(**params))
                return cast("dict[str, Any]", await method(**params))
            except Exception as err:
                mapped = policy.sdk_error(spec, params, err, attempts)
                if mapped is None:
                    raise
                raise mapped[0] from (err if mapped[1] else None)

        async def replay_first_then_attempt() -> dict[str, Any]:
            if failures:
                raise failures.pop()  # tenacity counts the first attempt's failure as its attempt 1, then waits
            return await attempt()

        failures: list[ServiceError | TransportError] = []
        try:
            try:
                raw = await attempt()  # the common case pays for no retry machinery
            except (ServiceError, TransportError) as first:
                if not retries_after(first, self._retry, replay_safe=spec.replay_safe):
                    raise
                failures.append(first)
                from licensemanager_sdk._core.retrying import build_async_retrying  # lazy: tenacity on a failure

                retrying = build_async_retrying(self._retry, replay_safe=spec.replay_safe)
                raw = await retrying(replay_first_then_attempt)
        except (ServiceError, TransportError) as err:
            err.attempts = attempts
            region = policy.redirect_region(err)
            if region is not None and self._redirect is not None and not redirected:
                return await self._send(await self._redirect(region), spec, params, redirected=True)
            raise
        return policy.parse(spec, raw, attempts)
