"""Writing our own standard output through its descriptor, so that a full disk is said, not
lost (README, "Your data"). Apart from :mod:`pipeline_tui.io.files` (exports, backups), whose
file machinery a command that prints a line at every shell prompt (``due --json``) never needs.
"""

from __future__ import annotations

import os
import sys

from pipeline_tui.errors import DISK_FULL, UserError, is_disk_full


def words_for(exc: OSError) -> str:
    """What went wrong, for a message: a full disk said as such."""
    return DISK_FULL if is_disk_full(exc) else (exc.strerror or str(exc))


def write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_stdout(data: str | bytes | list[str]) -> None:
    """Write to standard output through its descriptor: Python's buffered stdout can drop the
    error of a write cut short by a full disk, and exit 0 with half the output written. A text
    in parts (a list) is written part by part."""
    parts = data if isinstance(data, list) else [data]
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by one in memory (a test's capture)
        for part in parts:
            if isinstance(part, bytes):
                sys.stdout.flush()
                sys.stdout.buffer.write(part)
            else:
                sys.stdout.write(part)
        return
    sys.stdout.flush()  # what was printed comes first
    try:
        for part in parts:
            write_all(descriptor, part.encode("utf-8") if isinstance(part, str) else part)
    except BrokenPipeError:
        raise  # a reader that went away (a pipe closed early): the caller's to judge
    except OSError as exc:
        raise UserError(f"cannot write standard output: {words_for(exc)}; the output is incomplete") from None
