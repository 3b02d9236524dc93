"""The tenacity loops of a call whose first attempt failed, waiting with the one `Backoff`.

Imported by the call paths only after a failed first attempt, so that a call that succeeds first time never loads
tenacity (or asyncio).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import tenacity

from licensemanager_sdk._config import RetryConfig
from licensemanager_sdk._core.backoff import Backoff
from licensemanager_sdk._core.retry import is_retryable
from licensemanager_sdk._exceptions import ServiceError

__all__ = ["build_async_retrying", "build_retrying"]

_log = logging.getLogger("licensemanager_sdk")


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
