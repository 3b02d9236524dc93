"""The `--state` file: checked before SQLite opens it, created 0600, and held by one process at a time.

`claim(path)` refuses (StateFileError, one line) a missing directory, a directory, or a file that is not
SQLite, without touching it; then takes an exclusive, non-blocking `flock` on `<path>.lock` (holding the pid
of the owner) so that a second emulator on the same file stops instead of double-counting seats.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

__all__ = ["StateFileError", "StateLock", "claim", "create_private"]

_SQLITE_MAGIC = b"SQLite format 3\x00"


class StateFileError(Exception):
    """The state file cannot be used; the message is one line saying why and what to do."""


class StateLock:
    """The exclusive hold on a state file; `release()` (idempotent) lets another process take it."""

    def __init__(self, path: str, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing drops the flock

    def __repr__(self) -> str:
        return f"StateLock({self.path!r}, held={self._fd is not None})"


def check(path: str) -> None:
    """StateFileError unless `path` is a new file in an existing directory or an existing SQLite file."""
    target = Path(path)
    directory = target.absolute().parent
    if not directory.is_dir():
        raise StateFileError(f"state file {path}: directory {directory} does not exist; create it first.")
    if target.is_dir():
        raise StateFileError(f"state file {path} is a directory; name a file inside it, e.g. {path}/state.db.")
    if not target.exists():
        return
    try:
        with target.open("rb") as file:
            head = file.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StateFileError(f"state file {path} cannot be read: {exc.strerror}.") from None
    if head and head != _SQLITE_MAGIC:
        raise StateFileError(f"state file {path} is not an SQLite database; left untouched (name another file).")


def create_private(path: str) -> None:
    """Create `path` readable by its owner only (0600) if it does not exist; it will hold private keys."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def claim(path: str) -> StateLock:
    """Check `path`, lock `<path>.lock` for this process (writing its pid there), create `path` 0600."""
    check(path)
    lock_path = f"{path}.lock"
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StateFileError(f"state file {path}: cannot create the lock file {lock_path}: {exc.strerror}.") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise StateFileError(
            f"state file {path} is in use by process {owner} (lock {lock_path}); stop it or use another --state file."
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    create_private(path)
    return StateLock(path, fd)
