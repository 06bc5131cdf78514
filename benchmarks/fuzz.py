"""Long fuzzing run (issue 10, item 1): the suite's properties, for minutes instead of seconds.

Usage: python benchmarks/fuzz.py --minutes N [--targets a,b] [--json]

The targets and the contract they check live in `tests/robustness/fuzzing.py`: every input must
end in a result or a clean `XPathError` (one line, with a location), never another exception, and
the snapshot validator and reader must agree. Unlike the suite, a failing input does not stop the
run: each distinct failure (exception type and the line that raised it) is recorded once with the
input that caused it, and the run goes on. The exit code is 1 when any failure was found.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.robustness.fuzzing import (  # noqa: E402
    GraphCheck, Outcome, check_policy, check_request, check_simulate_cli, check_snapshot, check_snapshot_file,
    json_values, mutated_demo_snapshots, mutated_policies, new_runner, requests, snapshot_bytes,
)

_BATCH = 50
"""Examples per hypothesis run; the run repeats batches, each from a fresh random seed."""


@dataclass(frozen=True, slots=True)
class Target:
    """One thing to fuzz: where inputs come from and what must hold for each."""

    name: str
    inputs: st.SearchStrategy[Any]
    check: Callable[[Any], Outcome]
    weight: int
    """Share of the run's time (the slow, deep targets get more)."""


@dataclass(slots=True)
class Tally:
    """What one target saw."""

    examples: int = 0
    seconds: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    """Failure signature -> the exception, where it was raised, and the input (truncated)."""


def _targets(folder: Path) -> tuple[Target, ...]:
    runner = new_runner()
    header = st.fixed_dictionaries({"format": st.just("xpath-snapshot"), "version": st.just(1)},
                                   optional={"collected_at": json_values, "source": json_values,
                                             "organization": json_values, "accounts": json_values})
    return (
        Target("snapshot: arbitrary JSON", json_values, check_snapshot, 1),
        Target("snapshot: arbitrary JSON with a valid header", header, check_snapshot, 1),
        Target("snapshot: mutated demo", mutated_demo_snapshots(6), check_snapshot, 3),
        Target("snapshot: mutated demo, graph built", mutated_demo_snapshots(2),
               lambda raw: check_snapshot(raw, GraphCheck.BUILD), 3),
        Target("snapshot: damaged file", st.tuples(snapshot_bytes(), st.sampled_from([".json", ".json.gz"])),
               lambda pair: check_snapshot_file(pair[0], folder, pair[1]), 1),
        Target("policy: arbitrary JSON", json_values, check_policy, 1),
        Target("policy: mutated real policies", mutated_policies(4), check_policy, 2),
        Target("evaluator: requests from mutated parts", requests(), check_request, 2),
        Target("evaluator: arbitrary JSON requests", json_values, check_request, 1),
        Target("simulate CLI", st.one_of(requests(), st.lists(requests(), max_size=3), json_values, st.text()),
               lambda raw: check_simulate_cli(raw, runner), 1),
    )


def _describe(value: Any) -> str:
    try:
        text = json.dumps(value, default=repr)
    except (TypeError, ValueError, RecursionError) as error:
        text = f"<not JSON: {type(error).__name__}> {value!r}"
    return text if len(text) <= 600 else text[:600] + f"... ({len(text)} characters)"


def _batch(target: Target, tally: Tally) -> None:
    @settings(max_examples=_BATCH, deadline=None, database=None, derandomize=False, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(target.inputs)
    def run(value: Any) -> None:
        tally.examples += 1
        try:
            tally.outcomes[target.check(value).value] += 1
        except Exception as error:  # the run records every distinct failure and goes on; the report lists them
            frame = traceback.extract_tb(error.__traceback__)[-1]
            signature = f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}"
            tally.outcomes["FAILURE"] += 1
            if signature not in tally.failures:
                tally.failures[signature] = f"{type(error).__name__}: {str(error)[:300]} | input: {_describe(value)}"

    run()


def fuzz(minutes: float, names: list[str] | None) -> dict[str, Tally]:
    """Runs the targets round-robin, each for its share of `minutes`; returns what each saw."""
    with tempfile.TemporaryDirectory() as folder:
        targets = [t for t in _targets(Path(folder)) if names is None or t.name in names]
        total_weight = sum(t.weight for t in targets)
        budget = {t.name: minutes * 60 * t.weight / total_weight for t in targets}
        tallies = {t.name: Tally() for t in targets}
        pending = list(targets)
        while pending:
            for target in list(pending):
                tally = tallies[target.name]
                start = time.process_time()
                _batch(target, tally)
                tally.seconds += time.process_time() - start
                if tally.seconds >= budget[target.name]:
                    pending.remove(target)
        return tallies


def main(argv: list[str] | None = None) -> int:
    """Command line of the long fuzzing run (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="CPU minutes in all (shared by the targets)")
    parser.add_argument("--targets", default=None, help="comma-separated target names (default: all)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    options = parser.parse_args(argv)
    names = options.targets.split(",") if options.targets else None
    started = time.monotonic()
    tallies = fuzz(options.minutes, names)
    report = {
        "cpu_minutes": options.minutes, "wall_minutes": round((time.monotonic() - started) / 60, 1),
        "targets": {name: {"examples": t.examples, "cpu_s": round(t.seconds, 1), "outcomes": dict(t.outcomes),
                           "failures": t.failures} for name, t in tallies.items()},
    }
    if options.json:
        print(json.dumps(report, indent=2))
    else:
        for name, tally in tallies.items():
            print(f"{name}: {tally.examples} inputs in {tally.seconds:.0f} s CPU; {dict(tally.outcomes)}")
            for signature, detail in tally.failures.items():
                print(f"    FAILURE {signature}: {detail}")
        print(f"total: {sum(t.examples for t in tallies.values())} inputs, "
              f"{sum(len(t.failures) for t in tallies.values())} distinct failures")
    return 1 if any(t.failures for t in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
