"""``python -m search`` runs the ``byline`` command."""

from search.startup import main

main()
