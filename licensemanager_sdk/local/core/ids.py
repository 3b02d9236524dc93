"""Ids, ARNs and time formats shared by every emulated service (service-specific ARNs live in their folders)."""

from __future__ import annotations

import re
import uuid
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


def new_hex_id() -> str:
    """32 lowercase hex characters."""
    return uuid.uuid4().hex


def new_uuid() -> str:
    """A dashed random UUID (KMS key ids, token ids, JWT ids)."""
    return str(uuid.uuid4())


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
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%S")


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
