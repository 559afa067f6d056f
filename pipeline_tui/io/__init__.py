"""Files in and out: CSV, JSON shapes, iCalendar, demo data."""
