"""The baseline for the CSV import row of the benchmark: the same file read with the csv module
and written with sqlite3's executemany, with the plainest parsing that still reads every column
into its type. ``python -m pipeline_tui.bench.baseline_import FILE DB``."""

from __future__ import annotations

import csv
import sqlite3
import sys
from datetime import date, datetime


def main(path: str, db: str) -> None:
    connection = sqlite3.connect(db)
    connection.execute(
        "CREATE TABLE prospect (id INTEGER PRIMARY KEY, name TEXT, organization TEXT, contact TEXT,"
        " title TEXT, email TEXT, phone TEXT, decision_maker TEXT, value_cents INTEGER,"
        " expected_close TEXT, urgency TEXT, source TEXT, stage TEXT, probability REAL, notes TEXT,"
        " created_at TEXT, closed_at TEXT, lost_reason TEXT)"
    )
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for r in reader:
            value = r["value"].replace(",", "")
            rows.append(
                (
                    r["name"],
                    r["organization"],
                    r["contact"],
                    r["title"],
                    r["email"],
                    r["phone"],
                    r["decision_maker"],
                    round(float(value) * 100) if value else None,
                    date.fromisoformat(r["expected_close"]).isoformat() if r["expected_close"] else None,
                    r["urgency"],
                    r["source"],
                    r["stage"],
                    float(r["probability"]) if r["probability"] else None,
                    r["notes"],
                    datetime.fromisoformat(r["created"]).isoformat(" "),
                    datetime.fromisoformat(r["closed"]).isoformat(" ") if r["closed"] else None,
                    r["lost_reason"],
                )
            )
    with connection:
        connection.executemany(
            "INSERT INTO prospect (name, organization, contact, title, email, phone, decision_maker,"
            " value_cents, expected_close, urgency, source, stage, probability, notes, created_at,"
            " closed_at, lost_reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
