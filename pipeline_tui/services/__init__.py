"""One function per user action, each one transaction, shared by the CLI and the TUI.

Screens and commands call these; they never build queries themselves.
"""
