"""Table output on the demo: why a hop is conditional, which statement grants it, and literal text.

A conditional hop must say why (a user seeing "conditional" with no reason cannot act on it), and
values from the snapshot (`false` in `[...]`, names with Rich markup) must print as typed: Rich
would otherwise read `[false]` or `[bold]` as markup and drop it.
"""

from __future__ import annotations

import pytest

from tui.cli import main
from tui.output import literal


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_paths_table_says_why_a_hop_is_conditional_and_what_grants_it(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, "paths", "--from", "111111111111", "--to", "arn:aws:s3:::shared-data-bucket",
               "--action", "s3:GetObject", "--limit", "1")
    # the bucket policy's DenyInsecureTransport (Bool aws:SecureTransport "false") makes every path conditional
    assert "denied if aws:SecureTransport Bool [false]" in out
    # the bucket-policy grant to dev's root is statement 2, Sid DevAccountRead
    assert "statement 2 (DevAccountRead)" in " ".join(out.split())


def test_markup_in_names_is_printed_literally() -> None:
    text = literal("role/[bold]evil[/bold]\x1b[31m")
    assert text.plain == "role/[bold]evil[/bold]\\x1b[31m"
    assert not text.spans
