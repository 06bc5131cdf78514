"""The embedded demo organization, the default data of every command.

In a wheel, `demo_data/` is packaged as `graph/demo_data/` (pyproject's force-include); in a
source checkout or an editable install it is read from `<repo>/demo_data/`.
"""

from __future__ import annotations

from pathlib import Path

from graph.model import Snapshot

DEMO_FILE = "demo.json"
_PACKAGED = Path(__file__).resolve().parent / "demo_data"
_CHECKOUT = Path(__file__).resolve().parent.parent / "demo_data"


def demo_snapshot_path() -> Path:
    """The path of the demo snapshot file, packaged or in the source checkout.

    Returns:
        The first of `graph/demo_data/demo.json` (installed) and `<repo>/demo_data/demo.json` that exists.

    Raises:
        FileNotFoundError: Neither exists (a broken installation).
    """
    for directory in (_PACKAGED, _CHECKOUT):
        candidate = directory / DEMO_FILE
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"the demo organization is missing: neither {_PACKAGED / DEMO_FILE} "
                            f"nor {_CHECKOUT / DEMO_FILE} exists")


def load_demo() -> Snapshot:
    """The demo organization as a snapshot model.

    Returns:
        The parsed, validated demo snapshot.
    """
    from graph.snapshot import load_snapshot

    return load_snapshot(demo_snapshot_path())
