"""The client-side CreateGrant rate control of a grant distribution: adaptive, or under a fixed ceiling."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["RateControl"]

_log = logging.getLogger("licensemanager_sdk")


class RateControl:
    """Client-side CreateGrant rate control: adaptive (`ceiling=None`) or under a fixed ceiling. Thread-safe.

    Every call first `acquire()`s; then reports `succeeded()` (answered at the first attempt) or `congested()` (it was
    throttled, or the client had to retry it). Decisions are taken on a congestion signal, at most once per `epoch`
    seconds (the first one `epoch` seconds into the run, so the measurements mean something), with `share` = the
    congested part of the calls completed since the previous decision:

    - uncapped (adaptive mode only): cap at `measured * (1 - share / 2)`, `measured` being the send rate over the
      last `window` seconds: half the measured rate when every call was congested;
    - capped: `rate *= 1 - share / 2`: the rate halves when every call was congested (as TCP halves its window),
      and is trimmed by 5% when one call in ten was; never below `floor`. Any saved burst is dropped.

    Between decisions a capped rate grows by `growth` (20%) per second, compounding, on each call answered at the first
    attempt: not above the ceiling in fixed mode; in adaptive mode, once the cap is twice the measured rate or more
    and no call was congested for `window` seconds, it is lifted (uncapped again). The clock and sleep are injectable.
    """

    def __init__(
        self,
        ceiling: float | None,
        *,
        burst: float,
        floor: float = 1.0,
        window: float = 1.0,
        epoch: float = 0.25,
        growth: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._ceiling = ceiling
        self._floor = floor if ceiling is None else min(floor, ceiling)
        self._window = window
        self._epoch = epoch
        self._growth = growth
        self._burst = max(1.0, burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()  # send times within the last window
        now = clock()
        self._started = now
        self._decided_at = now  # the last decision (the run's start before the first one)
        self._signal_at = -math.inf  # the last congestion signal
        self._grown_at = now  # the last growth step
        self._calls = 0  # calls completed since the last decision
        self._congested = 0  # ... of which congested
        self.rate: float | None = ceiling
        """The current cap in calls per second; None while uncapped (adaptive mode only)."""
        self._tokens = self._capacity()
        self._last = now

    def _capacity(self) -> float:
        return 1.0 if self.rate is None else max(1.0, min(self.rate, self._burst))

    def measured(self) -> float:
        """Calls sent per second over the last `window` seconds (over the run so far, if it is younger)."""
        with self._lock:
            return self._measured(self._clock())

    def _measured(self, now: float) -> float:
        while self._sent and self._sent[0] <= now - self._window:
            self._sent.popleft()
        span = min(self._window, now - self._started)
        return len(self._sent) / span if span > 0 else 0.0

    def acquire(self) -> None:
        """Wait (outside the lock) until a call may be sent; record the send."""
        while (wait := self.reserve()) > 0.0:
            self._sleep(wait)

    def reserve(self) -> float:
        """0 when a call may be sent now (the send is recorded), else the seconds to wait before asking again
        (the async run awaits them)."""
        with self._lock:
            now = self._clock()
            if self.rate is not None:
                self._tokens = min(self._capacity(), self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens < 1.0 - 1e-9:  # float dust must not leave us sleeping 0 s forever
                    return (1.0 - self._tokens) / self.rate
                self._tokens -= 1.0
            self._sent.append(now)
            self._measured(now)  # trims the window
            return 0.0

    def congested(self) -> None:
        """A call was throttled or retried: maybe cut the rate (at most once per epoch), dropping any saved burst."""
        with self._lock:
            now = self._clock()
            self._signal_at = now
            self._calls += 1
            self._congested += 1
            if now - self._decided_at < self._epoch:
                return
            share = self._congested / self._calls
            self._decided_at, self._calls, self._congested = now, 0, 0
            before = self.rate
            base = self._measured(now) if before is None else before
            after = max(self._floor, base * (1.0 - share / 2.0))
            self.rate = after
            self._tokens = min(self._tokens, 0.0)
            self._last = self._grown_at = now
        _log.debug(
            "grants.distribute: congestion (%.0f%% of calls), CreateGrant rate %s -> %.1f calls/s",
            100.0 * share,
            "uncapped" if before is None else f"{before:.1f}",
            after,
        )

    def succeeded(self) -> None:
        """A call went through at the first attempt: grow a capped rate; maybe lift an adaptive cap."""
        with self._lock:
            self._calls += 1
            if self.rate is None:
                return
            now = self._clock()
            rate = self.rate * (1.0 + self._growth * max(0.0, now - self._grown_at))
            self._grown_at = now
            if self._ceiling is not None:
                self.rate = min(self._ceiling, rate)
                return
            if now - self._signal_at < self._window or rate < 2.0 * self._measured(now):
                self.rate = rate
                return
            self.rate = None  # well above what the run asks for, and quiet for a window: uncapped again
        _log.debug("grants.distribute: no congestion for %.1f s, CreateGrant rate %.1f -> uncapped", self._window, rate)
