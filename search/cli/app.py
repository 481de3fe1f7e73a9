"""The ``byline`` command: a thin Typer layer that turns options into library calls.

Every command's logic lives in ``index/`` or ``search/``; the modules beside this one only parse
options, choose the output form, and turn ``BylineError`` into ``Error: <message>`` on stderr with
its exit code. This module lists the commands.
"""

from __future__ import annotations

import typer

from search.cli import cluster, coverage, evaluating, indexing, querying, serving, upkeep

app = typer.Typer(
    name="byline",
    help="Full-text search for news archives: index articles, then search them ranked, "
    "filtered and faceted by source.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

app.command("index")(indexing.index_command)
app.command("search")(querying.search_command)
app.command("show")(querying.show_command)
app.command("similar")(querying.similar_command)
app.command("stats")(upkeep.stats_command)
app.command("delete")(upkeep.delete_command)
app.command("check")(upkeep.check_command)
app.command("optimize")(upkeep.optimize_command)
app.command("eval")(evaluating.eval_command)
app.command("timeline")(coverage.timeline_command)
app.command("terms")(coverage.terms_command)
app.command("sources")(coverage.sources_command)
app.command("export")(coverage.export_command)
app.command("story")(coverage.story_command)
app.command("serve")(serving.serve_command)
app.add_typer(cluster.app, name="cluster")


def main() -> None:
    app()
