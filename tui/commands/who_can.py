"""`xpath-tui who-can RESOURCE_ARN`: every principal with a path to a resource."""

from __future__ import annotations

import click

from tui.options import edges_option, parse_edge_kinds


@click.command(name="who-can")
@click.argument("resource_arn")
@click.option("--action", default=None, metavar="SERVICE:ACTION",
              help="Only paths whose last hop allows this action (wildcards allowed, e.g. s3:Get*).")
@click.option("--max-hops", type=click.IntRange(1, 20), default=6, show_default=True, help="Longest path considered.")
@click.option("--snapshot", "snapshot_path", type=click.Path(dir_okay=False), default=None,
              help="Snapshot to read (.json or .json.gz); the embedded demo organization by default.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (SPEC §4 shape).")
@edges_option
@click.pass_context
def who_can(ctx: click.Context, resource_arn: str, action: str | None, max_hops: int, snapshot_path: str | None,
            as_json: bool, edge_kinds: str | None = None) -> None:
    """Every principal, account, service or provider with a path to RESOURCE_ARN, grouped by account."""
    from graph.query import who_can as ask
    from tui.output import load_access_graph, print_json, print_who_can

    access = load_access_graph(snapshot_path, (ctx.obj or {}).get("snapshot"), parse_edge_kinds(edge_kinds))
    answer = ask(access, resource_arn, action=action, max_hops=max_hops)
    if as_json:
        print_json(answer.to_json())
    else:
        print_who_can(answer)
