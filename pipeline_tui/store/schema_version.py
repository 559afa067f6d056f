"""The schema version this program reads and writes (steps up to it: :mod:`pipeline_tui.store.schema`).

On its own, without peewee, so that ``pipeline-tui due`` (at every shell prompt) and
``--version`` can check a file's version without loading the database layer.
"""

SCHEMA_VERSION = 11
