"""``python -m search`` runs the ``byline`` command."""

from search.cli import main

main()
