"""What a follow-up can be, in a module of its own: the database's triggers (store.activity)
and the cadences read these, and a shell prompt's `pipeline-tui due` should not load the
records and rules of :mod:`pipeline_tui.core.domain` (its dataclasses) to get them."""

from __future__ import annotations

FOLLOW_UP_KINDS = ("call", "email", "appointment", "demo", "trial", "info-request", "reminder", "task")
# The next two are written into the database's triggers too (store.activity): a change to
# them needs a schema step that makes the triggers again and sums every prospect up anew.
CONTACT_KINDS = frozenset({"call", "email", "reminder"})
DEMO_KINDS = ("demo", "trial")  # follow-ups that put a prospect in front of the product
