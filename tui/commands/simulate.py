"""`xpath-tui simulate REQUEST.json|-`: evaluate one request, or a list of them (SPEC section 5)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from graph.errors import RequestError, XPathError


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

    text_mode = explain_flag and not as_json

    def answer(item: Any, location: str) -> dict[str, Any] | str:
        """One request's answer: the trace text in text mode, else the JSON result."""
        request = request_from_json(item, location=location)
        if unknown_context:
            request = replace(request, unknown_context=True)
        if text_mode:
            return "\n".join(explain(request))
        result = evaluate(request).to_json()
        if explain_flag:
            result["explain"] = explain(request)
        return result

    raw = _read(request_file)
    if not isinstance(raw, list):
        single = answer(raw, "request")
        click.echo(single if isinstance(single, str) else json.dumps(single, indent=2))
        return

    # A list: a request that is bad input gets an error entry in its place, so one bad row does
    # not hide the answers to thousands of good ones; the command still exits 2 and names it.
    answers: list[dict[str, Any] | str] = []
    refused: list[XPathError] = []
    for index, item in enumerate(raw):
        try:
            answers.append(answer(item, f"request[{index}]"))
        except XPathError as error:
            refused.append(error)
            answers.append(f"error: {error}" if text_mode else {"error": error.message, "location": error.location})
    click.echo("\n\n".join(map(str, answers)) if text_mode else json.dumps(answers, indent=2))
    if refused:
        first = refused[0]
        raise RequestError(f"{first.message} ({len(refused)} of {len(raw)} requests refused, each answered "
                           "with its error)", first.location)
