"""``python -m search`` runs the ``byline`` command."""

from search.cli.startup import main

main()
