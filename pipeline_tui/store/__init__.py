"""The Peewee model layer: models, opening a database, migrations and the queries that feed
the core. Imports no textual."""
