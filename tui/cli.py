"""The `xpath-tui` command line.

stdout carries data only (tables, or JSON with `--json`); errors go to stderr as one line, and
the exit code says what happened (`graph.errors.ExitCode`). Each subcommand lives in its own
module under `tui/commands/` and imports heavy things (Textual, boto3) inside its function, so
`xpath-tui who-can ... --json` never loads the explorer.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from graph.errors import ExitCode, XPathError

# (module under tui.commands, attribute): one entry per subcommand.
_SUBCOMMANDS: tuple[tuple[str, str], ...] = (
    ("validate", "validate"),
    ("simulate", "simulate"),
    ("who_can", "who_can"),
    ("paths", "paths"),
    ("reach", "reach"),
    ("export", "export"),
    ("collect", "collect"),
    ("findings", "findings"),
    ("diff", "diff"),
    ("demo", "demo"),
)


class _Group(click.Group):
    """Loads each subcommand module on first use, so startup stays fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, _ in self._available()]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for name, command in self._available():
            if name == cmd_name:
                return command
        return None

    def _available(self) -> list[tuple[str, click.Command]]:
        found = []
        for module_name, attribute in _SUBCOMMANDS:
            try:
                module = importlib.import_module(f"tui.commands.{module_name}")
            except ModuleNotFoundError as error:
                if error.name == f"tui.commands.{module_name}":
                    continue  # not built yet
                raise
            command = getattr(module, attribute)
            found.append((command.name or module_name, command))
        return found


@click.group(cls=_Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--snapshot", "snapshot_path", type=click.Path(dir_okay=False), default=None,
              help="Snapshot to open (.json or .json.gz); the embedded demo organization by default.")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error (for bug reports).")
@click.option("--edges", "edge_kinds", default=None, metavar="KINDS",
              help="Explorer only: edge kinds to use, comma-separated, or '-kind' to leave one out.")
@click.pass_context
def cli(ctx: click.Context, snapshot_path: str | None, debug: bool, edge_kinds: str | None = None) -> None:
    """Explore AWS cross-account access paths: who can reach what, and by which path.

    Without a subcommand, opens the interactive explorer.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    ctx.obj["snapshot"] = snapshot_path
    if ctx.invoked_subcommand is None:
        from tui.commands.explore import run_explorer
        from tui.options import parse_edge_kinds

        run_explorer(snapshot_path, parse_edge_kinds(edge_kinds))


def _visible(text: str) -> str:
    """An error message quoting snapshot or argument text, with its escape sequences made harmless (one line)."""
    from tui.literal import visible

    return visible(text).replace("\n", "\\n")


def main(argv: list[str] | None = None) -> Any:
    """Entry point: runs the command and maps every failure to one line on stderr and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        # Without standalone mode, click returns the code of `ctx.exit(code)` instead of exiting.
        returned = cli.main(args=args, prog_name="xpath-tui", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("xpath-tui: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        if debug:
            raise
        click.echo(f"xpath-tui: error: {_visible(error.format_message())}", err=True)
        sys.exit(ExitCode.BAD_INPUT)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except XPathError as error:
        if debug:
            raise
        click.echo(f"xpath-tui: error: {_visible(str(error))}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("xpath-tui: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as error:  # a bug: still one line unless --debug
        if debug:
            raise
        click.echo(f"xpath-tui: internal error: {type(error).__name__}: {_visible(str(error))} "
                   "(rerun with --debug for the traceback)",
                   err=True)
        sys.exit(ExitCode.BAD_INPUT)
    sys.exit(returned if isinstance(returned, int) else ExitCode.OK)


if __name__ == "__main__":
    main()
