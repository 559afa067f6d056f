"""What the desktop does for us: open a ``tel:`` or ``mailto:`` link in the program the user
chose for it, and show a notification. Each says whether it could: the caller then does
something else (copies the number, prints the reminder)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from functools import cache

QUIET = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}


@cache
def _handler_exists(scheme: str) -> bool:
    """Whether a program is set to open ``scheme:`` links. On Linux xdg-open opens anything
    in a browser when nothing is (which cannot dial), so the desktop's choice is asked first;
    macOS's ``open`` has FaceTime and Mail for these."""
    if sys.platform == "darwin":
        return shutil.which("open") is not None
    if shutil.which("xdg-open") is None or shutil.which("xdg-mime") is None:
        return False
    try:
        answer = subprocess.run(
            ["xdg-mime", "query", "default", f"x-scheme-handler/{scheme}"],
            capture_output=True,
            text=True,
            timeout=5,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return answer.returncode == 0 and bool(answer.stdout.strip())


def open_link(url: str) -> bool:
    """Hand ``url`` (``tel:``, ``mailto:``) to the program set for it, without waiting for it
    and without letting it write on our terminal; False when no program is set for it."""
    scheme = url.partition(":")[0].lower()
    if not _handler_exists(scheme):
        return False
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    try:
        subprocess.Popen([opener, url], start_new_session=True, **QUIET)
    except OSError:
        return False
    return True


def notify(title: str, body: str) -> bool:
    """A desktop notification through ``notify-send``; False when there is none, or it failed
    (no desktop session, as under cron without its address). ``body`` is the daemon's markup:
    the caller escapes it. ``title`` is plain text, shown as sent: the Desktop Notifications
    Specification allows markup in the body only, so an escaped title would show its ``&lt;``."""
    program = shutil.which("notify-send")
    if program is None:
        return False
    try:
        sent = subprocess.run([program, "--app-name=pipeline-tui", "--", title, body], timeout=10, **QUIET)
    except (OSError, subprocess.SubprocessError):
        return False
    return sent.returncode == 0
