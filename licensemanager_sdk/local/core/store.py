"""A small durable store: (kind, key) -> value, cached in memory, written through to SQLite as JSON rows.

A `Kind` names a table of values and says how they become JSON (`dump`) and back (`load`): typed kinds hold
frozen dataclasses, plain kinds hold JSON documents. Values are treated as immutable: change one by `put`-ting
a new value. Rows read from the file are loaded into their kind's type when first touched. Every change inside a
`transaction()` is committed to SQLite in one transaction when the block ends, or undone on error.

The SQLite file is in WAL mode with `synchronous=NORMAL`: a commit appends to the WAL and returns without
fsync (a killed process loses nothing committed). SQLite's automatic checkpoint is off on the writer
connection, because it copies the WAL into the database file with fsyncs inside whichever commit crosses
the threshold (and so inside the engine lock). A daemon thread checkpoints instead, on its own connection,
with `wal_checkpoint(PASSIVE)`, which never blocks the writer.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .statefile import create_private

__all__ = ["Doc", "Kind", "KindMapping", "Store", "document_kind"]

Doc = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Kind(Generic[T]):
    """A table of the store: its name (the `kind` column) and its values' JSON codec."""

    name: str
    load: Callable[[Any], T]
    dump: Callable[[T], Any]


def _same(value: Any) -> Any:
    return value


def document_kind(name: str) -> Kind[Doc]:
    """A kind whose values are JSON documents as they are."""
    return Kind(name, _same, _same)


class _Row:
    """A value read from the file, not yet loaded into its kind's type."""

    __slots__ = ("json",)

    def __init__(self, json_value: Any) -> None:
        self.json = json_value


_ABSENT: Any = object()

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS docs "
    "(kind TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, key))"
)

#: The background checkpoint runs this often, or sooner after this many commits.
CHECKPOINT_INTERVAL_S = 1.0
CHECKPOINT_EVERY_COMMITS = 1000
#: Past this many WAL frames (4 KiB pages) after a checkpoint, the next one finishes while commits wait, so
#: that the WAL can restart from its beginning (it only does when fully copied back) and stays bounded.
WAL_RESTART_FRAMES = 4096


