"""No error is swallowed: every caught exception is reported or re-raised with context (issue 10).

Scans the product and benchmark sources (`graph/`, `tui/`, `benchmarks/`) with `ast`:
- a bare `except:` is never allowed (it also catches Ctrl-C and SystemExit);
- `except Exception` / `except BaseException` (or `contextlib.suppress` of them) must re-raise, or be
  one of the reviewed last-resort handlers below, each of which reports what it caught;
- a handler whose body only passes (`pass`, `...`, `continue`) must be a reviewed, narrow one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("graph", "tui", "benchmarks")

BROAD = frozenset({"Exception", "BaseException"})

REVIEWED_BROAD: dict[tuple[str, str], str] = {
    ("tui/cli.py", "main"): "last resort: a bug still gives one line on stderr and exit 2 (traceback with --debug)",
    ("benchmarks/bench.py", "_measure"): "a failing part is reported as 'n/a (failed: ...)' beside the others' figures",
    ("benchmarks/fuzz.py", "run"): "the long fuzz run records each distinct failure with its input and goes on",
}
"""(file, enclosing function) of broad handlers that report what they caught, with why they are broad."""

REVIEWED_PASS: dict[tuple[str, str, str], str] = {
    ("benchmarks/bench.py", "_run_explorer_child", "ProcessLookupError"): "the child's process group has already exited",
}
"""(file, enclosing function, caught type) of narrow handlers that only pass, with why nothing is lost."""


@dataclass(frozen=True, slots=True)
class Handler:
    """One `except` clause found in the sources."""

    path: str
    line: int
    function: str
    caught: str
    """The caught type(s) as written, or `<bare>`."""
    reraises: bool
    only_passes: bool


def _names(node: ast.expr | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, ast.Tuple):
        return set().union(*(_names(element) for element in node.elts))
    return {ast.unparse(node).rsplit(".", 1)[-1]}


def _only_passes(body: list[ast.stmt]) -> bool:
    return all(isinstance(statement, ast.Pass | ast.Continue)
               or (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
               for statement in body)


def handlers(source: str, path: str) -> Iterator[Handler]:
    """Every `except` clause of a module, and every `contextlib.suppress(...)` as a handler that only passes."""
    tree = ast.parse(source, filename=path)
    for function in [tree, *[n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]]:
        name = getattr(function, "name", "<module>")
        nested = {id(n) for inner in ast.iter_child_nodes(function) if isinstance(inner, ast.FunctionDef |
                  ast.AsyncFunctionDef | ast.ClassDef) for n in ast.walk(inner)}
        for node in ast.walk(function):
            if id(node) in nested:
                continue  # belongs to an inner function, visited as its own
            if isinstance(node, ast.ExceptHandler):
                caught = "<bare>" if node.type is None else ast.unparse(node.type)
                reraises = any(isinstance(inner, ast.Raise) for inner in ast.walk(node))
                yield Handler(path, node.lineno, name, caught, reraises, _only_passes(node.body))
            elif (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("suppress")
                  and node.args):
                yield Handler(path, node.lineno, name, ", ".join(ast.unparse(a) for a in node.args), False, True)


def violations(found: list[Handler]) -> list[str]:
    """Why each handler breaks the rule (empty when none does)."""
    problems = []
    for handler in found:
        where = f"{handler.path}:{handler.line} in {handler.function}()"
        caught = _names(ast.parse(handler.caught, mode="eval").body) if handler.caught != "<bare>" else set()
        if handler.caught == "<bare>":
            problems.append(f"{where}: bare `except:` (catches Ctrl-C too); name what is expected")
        elif caught & BROAD and handler.only_passes:
            problems.append(f"{where}: `except {handler.caught}` that only passes swallows every error")
        elif caught & BROAD and not handler.reraises and (handler.path, handler.function) not in REVIEWED_BROAD:
            problems.append(f"{where}: `except {handler.caught}` neither re-raises nor is a reviewed last resort")
        elif handler.only_passes and not caught & BROAD and not any(
                (handler.path, handler.function, name) in REVIEWED_PASS for name in caught):
            problems.append(f"{where}: `except {handler.caught}` only passes: report it, or review it here")
    return problems


@lru_cache(maxsize=1)
def _found() -> tuple[Handler, ...]:
    found: list[Handler] = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            found += handlers(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    return tuple(found)


def test_no_source_file_swallows_an_error() -> None:
    found = list(_found())
    assert len(found) > 20  # the scan sees the code base's handlers at all
    assert violations(found) == []


def test_every_reviewed_exception_still_exists() -> None:
    # a stale entry would quietly allow a new handler of the same name elsewhere in that function
    found = _found()
    broad = {(h.path, h.function) for h in found if _names(ast.parse(h.caught, mode="eval").body) & BROAD}
    assert set(REVIEWED_BROAD) <= broad
    passing = {(h.path, h.function, name) for h in found if h.only_passes and h.caught != "<bare>"
               for name in _names(ast.parse(h.caught, mode="eval").body)}
    assert set(REVIEWED_PASS) <= passing


@pytest.mark.parametrize("snippet, expected", [
    ("try:\n    f()\nexcept Exception:\n    pass\n", "only passes swallows every error"),
    ("try:\n    f()\nexcept:\n    pass\n", "bare `except:`"),
    ("def g():\n    try:\n        f()\n    except (ValueError, BaseException) as e:\n        log(e)\n",
     "neither re-raises nor is a reviewed last resort"),
    ("def g():\n    with contextlib.suppress(Exception):\n        f()\n", "only passes swallows every error"),
    ("def g():\n    try:\n        f()\n    except KeyError:\n        ...\n", "only passes: report it"),
])
def test_the_scanner_catches_each_kind_of_swallowing(snippet: str, expected: str) -> None:
    [problem] = violations(list(handlers(snippet, "graph/example.py")))
    assert expected in problem


@pytest.mark.parametrize("snippet", [
    "try:\n    f()\nexcept Exception as error:\n    raise QueryError(str(error)) from error\n",
    "try:\n    f()\nexcept KeyError as error:\n    problems.append(str(error))\n",
])
def test_the_scanner_accepts_reported_or_reraised_errors(snippet: str) -> None:
    assert violations(list(handlers(snippet, "graph/example.py"))) == []
