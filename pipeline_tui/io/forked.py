"""One function computed by a forked child process while this one goes on with other work.

For CPU-bound Python work that splits in two (the two halves of a big CSV file): a thread
would share one core with us, a forked child has the other one and all our memory as it was,
without pickling its input. Its result comes back through a pipe, marshalled (plain strings,
numbers and tuples: several times faster than pickle for them). On Linux only; elsewhere, or
when the system has no process to spare,
:meth:`Forked.start` says None and the caller does the work itself.
"""

from __future__ import annotations

import marshal
import os
import signal
import sys
from collections.abc import Callable


class Forked:
    """The child computing ``work()``: :meth:`result` waits for it, :meth:`discard` stops it."""

    def __init__(self, pid: int, answer: int) -> None:
        self._pid: int | None = pid
        self._answer: int | None = answer

    @classmethod
    def start(cls, work: Callable[[], object]) -> Forked | None:
        if not sys.platform.startswith("linux") or signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN:
            return None  # (an ignored SIGCHLD: the kernel reaps the child, its pid may be reused)
        try:
            readable, writable = os.pipe()
        except OSError:
            return None
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # Ctrl+C: after the fork
        try:
            pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            os.close(readable)
            os.close(writable)
            return None
        if pid == 0:  # the child: compute, send, leave; nothing may return into the caller's code
            status = 1
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
                os.close(readable)
                data = marshal.dumps(work())  # the current version: a text shared by rows is sent once
                view = memoryview(data)
                while view:
                    view = view[os.write(writable, view) :]
                status = 0
            except BaseException:  # noqa: BLE001 - Ctrl+C, a closed pipe: the parent does the work
                pass
            finally:
                os._exit(status)
        os.close(writable)
        forked = cls(pid, readable)
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl+C held over the fork: now
        except BaseException:
            forked.discard()
            raise
        return forked

    def result(self) -> object | None:
        """What the child computed, or None if it failed (the caller does the work then)."""
        chunks = []
        try:
            while chunk := os.read(self._answer, 1 << 20):
                chunks.append(chunk)
        except BaseException:  # Ctrl+C: no child left behind
            self.discard()
            raise
        self._close()
        try:  # before the reaping: the child's exit (its memory given back) overlaps the loading
            loaded = marshal.loads(b"".join(chunks))
        except (EOFError, ValueError, TypeError):
            loaded = None
        return loaded if self._reap() == 0 else None

    def discard(self) -> None:
        """Stop the child, its work unwanted (and reap it)."""
        if self._pid is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._close()
        self._reap()

    def _close(self) -> None:
        if self._answer is not None:
            os.close(self._answer)
            self._answer = None

    def _reap(self) -> int | None:
        """Wait for the child to leave: its exit code (None if it was reaped already)."""
        pid, self._pid = self._pid, None
        if pid is None:
            return None
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return None
        return os.waitstatus_to_exitcode(status)
