"""A small durable document store: (kind, key) -> JSON object, cached in memory, written through to SQLite.

Documents are treated as immutable values: change one by `put`-ting a new dict. Every change inside a
`transaction()` is committed to SQLite in one transaction when the block ends, or undone on error.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Doc", "Store"]

Doc = dict[str, Any]

_ABSENT: Any = object()

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS docs "
    "(kind TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, key))"
)


class Store:
    """Documents by kind, in creation order. Not thread-safe: the engine serialises access."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._kinds: dict[str, dict[str, Doc]] = {}
        self._seq: dict[tuple[str, str], int] = {}
        self._next_seq = 1
        self._undo: dict[tuple[str, str], Any] = {}
        #: Incremented whenever changes are undone (derived in-memory indexes use it to know they are stale).
        self.rollbacks = 0
        self._conn: sqlite3.Connection | None = None
        if path is not None:
            self._conn = sqlite3.connect(os.fspath(path), check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute(_SCHEMA)
            for kind, key, seq, body in self._conn.execute("SELECT kind, key, seq, body FROM docs ORDER BY seq"):
                self._kinds.setdefault(kind, {})[key] = json.loads(body)
                self._seq[(kind, key)] = seq
                self._next_seq = max(self._next_seq, seq + 1)

    def get(self, kind: str, key: str) -> Doc | None:
        """The document, or None."""
        return self._kinds.get(kind, {}).get(key)

    def values(self, kind: str) -> Iterator[Doc]:
        """All documents of a kind, oldest first (a snapshot: safe to `put` while iterating)."""
        return iter(list(self._kinds.get(kind, {}).values()))

    def count(self, kind: str) -> int:
        """Number of documents of a kind."""
        return len(self._kinds.get(kind, {}))

    def put(self, kind: str, key: str, doc: Doc) -> None:
        """Create or replace a document (keeps its creation position)."""
        bucket = self._kinds.setdefault(kind, {})
        ref = (kind, key)
        if ref not in self._undo:
            self._undo[ref] = bucket.get(key, _ABSENT)
        if ref not in self._seq:
            self._seq[ref] = self._next_seq
            self._next_seq += 1
        bucket[key] = doc

    def delete(self, kind: str, key: str) -> None:
        """Remove a document if present."""
        bucket = self._kinds.get(kind, {})
        ref = (kind, key)
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
            self._conn.execute("DELETE FROM docs")

    def close(self) -> None:
        """Close the SQLite connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _commit(self) -> None:
        changed, self._undo = self._undo, {}
        if self._conn is None or not changed:
            return
        rows, gone = [], []
        for kind, key in changed:
            doc = self._kinds.get(kind, {}).get(key, _ABSENT)
            if doc is _ABSENT:
                gone.append((kind, key))
            else:
                rows.append((kind, key, self._seq[(kind, key)], json.dumps(doc, separators=(",", ":"))))
        conn = self._conn
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
