"""The explorer's way to its first screen loads no module it does not need there.

Each of these costs a tenth of a second or more of CPU before the tree can show (measured with
`python -X importtime`): the evaluator and networkx are for the graph build (in the background,
after the first screen), jsonschema only explains a document that failed the schema gate, pygments
only highlights a policy once one is shown, boto3 is for `collect`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_BEFORE_THE_FIRST_SCREEN = ("graph.policy", "graph.build", "networkx", "jsonschema", "pygments", "boto3")

_PROBE = """
import json, sys
from tui.cli import cli  # what `xpath-tui --snapshot PATH` imports, up to the explorer
from tui.commands.explore import run_explorer
from tui.app import XPathApp
from tui.options import open_snapshot_or_demo, parse_edge_kinds
from graph.snapshot import decode_snapshot
parse_edge_kinds(None)  # what the command does without --edges
print(json.dumps(sorted(sys.modules)))
"""


def test_the_first_screen_needs_neither_the_evaluator_nor_jsonschema_nor_pygments() -> None:
    completed = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(completed.stdout))
    early = sorted(name for name in loaded
                   if any(name == heavy or name.startswith(f"{heavy}.") for heavy in NOT_BEFORE_THE_FIRST_SCREEN))
    assert early == []
