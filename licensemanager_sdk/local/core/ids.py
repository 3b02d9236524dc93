"""Ids, ARNs and time formats shared by every emulated service (service-specific ARNs live in their folders)."""

from __future__ import annotations

import functools
import math
import os
import re
import threading
from datetime import datetime, timedelta, timezone

__all__ = [
    "account_root_arn",
    "iso_ms",
    "iso_seconds",
    "iso_z",
    "months_between",
    "new_hex_id",
    "new_uuid",
    "parse_iso",
]

_ISO = re.compile(
    r"(-?(?:[1-9][0-9]*)?[0-9]{4})-(1[0-2]|0[1-9])-(3[0-1]|0[1-9]|[1-2][0-9])T(2[0-3]|[0-1][0-9]):([0-5][0-9]):([0-5][0-9])"
    r"(\.[0-9]+)?(Z|[+-](?:2[0-3]|[0-1][0-9]):[0-5][0-9])"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


_POOL_BYTES = 4096


class _EntropyPool:
    """`os.urandom` read 4 KiB at a time: one system call per 256 ids instead of one per id (on some VMs a
    `getrandom` call costs as much as the rest of a checkout). Emptied in a forked child, which must not repeat
    its parent's ids."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._lock = threading.Lock()
        self._buffer = b""
        self._offset = 0

    def take(self, count: int) -> bytes:
        with self._lock:
            if self._offset + count > len(self._buffer):
                self._buffer, self._offset = os.urandom(_POOL_BYTES), 0
            start = self._offset
            self._offset = start + count
            return self._buffer[start : start + count]


_ENTROPY = _EntropyPool()
if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_ENTROPY.reset)


def new_hex_id() -> str:
    """A random version-4 UUID as 32 lowercase hex characters (resource ids, consumption tokens)."""
    raw = bytearray(_ENTROPY.take(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw.hex()


def new_uuid() -> str:
    """A dashed random UUID (request ids, KMS key ids, token ids, JWT ids)."""
    h = new_hex_id()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def account_root_arn(account: str) -> str:
    """The principal ARN of an account."""
    return f"arn:aws:iam::{account}:root"


def _utc(ts: float) -> datetime:
    return _EPOCH + timedelta(seconds=ts)


def iso_ms(ts: float) -> str:
    """`YYYY-MM-DDTHH:MM:SS.sssZ` (License Manager Validity output)."""
    dt = _utc(ts)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_seconds(ts: float) -> str:
    """`YYYY-MM-DDTHH:MM:SS`, zone-less UTC (IssuedAt, Expiration)."""
    return _iso_second(math.floor(ts))


@functools.lru_cache(maxsize=4096)
def _iso_second(second: int) -> str:
    # every checkout formats its IssuedAt and Expiration: calls within a second share the text
    return _utc(second).strftime("%Y-%m-%dT%H:%M:%S")


def iso_z(ts: float) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` (DeletionDate, token ExpirationTime)."""
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    """Epoch seconds of an ISO8601DateTime input; ValueError when it is not one."""
    m = _ISO.fullmatch(text)
    if m is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, frac, zone = m.groups()
    dt = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=timezone.utc)
    ts = (dt - _EPOCH).total_seconds() + (float(frac) if frac else 0.0)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        ts -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return ts


def months_between(start: float, end: float) -> int:
    """Whole calendar months from `start` to `end` (0 when end < one month after start)."""
    a, b = _utc(start), _utc(end)
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if (b.day, b.time()) < (a.day, a.time()):
        months -= 1
    return max(months, 0)
