"""One screen per view: board, agenda, report, help."""
