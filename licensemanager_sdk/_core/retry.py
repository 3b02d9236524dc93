"""The retry policy: what is retried (`is_retryable`) and the tenacity loop that waits with the one `Backoff`."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import tenacity

from licensemanager_sdk._config import RetryConfig
from licensemanager_sdk._core.backoff import Backoff
from licensemanager_sdk._exceptions import ServiceError, TransportError

__all__ = ["build_async_retrying", "build_retrying", "is_retryable", "retries_after"]

_log = logging.getLogger("licensemanager_sdk")

THROTTLING_CODES = frozenset(
    {"RateLimitExceededException", "ThrottlingException", "Throttling", "TooManyRequestsException"}
)
"""Refused before any work: always safe to send again."""


def is_retryable(exc: BaseException, *, replay_safe: bool) -> bool:
    """Whether `exc` may be retried, for an operation whose replay is (or is not) harmless."""
    if isinstance(exc, ServiceError):
        if exc.error_code in THROTTLING_CODES:
            return True
        if exc.error_code == "ServerInternalException" or (exc.status_code or 0) >= 500:
            return replay_safe
        return False
    if isinstance(exc, TransportError):
        return replay_safe
    return False


def retries_after(first: ServiceError | TransportError, config: RetryConfig, *, replay_safe: bool) -> bool:
    """Whether a call whose first attempt failed with `first` goes on to the retry loop."""
    return config.max_attempts > 1 and is_retryable(first, replay_safe=replay_safe)


def _retry_after(exc: BaseException | None) -> float | None:
    """Seconds the service asked us to wait: `x-amz-retry-after` (milliseconds) or `retry-after` (seconds)."""
    if not isinstance(exc, ServiceError):
        return None
    headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    for name, scale in (("x-amz-retry-after", 1000.0), ("retry-after", 1.0)):
        if name in headers:
            try:
                return float(headers[name]) / scale
            except ValueError:
                return None
    return None


class _Wait(tenacity.wait.wait_base):
    """Tenacity's wait, computed by the client's `Backoff` (full jitter; a Retry-After header wins, capped)."""

    def __init__(self, config: RetryConfig) -> None:
        self._backoff = Backoff.from_config(config)

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        hinted = _retry_after(outcome.exception() if outcome is not None else None)
        return self._backoff.delay(retry_state.attempt_number, retry_after=hinted)


def _policy(config: RetryConfig, replay_safe: bool) -> dict[str, Any]:
    """What both loops share: attempts, the wait, what is retried; errors re-raised as they are (no `RetryError`)."""
    return {
        "stop": tenacity.stop_after_attempt(config.max_attempts),
        "wait": _Wait(config),
        "retry": tenacity.retry_if_exception(lambda exc: is_retryable(exc, replay_safe=replay_safe)),
        "reraise": True,
        "before_sleep": tenacity.before_sleep_log(_log, logging.DEBUG),
    }


def build_retrying(config: RetryConfig, *, replay_safe: bool) -> tenacity.Retrying:
    """A fresh `Retrying` for one logical call."""
    return tenacity.Retrying(sleep=config.sleep, **_policy(config, replay_safe))


def build_async_retrying(config: RetryConfig, *, replay_safe: bool) -> tenacity.AsyncRetrying:
    """A fresh `AsyncRetrying` for one logical call of the async client. The default `time.sleep` becomes
    `asyncio.sleep`; another `RetryConfig.sleep` (a test's recorder) is called as it is."""

    async def sleep(seconds: float) -> None:
        if config.sleep is time.sleep:
            await asyncio.sleep(seconds)
            return
        config.sleep(seconds)

    return tenacity.AsyncRetrying(sleep=sleep, **_policy(config, replay_safe))
