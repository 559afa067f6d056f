"""The JSON of ``--json`` (README "The command line"): money as numbers, times as ISO 8601
without a zone."""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime
from json.encoder import encode_basestring

from pipeline_tui.core.money import cents_to_number
from pipeline_tui.core.printable import C0, UNSAFE

TYPE_CHECKING = False  # as typing's, without importing typing (`due --json` runs at every prompt)
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


def report_json(report: Report, *, with_advice: bool = True) -> dict:
    """The report as JSON: the README's "report --json" shape (money as numbers); its advice
    followed by the prospect advice it holds as plain values (``Report.listed``), or without
    the advice list, if asked (its place is kept: last but one)."""
    data = {
        "now": iso(report.now),
        "quota": _quota_json(report.quota),
        "lead_to_win": _lead_to_win_json(report.lead_to_win),
        "stages": _stages_json(report),
        "conversion": [
            {"pipeline": c.pipeline, "from": c.from_stage, "to": c.to_stage, "rate": ratio(c.rate)}
            for c in report.conversion
        ],
        "appointment_to_sale_rate": ratio(report.appointment_to_sale_rate),
        "forecast": _forecast_json(report),
        "slipped": {
            "count": report.slipped.count,
            "value": cents_to_number(report.slipped.value),
            "weighted_value": cents_to_number(report.slipped.weighted_value),
        },
        "lost_reasons": [
            {"reason": r.reason, "count": r.count, "value": cents_to_number(r.value)}
            for r in report.lost_reasons
        ],
        "stage_days": _stage_days_json(report),
        "sources": _sources_json(report),
        "activity": _activity_json(report.activity),
    }
    if with_advice:
        data["advice"] = [
            {"code": a.code, "message": a.message, "prospect_id": a.prospect_id, "prospect": a.prospect}
            for a in report.advice
        ]
        data["advice"] += [
            {"code": code, "message": message, "prospect_id": pid, "prospect": name}
            for code, message, pid, name in report.listed
        ]
    data["advice_groups"] = [
        {"code": g.code, "count": g.count, "value": cents_to_number(g.value)} for g in report.advice_groups
    ]
    return data


def _lead_to_win_json(rate) -> dict:
    return {
        "rate": ratio(rate.rate),
        "won": rate.won,
        "lost": rate.lost,
        "aged_out": rate.aged_out,
        "decided": rate.decided,
        "source": rate.source,
    }


def _stages_json(report: Report) -> list[dict]:
    return [
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
    ]


def _forecast_json(report: Report) -> list[dict]:
    return [
        {
            "month": f"{m.month:%Y-%m}",
            "count": m.count,
            "weighted_value": cents_to_number(m.weighted_value),
            "pace": cents_to_number(m.pace),
            "won": cents_to_number(m.won),
        }
        for m in report.forecast
    ]


def _sources_json(report: Report) -> list[dict]:
    return [
        {
            "source": s.source,
            "won": s.won,
            "lost": s.lost,
            "aged_out": s.aged_out,
            "rate": ratio(s.rate),
            "value": cents_to_number(s.value),
        }
        for s in report.sources
    ]


def _quota_json(q) -> dict | None:
    if q is None:
        return None
    return {
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
        "days_left": q.days_left,
        "pace_per_week": cents_to_number(q.pace_per_week),
        "pace_per_month": cents_to_number(q.pace_per_month),
        "new_prospects_per_week": q.new_prospects_per_week,
    }


def _stage_days_json(report: Report) -> list[dict]:
    return [
        {
            "stage": d.stage,
            "pipeline": d.pipeline,
            "avg_days": None if d.avg_days is None else round(d.avg_days, 1),
            "count": d.count,
            "rotting_days": d.rotting.days if d.rotting else None,
            "rotting_from": d.rotting.source if d.rotting else None,
        }
        for d in report.stage_days
    ]


def _activity_json(activity) -> dict:
    def pace(p) -> dict:
        return {"done": p.done, "goal": p.goal}

    return {
        "week_start": iso(activity.week_start.date()),
        "calls": pace(activity.calls),
        "emails": pace(activity.emails),
        "appointments": pace(activity.appointments),
        "new_prospects": {**pace(activity.new_prospects), "needed": activity.needed_per_week},
    }


def report_json_text(report: Report, *, pretty: bool | None = None) -> str:
    """``report --json``'s text: what :func:`dumps` makes of :func:`report_json`."""
    return "".join(report_json_parts(report, pretty=pretty))


def report_json_parts(report: Report, *, pretty: bool | None = None) -> list[str]:
    """:func:`report_json_text` in parts that follow each other, to be written one by one: the
    advice of a big pipeline is 20 MB, and each copy of it into one text cost time and memory.
    Compact, the advice (last but one, maybe 100,000 pieces) is written out piece by piece: a
    dict for each and json.dumps over them took three times as long. A test holds the texts
    equal."""
    if pretty is None:
        pretty = sys.stdout.isatty()
    data = report_json(report, with_advice=pretty)
    if pretty:
        return [dumps(data, pretty=True)]
    groups = data.pop("advice_groups")
    head = dumps(data, pretty=False)
    advice = _escaped(", ".join(_advice_texts(report)))
    return [f'{head[:-1]}, "advice": [', advice, f'], "advice_groups": {dumps(groups, pretty=False)}}}']


