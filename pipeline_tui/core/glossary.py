"""What each figure of the report means, in a sentence a salesperson reads at a glance: the
report's --help shows them (the README says the same at more length)."""

from __future__ import annotations

import textwrap

FIGURES_HELP = (
    (
        "Gap",
        "the quota less what is won and what the open deals are expected to bring (weighted by their odds).",
    ),
    (
        "Days left",
        "from today to the period's last day, both counted; the pace spreads what is still to win over them.",
    ),
    (
        "Lead-to-win rate",
        "of the prospects created in the last 365 days, the share won; lost ones and ones left alone "
        "21 days or more (aged out) count against it. New prospects needed use it, as a new lead "
        "has to go the whole way.",
    ),
    ("Win rate", "won ÷ closed in the last 365 days: deals that never close do not count, so it flatters."),
    ("New prospects needed", "the gap ÷ (average sale × lead-to-win rate), rounded up; and per week left."),
    (
        "Forecast",
        "what is expected to close this month (what is left of it) and the five after, against the pace.",
    ),
    ("Slipped", "open deals whose expected close date has passed: they count in this month."),
    ("Time in stage", "the mean days deals spent in a stage before leaving it; a deal idle longer rots."),
    ("Why lost", "the reasons given for deals lost in the last 365 days, the most frequent first."),
    (
        "This week",
        "calls, emails and appointments done and prospects added since Monday, against your [goals].",
    ),
    (
        "By source",
        "won, lost and aged out of the prospects created in the last 365 days, by where they came from.",
    ),
)


def figures_help(width: int = 78) -> str:
    """The figures explained, one paragraph each, wrapped to ``width``."""
    return "\n".join(
        textwrap.fill(f"{name}: {text}", width, subsequent_indent="  ") for name, text in FIGURES_HELP
    )
