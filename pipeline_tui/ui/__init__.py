"""The Textual interface: the app, its screens and widgets. Talks only to the services."""
