"""Allow ``python -m pipeline_tui``."""

from pipeline_tui.cli import main

raise SystemExit(main())