def _advice_texts(report: Report) -> list[str]:
    said = encode_basestring
    texts = [
        f'{{"code": {said(a.code)}, "message": {said(a.message)}, "prospect_id": '
        f'{"null" if a.prospect_id is None else a.prospect_id}, "prospect": '
        f"{'null' if a.prospect is None else said(a.prospect)}}}"
        for a in report.advice
    ]
    # every listed piece names its prospect (the code is one of ours: no escaping to do)
    texts += [
        f'{{"code": "{code}", "message": {said(message)}, "prospect_id": {pid}, "prospect": {said(name)}}}'
        for code, message, pid, name in report.listed
    ]
    return texts


def agenda_json(items: list[AgendaItem], home: str = "") -> list[dict]:
    """The agenda for scripts: each follow-up with what a call or an email needs at hand
    (README "The command line": agenda --json); ``home``: the home currency's code."""
    return [
        {
            "id": item.id,
            "prospect_id": item.prospect_id,
            "prospect": item.prospect,
            "kind": item.kind,
            "due": iso(item.due),
            "status": item.status,
            "notes": item.notes,
            "contact": item.contact,
            "phone": item.phone,
            "email": item.email,
            "value": cents_to_number(item.value_cents),
            "currency": item.currency or home or None,  # of the value (null: no home currency set)
            "stage": item.stage,
            "cadence": None
            if item.cadence is None
            else {"name": item.cadence, "step": item.step, "steps": item.steps},
            "repeat": item.repeat,
        }
        for item in items
    ]


def due_json(summary) -> dict:
    """``due --json``: the counts, and the next follow-up to come (or null)."""
    following = summary.next
    return {
        "overdue": summary.overdue,
        "today": summary.today,
        "next": None
        if following is None
        else {
            "id": following.id,
            "prospect_id": following.prospect_id,
            "prospect": following.prospect,
            "organization": following.organization,
            "kind": following.kind,
            "due": iso(following.due),
        },
    }


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


def prospect_json(detail: Detail, now: datetime, home: str = "") -> dict:
    """One prospect for ``show --json``: its fields (named as in the export, its value in its
    own currency), next steps, advice, score with its reasons, and history, newest first;
    ``home``: the home currency's code."""
    return {
        **_prospect_fields_json(detail, home),
        "next_steps": _next_steps_json(detail, now),
        "advice": [{"code": a.code, "message": a.message} for a in detail.advice],
        "score": _score_json(detail.score),
        "history": _history_json(detail),
    }


def _prospect_fields_json(detail: Detail, home: str) -> dict:
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
        "currency": p.currency or home or None,  # of the value (null: no home currency set)
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
    }


def _next_steps_json(detail: Detail, now: datetime) -> list[dict]:
    from pipeline_tui.services.agenda import follow_up_status

    return [
        {
            "id": f.id,
            "kind": f.kind,
            "due": iso(f.due),
            "status": follow_up_status(f.due, now),
            "notes": f.notes,
        }
        for f in detail.open_follow_ups
    ]


def _score_json(score) -> dict | None:
    if score is None:
        return None
    return {
        "total": score.total,
        "parts": [{"points": part.points, "reason": part.reason} for part in score.parts],
    }


def _history_json(detail: Detail) -> list[dict]:
    """What was done, newest first: the timeline without the follow-ups still open."""
    return [
        {"when": iso(entry.when), "what": entry.what, "text": entry.text, "follow_up_id": entry.follow_up_id}
        for entry in detail.timeline
        if entry.done
    ]


# json escapes C0 itself; these it leaves raw, where a terminal would act on them. Escaped as
# \uXXXX they are the same data to any JSON reader, so the output stays exact and safe to show.
_TO_ESCAPE = "".join(c for c in UNSAFE if c not in C0)
_ESCAPE = re.compile(f"[{re.escape(_TO_ESCAPE)}]")


def dumps(data, *, pretty: bool | None = None) -> str:
    """JSON text: indented for a person at a terminal, compact (and quicker) for a program."""
    if pretty is None:
        pretty = sys.stdout.isatty()
    return _escaped(json.dumps(data, ensure_ascii=False, indent=2 if pretty else None))


def _escaped(text: str) -> str:
    """JSON text with what json leaves raw and a terminal would act on written as \\uXXXX."""
    # a search per character is 4x quicker than one pattern over a long export
    if not any(c in text for c in _TO_ESCAPE):
        return text
    return _ESCAPE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


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
                "currency": d.currency or None,  # of the value (null: the home currency)
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
