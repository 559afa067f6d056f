"""How typed dates read, as the config file's ``[locale]`` sets it: apart from the date grammar
(:mod:`pipeline_tui.core.dates`), which the settings need not load (``pipeline-tui agenda`` runs at
shell prompts)."""

from __future__ import annotations

from datetime import time, tzinfo
from typing import NamedTuple

WORKING_HOUR = time(9, 0)


class DateRules(NamedTuple):
    """How typed dates are read: the order numeric dates are written in (None: a date that
    reads two ways is refused), where a day without a time lands, and the zone whose
    daylight-saving changes hours are counted across (None: none)."""

    order: str | None = None
    working_hour: time = WORKING_HOUR
    zone: tzinfo | None = None
