"""`xpath-tui paths --from SOURCE --to TARGET`: every path between two nodes, shortest first."""

from __future__ import annotations

import click

from tui.options import edges_option, parse_edge_kinds


@click.command(name="paths")
@click.option("--from", "source", required=True, metavar="SOURCE", help="A 12-digit account id or a principal ARN.")
@click.option("--to", "target", required=True, metavar="TARGET", help="A resource or role ARN.")
@click.option("--action", default=None, metavar="SERVICE:ACTION", help="Only paths whose last hop allows this action.")
@click.option("--max-hops", type=click.IntRange(1, 20), default=6, show_default=True, help="Longest path considered.")
@click.option("--limit", type=click.IntRange(1, 100000), default=100, show_default=True,
              help="Stop after this many paths (the answer then says truncated).")
@click.option("--snapshot", "snapshot_path", type=click.Path(dir_okay=False), default=None,
              help="Snapshot to read (.json or .json.gz); the embedded demo organization by default.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (SPEC §4 shape).")
@edges_option
@click.pass_context
def paths(ctx: click.Context, source: str, target: str, action: str | None, max_hops: int, limit: int,
          snapshot_path: str | None, as_json: bool, edge_kinds: str | None = None) -> None:
    """Every simple path from SOURCE to TARGET: role assumptions and direct grants, with their conditions."""
    from graph.query import find_paths
    from tui.output import load_access_graph, print_json, print_paths

    access = load_access_graph(snapshot_path, (ctx.obj or {}).get("snapshot"), parse_edge_kinds(edge_kinds))
    answer = find_paths(access, source, target, action=action, max_hops=max_hops, limit=limit)
    if as_json:
        print_json(answer.to_json())
    else:
        print_paths(answer)
