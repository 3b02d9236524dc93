"""The retry policy: what is retried (`is_retryable`) and whether a failed first attempt goes on to retry.

The tenacity loops that wait live in `_core/retrying.py`, imported only once a first attempt has failed.
"""

from __future__ import annotations

from licensemanager_sdk._config import RetryConfig
from licensemanager_sdk._exceptions import ServiceError, TransportError

__all__ = ["THROTTLING_CODES", "is_retryable", "retries_after"]

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
