"""Benchmarks (issue 5): ``python -m pipeline_tui.bench``. Numbers, not tests: nothing fails."""
