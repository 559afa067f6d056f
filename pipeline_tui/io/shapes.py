"""The JSON shapes of SPEC section 7: money as numbers, times as ISO 8601 without a zone."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

from pipeline_tui.core.money import cents_to_number

if TYPE_CHECKING:  # the agenda's JSON must not load the report's rules
    from pipeline_tui.core.report import Report
    from pipeline_tui.services.agenda import AgendaItem
    from pipeline_tui.services.views import Detail, ExportRow


def iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.replace(microsecond=0).isoformat(timespec="seconds")
    return moment.isoformat()


def ratio(value) -> float | None:
    return None if value is None else round(float(value), 4)


def report_json(report: Report) -> dict:
    quota = None
    if report.quota is not None:
        q = report.quota
        quota = {
            "period": q.period.kind,
            "start": iso(q.period.start),
            "end": iso(q.period.end),
            "target": cents_to_number(q.target),
            "won": cents_to_number(q.won),
            "expected": cents_to_number(q.expected),
            "gap": cents_to_number(q.gap),
            "win_rate": ratio(q.win_rate),
            "average_won_value": cents_to_number(float(q.average_won_value)),
            "new_prospects_needed": q.new_prospects_needed,
        }
    return {
        "now": iso(report.now),
        "quota": quota,
        "stages": [
            {
                "name": s.stage.name,
                "pipeline": s.pipeline,
                "kind": s.stage.kind,
                "count": s.count,
                "value": cents_to_number(s.value),
                "weighted_value": cents_to_number(s.weighted_value),
                "probability": s.stage.probability,
            }
            for s in report.stages
        ],
        "conversion": [
            {"pipeline": c.pipeline, "from": c.from_stage, "to": c.to_stage, "rate": ratio(c.rate)}
            for c in report.conversion
        ],
        "appointment_to_sale_rate": ratio(report.appointment_to_sale_rate),
        "forecast": [
            {
                "month": f"{m.month:%Y-%m}",
                "count": m.count,
                "weighted_value": cents_to_number(m.weighted_value),
                "pace": cents_to_number(m.pace),
            }
            for m in report.forecast
        ],
        "advice": [
            {"code": a.code, "message": a.message, "prospect_id": a.prospect_id, "prospect": a.prospect}
            for a in report.advice
        ],
    }


def agenda_json(items: list[AgendaItem]) -> list[dict]:
    return [
        {
            "id": item.id,
            "prospect_id": item.prospect_id,
            "prospect": item.prospect,
            "kind": item.kind,
            "due": iso(item.due),
            "status": item.status,
            "notes": item.notes,
        }
        for item in items
    ]


def export_json(rows: list[ExportRow], contacts: dict[int, list] | None = None) -> list[dict]:
    """Every prospect as its CSV columns and more: with ``contacts`` (by prospect id), all of
    its people and its organization record's id."""
    from pipeline_tui.io.csv_io import export_record

    result = []
    for row in rows:
        p = row.prospect
        record = export_record(row, for_json=True)
        record.update(
            {
                "id": p.id,
                "stage": row.stage,
                "score": row.score,
                "weighted_value": cents_to_number(row.weighted_value),
                "next_follow_up": iso(row.next_follow_up.due) if row.next_follow_up else None,
                "last_activity": iso(row.last_activity),
            }
        )
        if contacts is not None:
            record["organization_id"] = p.org_id
            record["contacts"] = contacts_json(contacts.get(p.id, ()))
        result.append(record)
    return result


def prospect_json(detail: Detail, now: datetime) -> dict:
    """One prospect for ``show --json``: its fields (named as in the export), next steps,
    advice, score with its reasons, and history, newest first."""
    from pipeline_tui.services.agenda import follow_up_status

    p = detail.prospect
    return {
        "id": p.id,
        "name": p.name,
        "pipeline": detail.pipeline,
        "stage": detail.stage.name,
        "organization": p.organization,
        "contact": p.contact,
        "title": p.title,
        "email": p.email,
        "phone": p.phone,
        "decision_maker": p.decision_maker,
        "value": cents_to_number(p.value_cents),
        "weighted_value": cents_to_number(detail.weighted_value),
        "probability": p.probability,
        "expected_close": iso(p.expected_close),
        "urgency": p.urgency,
        "source": p.source,
        "notes": p.notes,
        "lost_reason": p.lost_reason,
        "owner": p.owner,
        "archived": bool(p.archived),
        "created": iso(p.created_at),
        "updated": iso(p.updated_at),
        "next_steps": [
            {
                "id": f.id,
                "kind": f.kind,
                "due": iso(f.due),
                "status": follow_up_status(f.due, now),
                "notes": f.notes,
            }
            for f in detail.open_follow_ups
        ],
        "advice": [{"code": a.code, "message": a.message} for a in detail.advice],
        "score": None
        if detail.score is None
        else {
            "total": detail.score.total,
            "parts": [{"points": part.points, "reason": part.reason} for part in detail.score.parts],
        },
        "history": [
            {
                "when": iso(entry.when),
                "what": entry.what,
                "text": entry.text,
                "follow_up_id": entry.follow_up_id,
            }
            for entry in detail.timeline
            if entry.done
        ],
    }


def dumps(data, *, pretty: bool | None = None) -> str:
    """JSON text: indented for a person at a terminal, compact (and quicker) for a program."""
    if pretty is None:
        pretty = sys.stdout.isatty()
    return json.dumps(data, ensure_ascii=False, indent=2 if pretty else None)


def contacts_json(contacts) -> list[dict]:
    """``contact list --json``: a deal's people, in the order they were added."""
    return [
        {"id": c.id, "name": c.name, "role": c.role, "title": c.title, "email": c.email, "phone": c.phone}
        for c in contacts
    ]


def organization_json(view) -> dict:
    """``org NAME --json``: the organization, its people and every deal, newest first."""
    return {
        "id": view.id,
        "name": view.name,
        "won_value": cents_to_number(view.won_value),
        "people": contacts_json(view.people),
        "deals": [
            {
                "id": d.id,
                "name": d.name,
                "stage": d.stage,
                "status": d.kind,
                "value": None if d.value is None else cents_to_number(d.value),
                "closed": iso(d.closed_at),
                "archived": bool(d.archived),
            }
            for d in view.deals
        ],
    }


def stages_json(rows) -> list[dict]:
    """``stage list --json``: a pipeline's stages in board order."""
    return [
        {
            "name": r.name,
            "position": r.position,
            "probability": r.probability,
            "role": r.role,
            "count": r.count,
        }
        for r in rows
    ]
