"""``byline serve``: the search page, article and stats pages, and a JSON API over HTTP.

Everything here talks to ``search.engine.Engine`` only (never to an engine's own modules), and the
JSON it serves is ``search/json_contract.py``'s, the CLI's ``--json`` documents. Needs the ``web``
extra (Starlette, Jinja2, uvicorn).
"""