class _Checkpointer:
    """Checkpoints a WAL database from a daemon thread on a second connection, off the writer's path."""

    def __init__(self, path: str, write_lock: threading.Lock) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._write_lock = write_lock
        self._wake = threading.Event()
        self._stopped = False
        self._pending = 0
        #: Completed checkpoint calls (for tests and diagnostics).
        self.runs = 0
        self._thread = threading.Thread(target=self._run, name="licensemanager-sqlite-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """Called after each commit (under the write lock)."""
        self._pending += 1
        if self._pending == CHECKPOINT_EVERY_COMMITS:
            self._wake.set()

    def stop(self) -> None:
        """Stop the thread (after a checkpoint in progress) and close its connection."""
        if self._stopped:
            return
        self._stopped = True
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
        self._conn.close()

    def _run(self) -> None:
        while True:
            self._wake.wait(CHECKPOINT_INTERVAL_S)
            self._wake.clear()
            if self._stopped:
                return
            if self._pending == 0:
                continue
            with self._write_lock:
                self._pending = 0
            try:
                _, frames, _ = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if frames >= WAL_RESTART_FRAMES:
                    with self._write_lock:  # only what was committed during the first pass is left to copy
                        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error:
                continue  # busy or closing: the next round checkpoints
            self.runs += 1


class Store:
    """Documents by kind, in creation order. Not thread-safe: the engine serialises access."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._kinds: dict[str, dict[str, Any]] = {}
        self._seq: dict[tuple[str, str], int] = {}
        self._next_seq = 1
        self._undo: dict[tuple[str, str], Any] = {}
        self._dumps: dict[str, Callable[[Any], Any]] = {}
        #: Incremented whenever changes are undone (derived in-memory indexes use it to know they are stale).
        self.rollbacks = 0
        self._conn: sqlite3.Connection | None = None
        self._write_lock = threading.Lock()
        self._checkpointer: _Checkpointer | None = None
        if path is not None:
            create_private(os.fspath(path))  # 0600: the state holds private keys
            self._conn = sqlite3.connect(os.fspath(path), check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA wal_autocheckpoint=0")
            self._conn.execute(_SCHEMA)
            for kind, key, seq, body in self._conn.execute("SELECT kind, key, seq, body FROM docs ORDER BY seq"):
                self._kinds.setdefault(kind, {})[key] = _Row(json.loads(body))
                self._seq[(kind, key)] = seq
                self._next_seq = max(self._next_seq, seq + 1)
            self._checkpointer = _Checkpointer(os.fspath(path), self._write_lock)
            weakref.finalize(self, self._checkpointer.stop)

    def get(self, kind: Kind[T], key: str) -> T | None:
        """The value, or None."""
        bucket = self._kinds.get(kind.name)
        if bucket is None:
            return None
        value = bucket.get(key)
        if type(value) is _Row:
            value = bucket[key] = kind.load(value.json)
        return value

    def values(self, kind: Kind[T]) -> Iterator[T]:
        """All values of a kind, oldest first (a snapshot: safe to `put` while iterating)."""
        return (value for _, value in self.items(kind))

    def items(self, kind: Kind[T]) -> Iterator[tuple[str, T]]:
        """All (key, value) pairs of a kind, oldest first (a snapshot, like `values`)."""
        bucket = self._kinds.get(kind.name, {})
        for key, value in bucket.items():
            if type(value) is _Row:
                bucket[key] = kind.load(value.json)
        return iter(list(bucket.items()))

    def position(self, kind: Kind[Any], key: str) -> int | None:
        """A stored value's creation position: unique and increasing across kinds, kept by `put` (the order of
        List* results and the key keyset pagination resumes after); None when absent."""
        if key not in self._kinds.get(kind.name, {}):
            return None
        return self._seq.get((kind.name, key))

    @property
    def changed(self) -> bool:
        """Whether the current transaction has changed anything so far."""
        return bool(self._undo)

    def count(self, kind: Kind[Any]) -> int:
        """Number of values of a kind."""
        return len(self._kinds.get(kind.name, {}))

    def put(self, kind: Kind[T], key: str, value: T) -> None:
        """Create or replace a value (keeps its creation position)."""
        self._dumps[kind.name] = kind.dump
        bucket = self._kinds.setdefault(kind.name, {})
        ref = (kind.name, key)
        if ref not in self._undo:
            self._undo[ref] = bucket.get(key, _ABSENT)
        if ref not in self._seq:
            self._seq[ref] = self._next_seq
            self._next_seq += 1
        bucket[key] = value

    def delete(self, kind: Kind[Any], key: str) -> None:
        """Remove a value if present."""
        bucket = self._kinds.get(kind.name, {})
        ref = (kind.name, key)
        if key not in bucket:
            return
        if ref not in self._undo:
            self._undo[ref] = bucket[key]
        del bucket[key]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit the block's changes durably on success; restore the cache on any exception."""
        self._undo = {}
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        self._commit()

    def clear(self) -> None:
        """Drop every document (durably)."""
        self._kinds.clear()
        self._seq.clear()
        self._undo = {}
        if self._conn is not None:
            with self._write_lock:
                self._conn.execute("DELETE FROM docs")
                if self._checkpointer is not None:
                    self._checkpointer.committed()

    @property
    def checkpoints(self) -> int:
        """Background checkpoints completed so far (0 without a file)."""
        return self._checkpointer.runs if self._checkpointer is not None else 0

    def close(self) -> None:
        """Stop the checkpoint thread and close the SQLite connections (the last close checkpoints the WAL)."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _commit(self) -> None:
        changed, self._undo = self._undo, {}
        if not changed:
            return
        rows, gone = [], []
        for kind, key in changed:
            doc = self._kinds.get(kind, {}).get(key, _ABSENT)
            if doc is _ABSENT:
                gone.append((kind, key))
            elif self._conn is not None:
                body = self._dumps[kind](doc)
                rows.append((kind, key, self._seq[(kind, key)], json.dumps(body, separators=(",", ":"))))
        if self._conn is None:
            for ref in gone:
                self._seq.pop(ref, None)
            return
        conn = self._conn
        with self._write_lock:
            conn.execute("BEGIN")
            try:
                if rows:
                    conn.executemany("INSERT OR REPLACE INTO docs (kind, key, seq, body) VALUES (?, ?, ?, ?)", rows)
                if gone:
                    conn.executemany("DELETE FROM docs WHERE kind = ? AND key = ?", gone)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                self._undo = changed
                self._rollback()
                raise
            if self._checkpointer is not None:
                self._checkpointer.committed()
        for ref in gone:
            self._seq.pop(ref, None)

    def _rollback(self) -> None:
        if self._undo:
            self.rollbacks += 1
        for (kind, key), old in self._undo.items():
            bucket = self._kinds.setdefault(kind, {})
            if old is _ABSENT:
                bucket.pop(key, None)
                self._seq.pop((kind, key), None)
            else:
                bucket[key] = old
        self._undo = {}


class KindMapping(MutableMapping[str, T]):
    """One kind of a store as a mapping (key -> value): reads, `put`s and deletes go to the store."""

    def __init__(self, store: Store, kind: Kind[T]) -> None:
        self._store = store
        self._kind = kind

    def __getitem__(self, key: str) -> T:
        value = self._store.get(self._kind, key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: T) -> None:
        self._store.put(self._kind, key, value)

    def __delitem__(self, key: str) -> None:
        if self._store.get(self._kind, key) is None:
            raise KeyError(key)
        self._store.delete(self._kind, key)

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self._store.items(self._kind))

    def __len__(self) -> int:
        return self._store.count(self._kind)
