"""The one exception type a user is meant to read.

Every layer raises :class:`UserError` for bad input; the CLI prints its message on one line and
exits 2, the TUI shows it inline. Anything else escaping is a bug.
"""


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
