"""The one backoff: full jitter within the doubling ceiling, no-jitter schedules, Retry-After and deadline caps."""

from __future__ import annotations

import math

import pytest

from licensemanager_sdk import RetryConfig
from licensemanager_sdk._core.backoff import Backoff


def test_ceiling_doubles_from_initial_up_to_the_cap() -> None:
    backoff = Backoff(initial=0.5, cap=5.0)
    assert [backoff.ceiling(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert backoff.ceiling(10_000) == 5.0  # no overflow however long it has failed


def test_full_jitter_stays_within_the_ceiling_and_varies() -> None:
    backoff = Backoff(initial=1.0, cap=3.0)
    waits = [backoff.delay(3) for _ in range(200)]
    assert all(0.0 <= wait <= 3.0 for wait in waits)
    assert len(set(waits)) > 100


def test_without_jitter_the_wait_is_the_ceiling() -> None:
    assert [Backoff(initial=2.0, cap=60.0, jitter=False).delay(n) for n in range(1, 8)] == [
        2.0,
        4.0,
        8.0,
        16.0,
        32.0,
        60.0,
        60.0,
    ]


def test_retry_after_replaces_the_computed_wait_and_is_capped() -> None:
    backoff = Backoff(initial=0.5, cap=20.0)
    assert backoff.delay(1, retry_after=1.5) == 1.5
    assert backoff.delay(1, retry_after=999.0) == 20.0
    assert backoff.delay(4, retry_after=-3.0) == 0.0


def test_limit_keeps_a_wait_from_running_past_a_deadline() -> None:
    backoff = Backoff(initial=0.5, cap=5.0, jitter=False)
    assert backoff.delay(4, limit=2.5) == 2.5
    assert backoff.delay(4, limit=math.inf) == 4.0
    assert backoff.delay(4, limit=-1.0) == 0.0
    assert Backoff(initial=10.0, cap=10.0).delay(1, retry_after=8.0, limit=3.0) == 3.0


def test_from_config_is_the_clients_full_jitter() -> None:
    assert Backoff.from_config(RetryConfig(initial_backoff=1.0, max_backoff=3.0)) == Backoff(1.0, 3.0, jitter=True)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="initial <= cap"):
        Backoff(initial=5.0, cap=1.0)
    with pytest.raises(ValueError, match="attempt counts from 1"):
        Backoff(initial=1.0, cap=2.0).delay(0)
