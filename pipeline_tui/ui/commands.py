"""Command palette provider: type part of a prospect's name or company to open it."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider


class ProspectsProvider(Provider):
    """Prospects by name or organization; choosing one opens it on the board."""

    async def search(self, query: str) -> Hits:
        from pipeline_tui.services.views import find_prospects

        if len(query.strip()) < 2:
            return
        matcher = self.matcher(query)
        for prospect_id, name, organization in find_prospects(query):
            label = f"{name} · {organization}" if organization and organization not in name else name
            score = matcher.match(label) or 0.1  # the database matched it: keep it even if fuzzily poor
            yield Hit(
                score,
                matcher.highlight(label),
                partial(self.app.open_prospect, prospect_id),
                help="open this prospect",
            )
