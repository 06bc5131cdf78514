"""`xpath-tui export --format dot|graphml|json|mermaid`: the graph, or one answer's subgraph."""

from __future__ import annotations

from pathlib import Path

import click

from tui.options import edges_option, parse_edge_kinds


@click.command(name="export")
@click.option("--format", "fmt", type=click.Choice(["dot", "graphml", "json", "mermaid"]), required=True,
              help="Output format.")
@click.option("--resource", default=None, metavar="ARN", help="Only the who-can subgraph of this resource.")
@click.option("--from", "source", default=None, metavar="SOURCE", help="With --to: only the paths' subgraph.")
@click.option("--to", "target", default=None, metavar="TARGET", help="With --from: only the paths' subgraph.")
@click.option("--action", default=None, metavar="SERVICE:ACTION", help="Action filter of the query.")
@click.option("--max-hops", type=click.IntRange(1, 20), default=6, show_default=True, help="Longest path considered.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of stdout.")
@click.option("--snapshot", "snapshot_path", type=click.Path(dir_okay=False), default=None,
              help="Snapshot to read (.json or .json.gz); the embedded demo organization by default.")
@edges_option
@click.pass_context
def export(ctx: click.Context, fmt: str, resource: str | None, source: str | None, target: str | None,
           action: str | None, max_hops: int, output: str | None, snapshot_path: str | None,
           edge_kinds: str | None = None) -> None:
    """Export the access graph (or the subgraph of one who-can or paths answer)."""
    if (source is None) != (target is None):
        raise click.UsageError("--from and --to go together")
    if resource is not None and source is not None:
        raise click.UsageError("choose either --resource or --from/--to")
    from graph.export import export as render
    from graph.query import find_paths, subgraph, who_can
    from tui.output import load_access_graph

    access = load_access_graph(snapshot_path, (ctx.obj or {}).get("snapshot"), parse_edge_kinds(edge_kinds))
    graph = access.full_graph() if resource is None and source is None else access.graph
    if resource is not None:
        answer = who_can(access, resource, action=action, max_hops=max_hops)
        nodes = {resource} | {n for p in answer.principals for h in p.path.hops for n in (h.source, h.target)}
        graph = subgraph(access, nodes)
    elif source is not None and target is not None:
        found = find_paths(access, source, target, action=action, max_hops=max_hops)
        nodes = {source, target} | {n for p in found.paths for h in p.hops for n in (h.source, h.target)}
        graph = subgraph(access, nodes)
    text = render(graph, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
