"""`xpath-tui simulate REQUEST.json|-`: evaluate one request, or a list of them (SPEC section 5)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from graph.errors import RequestError


def _read(source: str) -> Any:
    """Read and decode the request file (or stdin for `-`)."""
    name = "<stdin>" if source == "-" else source
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise RequestError(f"cannot read: {error.strerror or error}", name) from None
    except UnicodeDecodeError:
        raise RequestError("not UTF-8 text", name) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise RequestError(f"not valid JSON: {error.msg}", f"{name}:{error.lineno}:{error.colno}") from None
    except RecursionError:
        raise RequestError("JSON nested too deeply to read", name) from None


@click.command("simulate")
@click.argument("request_file", metavar="REQUEST.json|-")
@click.option("--unknown-context", is_flag=True,
              help="Treat condition keys missing from the context as unknown: the answer may be "
                   "'conditional' with the conditions it needs.")
@click.option("--explain", "explain_flag", is_flag=True,
              help="Print a readable trace: which statement decided and why the others did not apply.")
@click.option("--json", "as_json", is_flag=True,
              help="JSON output (the default); with --explain, adds the trace as an 'explain' list.")
def simulate(request_file: str, unknown_context: bool, explain_flag: bool, as_json: bool) -> None:
    """Evaluate REQUEST.json (or stdin with -) exactly as AWS would.

    The file holds one request or a JSON list of requests; the answer is one result, or the
    list of results in order. Decisions use AWS's words: allowed, explicitDeny, implicitDeny
    (and conditional with --unknown-context).
    """
    from dataclasses import replace

    from graph.policy import evaluate, explain, request_from_json

    raw = _read(request_file)
    many = isinstance(raw, list)
    items = raw if many else [raw]
    requests = [request_from_json(item, location=f"request[{index}]" if many else "request")
                for index, item in enumerate(items)]
    if unknown_context:
        requests = [replace(request, unknown_context=True) for request in requests]
    if explain_flag and not as_json:
        blocks = ["\n".join(explain(request)) for request in requests]
        click.echo("\n\n".join(blocks))
        return
    results: list[dict[str, Any]] = []
    for request in requests:
        result = evaluate(request).to_json()
        if explain_flag:
            result["explain"] = explain(request)
        results.append(result)
    click.echo(json.dumps(results if many else results[0], indent=2))
