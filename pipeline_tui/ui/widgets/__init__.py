"""Widgets: virtualised lists, stage columns, the detail pane and the forms."""
