"""The one exception type a user is meant to read.

Every layer raises :class:`UserError` for bad input; the CLI prints its message on one line and
exits 2, the TUI shows it inline. Anything else escaping is a bug.
"""


class UserError(Exception):
    """Bad input or a refused action, with a message fit to show the user as is."""


class ConflictError(UserError):
    """Someone else changed the record since it was read (optimistic locking)."""
