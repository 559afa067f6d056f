"""Writing files the user asked for: atomically, and readable by the user only."""

from __future__ import annotations

import gc
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from pipeline_tui.errors import UserError


def write_private(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a private temporary file and an atomic rename."""
    path = path.expanduser()
    if path.is_dir():
        raise UserError(f"{path} is a directory")
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def without_gc():
    """Bulk loads build hundreds of thousands of rows and no reference cycles; Python's cycle
    collector would walk them all again and again (a third of an import's time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
