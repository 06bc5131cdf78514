"""Table output on the demo: why a hop is conditional, which statement grants it, and literal text.

A conditional hop must say why (a user seeing "conditional" with no reason cannot act on it), and
values from the snapshot (`false` in `[...]`, names with Rich markup) must print as typed: Rich
would otherwise read `[false]` or `[bold]` as markup and drop it.
"""

from __future__ import annotations

from pathlib import Path

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


def test_who_can_with_hundreds_of_principals_lists_every_one_under_its_account(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Above 300 principals the table becomes a list (rich took ~20 s to lay out 8,500 boxed rows):
    the same principals, statuses and paths, one heading per account."""
    import json

    path = str(tmp_path / "org20.json.gz")
    _run(capsys, "demo", "generate", "--accounts", "20", "--seed", "1", "-o", path)
    # the shared-services ECR repository is readable by the whole organization ('*' + aws:PrincipalOrgID)
    from graph.snapshot import load_snapshot
    snapshot = load_snapshot(path)
    arn = next(r.arn for a in snapshot.accounts for r in a.resources if r.arn.endswith(":repository/base-images"))
    answer = json.loads(_run(capsys, "who-can", arn, "--action", "ecr:BatchGetImage", "--snapshot", path, "--json"))
    principals = answer["principals"]
    assert len(principals) > 300
    out = _run(capsys, "who-can", arn, "--action", "ecr:BatchGetImage", "--snapshot", path)
    assert "┃" not in out  # no boxed table
    lines = out.splitlines()
    headings = {line.removeprefix("account "): number for number, line in enumerate(lines) if line.startswith("account ")}
    assert set(headings) == {p["account"] or "-" for p in principals}
    entries = [line for line in lines if line.startswith("  ") and not line.startswith("    ")]
    assert len(entries) == len(principals)
    for principal in principals:
        hops = principal["hops"]
        name = principal["principal"]
        readable = name.split(":", 5)[5] + f" ({name.split(':')[4]})" if name.startswith("arn:aws:iam:") else name
        expected = f"  {readable} · {principal['kind']} · {principal['status']} · {hops} hop{'' if hops == 1 else 's'}"
        assert expected in entries, expected
    assert f"{len(principals):,} principals in {len(headings):,} accounts" in out
