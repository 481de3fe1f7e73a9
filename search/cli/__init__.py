"""The ``byline`` command: Typer commands that turn options into library calls, and rendering."""
