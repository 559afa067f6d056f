"""Command palette provider: type part of a prospect's name or company to open it."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from pipeline_tui.core.printable import printable


def highlighted(matcher: Matcher, label: str) -> Content:
    """``label`` as text with the letters the query matched highlighted. The palette's own
    ``Matcher.highlight`` reads its argument as markup: a prospect named ``[@click=app.quit]x[/]``
    would quit the app when clicked."""
    content = Content(label)
    _, offsets = matcher.fuzzy_search.match(matcher.query, label)
    for offset in offsets:
        if not label[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class ProspectsProvider(Provider):
    """Prospects by name or organization; choosing one opens it on the board."""

    async def search(self, query: str) -> Hits:
        from pipeline_tui.services.views import find_prospects

        if len(query.strip()) < 2:
            return
        matcher = self.matcher(query)
        for prospect_id, name, organization in find_prospects(query):
            label = f"{name} · {organization}" if organization and organization not in name else name
            label = printable(label)
            score = matcher.match(label) or 0.1  # the database matched it: keep it even if fuzzily poor
            yield Hit(
                score,
                highlighted(matcher, label),
                partial(self.app.open_prospect, prospect_id),
                text=label,
                help="open this prospect",
            )
