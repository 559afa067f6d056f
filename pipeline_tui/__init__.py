"""pipeline-tui: a keyboard-driven sales pipeline for the terminal."""

__version__ = "0.1.0"
