"""The one exception type a user is meant to read, and the words for the failures that are the
machine's rather than the user's (a full disk).

Every layer raises :class:`UserError` for bad input; the CLI prints its message on one line and
exits 2, the TUI shows it inline. Anything else escaping is a bug.
"""

from __future__ import annotations

import errno
import os

DISK_FULL = "disk full (no space left on device)"

_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_SQLITE_FULL = 13  # SQLite's primary result code for "database or disk is full"
_NEARLY_FULL = 1 << 20  # bytes: less than SQLite needs for its shared memory and a few pages


def causes(exc: BaseException):
    """The exception, then what it was raised from or while handling, and so on back."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_disk_full(exc: BaseException, near: str | os.PathLike | None = None) -> bool:
    """Whether a full disk (or quota) is behind ``exc``: the OS's ENOSPC, or SQLite's
    SQLITE_FULL, which peewee re-raises as its own error while handling the driver's. SQLite
    says only "disk I/O error" when it cannot even make its shared-memory file: with ``near``
    (a file or folder), such an error on a disk with (almost) nothing left counts too."""
    for cause in causes(exc):
        if isinstance(cause, OSError) and cause.errno in _FULL_ERRNOS:
            return True
        code = getattr(cause, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF == _SQLITE_FULL:
            return True
        text = str(cause).lower()
        if "database or disk is full" in text or "no space left on device" in text:  # a server's words
            return True
        if near is not None and "disk I/O error" in str(cause) and _nearly_full(near):
            return True
    return False


def _nearly_full(near: str | os.PathLike) -> bool:
    folder = os.path.dirname(os.path.abspath(near)) if not os.path.isdir(near) else near
    try:
        found = os.statvfs(folder)
    except (OSError, AttributeError):  # gone, or not POSIX
        return False
    return found.f_bavail * found.f_frsize < _NEARLY_FULL


class UserError(Exception):
    """Bad input or a refused action, with a message fit to show the user as is."""


class ConflictError(UserError):
    """Someone else changed the record since it was read (optimistic locking)."""


class ServerLost(UserError):
    """The database server cannot be reached (stopped, restarting, off the network).

    ``maybe_saved`` is true only when the connection went while a change was being committed:
    the server may have kept it or not, and only a look once it is back can tell."""

    def __init__(self, message: str, *, maybe_saved: bool = False) -> None:
        super().__init__(message)
        self.maybe_saved = maybe_saved
