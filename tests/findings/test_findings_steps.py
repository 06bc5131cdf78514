"""`findings` names the step it is at (a minute or more at 500 accounts): the steps come in the order
the work is done, and a run whose stderr is not a terminal prints none of them."""

from __future__ import annotations

from graph.build import build_graph
from graph.demo import load_demo
from graph.findings import all_checks, run_findings


def test_steps_name_each_check_the_graph_build_and_the_external_search_in_order():
    steps: list[str] = []
    report = run_findings(load_demo(), on_step=steps.append)
    checks = all_checks()
    assert steps[-1].startswith("external access")
    assert steps.count("building the access graph") == 1
    named = [step for step in steps if step.startswith("check ")]
    assert named == [f"check {n}/{len(checks)}: {c.info.id} {c.info.name}" for n, c in enumerate(checks, 1)]
    # the graph is built right before the first check that reads it, not earlier
    first_graph = next(n for n, c in enumerate(checks, 1) if c.needs_graph)
    assert steps.index("building the access graph") == steps.index(named[first_graph - 1]) - 1
    assert report.external is not None


def test_a_graph_given_is_not_built_again_and_without_graph_no_external_step():
    snapshot = load_demo()
    steps: list[str] = []
    run_findings(build_graph(snapshot), snapshot=snapshot, on_step=steps.append)
    assert "building the access graph" not in steps
    steps.clear()
    run_findings(snapshot, with_graph=False, on_step=steps.append)
    assert steps and not any(s.startswith(("external", "building")) for s in steps)


def test_the_command_shows_the_steps_on_a_terminal_only(monkeypatch, capsys):
    from tui.commands.findings import _steps_shown

    with _steps_shown(False) as on_step:
        assert on_step is None  # stderr not a terminal: a pipe or a CI log gets no spinner
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then treats stderr as a terminal
    monkeypatch.setenv("TERM", "xterm")
    with _steps_shown(True) as on_step:
        assert on_step is not None
        on_step("check 3/13: XPT-TRUST-003 Example")
    assert "findings: check 3/13: XPT-TRUST-003 Example" in capsys.readouterr().err
