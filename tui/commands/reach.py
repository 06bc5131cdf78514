"""`xpath-tui reach SOURCE`: every resource an account or principal can reach."""

from __future__ import annotations

import click

from tui.options import edges_option, parse_edge_kinds


@click.command(name="reach")
@click.argument("source")
@click.option("--action", default=None, metavar="SERVICE:ACTION", help="Only resources this action reaches.")
@click.option("--max-hops", type=click.IntRange(1, 20), default=6, show_default=True, help="Longest path considered.")
@click.option("--snapshot", "snapshot_path", type=click.Path(dir_okay=False), default=None,
              help="Snapshot to read (.json or .json.gz); the embedded demo organization by default.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@edges_option
@click.pass_context
def reach(ctx: click.Context, source: str, action: str | None, max_hops: int, snapshot_path: str | None,
          as_json: bool, edge_kinds: str | None = None) -> None:
    """Every resource (and role) SOURCE (account id or principal ARN) reaches, with its shortest path."""
    from graph.query import reach as ask
    from tui.output import load_access_graph, print_json, print_reach

    access = load_access_graph(snapshot_path, (ctx.obj or {}).get("snapshot"), parse_edge_kinds(edge_kinds))
    answer = ask(access, source, action=action, max_hops=max_hops)
    if as_json:
        print_json(answer.to_json())
    else:
        print_reach(answer)
