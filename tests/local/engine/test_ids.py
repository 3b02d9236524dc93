"""Ids and time formats: random version-4 UUIDs from a pooled entropy source, never repeated (also after fork)."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

import pytest

from licensemanager_sdk.local.core import ids


def test_hex_ids_are_version_4_uuids_and_never_repeat() -> None:
    made = [ids.new_hex_id() for _ in range(3000)]  # spans several refills of the 4 KiB pool
    assert len(set(made)) == len(made)
    for value in made[:50]:
        parsed = uuid.UUID(value)
        assert (parsed.hex, parsed.version, parsed.variant) == (value, 4, uuid.RFC_4122)


def test_dashed_ids_are_uuid_strings() -> None:
    value = ids.new_uuid()
    assert str(uuid.UUID(value)) == value and uuid.UUID(value).version == 4


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    ids.new_hex_id()  # the pool holds unused bytes the child inherits
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, ",".join(ids.new_hex_id() for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = set(os.read(read, 4096).decode().split(","))
    os.close(read)
    parent = {ids.new_hex_id() for _ in range(5)}
    assert len(child) == 5 and not child & parent


@pytest.mark.parametrize("ts", [0, 0.999, 1696945150, 1696945150.5, 4102444800, -0.5])
def test_iso_seconds_is_the_second_the_timestamp_falls_in(ts: float) -> None:
    expected = datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    assert ids.iso_seconds(ts) == expected
    assert ids.iso_seconds(ts) == expected  # again, from the cache
