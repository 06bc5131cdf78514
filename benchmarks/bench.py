"""Benchmark of xpath-tui on synthetic organizations (SPEC section 7, issue 8).

Usage: python benchmarks/bench.py [--sizes 50,500,2000] [--seed 1] [--json] [--keep DIR]

Per size, one child process generates and writes the snapshot, and a second one loads it, builds
the graph, runs queries, evaluates requests, evaluates every resource's on-demand edges (the build
leaves the edges into resources from users and roles to the questions, graph.edges.lazy: the
who-can figures are cold and include that evaluation; "full evaluation" is what findings and
whole-graph exports pay) and opens the explorer headless; each child reports its
figures as JSON, so the peak memory of one size never pollutes another. A part of the product that
does not exist yet, or fails, is reported as "n/a (reason)" and the other figures still come out.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Figures = dict[str, Any]
"""Metric name to a number, or to a string "n/a (reason)"."""

_ACTIONS = {
    "AWS::S3::Bucket": "s3:GetObject",
    "AWS::KMS::Key": "kms:Decrypt",
    "AWS::SQS::Queue": "sqs:SendMessage",
    "AWS::SNS::Topic": "sns:Publish",
    "AWS::Lambda::Function": "lambda:InvokeFunction",
    "AWS::SecretsManager::Secret": "secretsmanager:GetSecretValue",
    "AWS::ECR::Repository": "ecr:BatchGetImage",
}
_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("generate_s", "generate", "s"),
    ("write_s", "write snapshot", "s"),
    ("snapshot_mib", "snapshot file", "MiB"),
    ("load_average_1m", "load average when measured", ""),
    ("load_s", "load", "s"),
    ("load_cpu_s", "load (CPU)", "s"),
    ("build_s", "graph build", "s"),
    ("build_cpu_s", "graph build (CPU)", "s"),
    ("graph_size", "graph nodes / eager edges", ""),
    ("peak_rss_build_mib", "peak memory, load + build", "MiB"),
    ("who_can_asked", "who-can: resources asked (a workload account's + org-wide grants)", ""),
    ("who_can_median_s", "who-can (median, cold: evaluates the resource's edges)", "s"),
    ("who_can_max_s", "who-can (max, cold)", "s"),
    ("who_can_max_cpu_s", "who-can (max, cold, CPU)", "s"),
    ("who_can_worst", "who-can: slowest resource (action, principals)", ""),
    ("paths_median_s", "paths (median)", "s"),
    ("explorer_first_screen_s", "explorer first screen", "s"),
    ("explorer_ready_s", "explorer ready (workers done)", "s"),
    ("evaluations_per_s", "evaluations / s", "/s"),
    ("full_evaluation_s", "full evaluation (every resource's edges but '*' grants' other accounts)", "s"),
    ("full_evaluation_cpu_s", "full evaluation (CPU)", "s"),
    ("on_demand_edges", "edges of the full evaluation", ""),
    ("peak_rss_mib", "peak memory, whole run", "MiB"),
)


_EXPLORER_KEYS = ("explorer_first_screen_s", "explorer_ready_s")


class Unavailable(Exception):
    """A part of the product the benchmark needs is not there (yet)."""


class OverTime(Unavailable):
    """A phase ran past the per-phase time limit."""


_PHASE_LIMIT = [600.0]
"""Seconds one phase may run in a child (`--phase-limit`); the figure is then "n/a (over N s)"."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise OverTime(f"over {_PHASE_LIMIT[0]:.0f} s")


@dataclass(frozen=True, slots=True)
class Timed:
    seconds: float
    value: Any
    cpu: float = 0.0
    """CPU time of this process (user + system): what other work on the machine does not inflate."""


def _timed(function: Callable[[], Any]) -> Timed:
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    value = function()
    return Timed(time.perf_counter() - start, value, time.process_time() - cpu)


def _peak_rss_mib() -> float:
    """Peak resident memory of this process (ru_maxrss is KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _import(module: str, *names: str) -> tuple[Any, ...]:
    try:
        imported = __import__(module, fromlist=list(names))
    except ModuleNotFoundError as error:
        raise Unavailable(f"{module} not built yet") from error
    missing = [name for name in names if not hasattr(imported, name)]
    if missing:
        raise Unavailable(f"{module} has no {', '.join(missing)} yet")
    return tuple(getattr(imported, name) for name in names)


def _measure(figures: Figures, keys: tuple[str, ...], function: Callable[[], dict[str, Any]]) -> None:
    """Run one measurement; on absence, overtime or failure, record the reason against each of its figures."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, _PHASE_LIMIT[0])
    try:
        figures.update(function())
    except Unavailable as missing:
        figures.update({key: f"n/a ({missing})" for key in keys if key not in figures})
    except Exception as error:  # one failing part must not hide the others' figures; the reason is shown
        reason = f"n/a (failed: {type(error).__name__}: {error})"[:160]
        figures.update({key: reason for key in keys if key not in figures})
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


# ---- child: generate ----------------------------------------------------------------------------


def child_generate(size: int, seed: int, path: Path) -> Figures:
    """Generate the organization and write it where the measuring child will read it."""
    from graph.synthetic import generate_organization

    figures: Figures = {}
    generated = _timed(lambda: generate_organization(size, seed))
    figures["generate_s"] = round(generated.seconds, 3)

    def write() -> dict[str, Any]:
        parse_snapshot, save_snapshot = _import("graph.snapshot", "parse_snapshot", "save_snapshot")
        written = _timed(lambda: save_snapshot(parse_snapshot(generated.value), path))
        return {"write_s": round(written.seconds, 3), "snapshot_mib": round(path.stat().st_size / 2**20, 3)}

    _measure(figures, ("write_s", "snapshot_mib"), write)
    return figures


# ---- child: measure -----------------------------------------------------------------------------


def child_measure(path: Path, samples: int) -> Figures:
    """Load, build, query, evaluate and open the explorer on one snapshot file."""
    figures: Figures = {"load_average_1m": round(os.getloadavg()[0], 2)}
    state: dict[str, Any] = {}

    def load() -> dict[str, Any]:
        (load_snapshot,) = _import("graph.snapshot", "load_snapshot")
        loaded = _timed(lambda: load_snapshot(path))
        state["snapshot"] = loaded.value
        return {"load_s": round(loaded.seconds, 3), "load_cpu_s": round(loaded.cpu, 3)}

    def build() -> dict[str, Any]:
        if "snapshot" not in state:
            raise Unavailable("no snapshot loaded")
        (build_graph,) = _import("graph.build", "build_graph")
        built = _timed(lambda: build_graph(state["snapshot"]))
        state["graph"] = built.value
        gc.freeze()  # as the CLI and the explorer do once their graph is built (graph.gc_pause.settle)
        graph = built.value.graph
        return {"build_s": round(built.seconds, 3), "build_cpu_s": round(built.cpu, 3), "graph_size": f"{graph.number_of_nodes()} / {graph.number_of_edges()}",
                "peak_rss_build_mib": _peak_rss_mib()}

    _measure(figures, ("load_s", "load_cpu_s"), load)
    _measure(figures, ("build_s", "build_cpu_s", "graph_size", "peak_rss_build_mib"), build)
    if "snapshot" in state:
        targets = _who_can_targets(state["snapshot"], state.get("graph"), samples)
        _measure(figures, ("who_can_asked", "who_can_median_s", "who_can_max_s", "who_can_max_cpu_s", "who_can_worst"),
                 lambda: _who_can(state, targets))
        _measure(figures, ("paths_median_s",), lambda: _paths(state))
        _measure(figures, ("evaluations_per_s",), lambda: _evaluations(state["snapshot"]))
        # last: it fills the memo the who-can figures above must find empty
        _measure(figures, ("full_evaluation_s", "full_evaluation_cpu_s", "on_demand_edges"), lambda: _full(state))
    figures["peak_rss_mib"] = _peak_rss_mib()
    return figures


def _middle_workload(snapshot: Any) -> Any:
    workloads = [a for a in snapshot.accounts if a.name and a.name.rsplit("-", 1)[-1].isdigit()]
    pool = workloads or list(snapshot.accounts)
    return pool[len(pool) // 2]


def _who_can_targets(snapshot: Any, graph: Any, samples: int) -> list[tuple[str, str]]:
    """Every resource of a workload account in the middle of the organization, plus the resources
    other accounts grant to the whole organization (`"*"` with an org condition: the largest answers),
    each with its type's typical action; `samples` > 0 keeps that many, spread over the types."""
    account = _middle_workload(snapshot)
    by_type: dict[str, list[str]] = {}
    for item in account.resources:
        by_type.setdefault(item.type, []).append(item.arn)
    targets: list[tuple[str, str]] = []
    wanted = samples if samples > 0 else sum(len(arns) for arns in by_type.values())
    while len(targets) < wanted and any(by_type.values()):
        for type_, arns in sorted(by_type.items()):
            if arns and len(targets) < wanted:
                targets.append((arns.pop(0), _ACTIONS.get(type_, "*")))
    lazy = getattr(graph, "lazy", None)
    resources = {item.arn: item for a in snapshot.accounts for item in a.resources}
    seen_types: set[str] = set()
    for arn in sorted(getattr(lazy, "star_targets", ())):
        found = resources.get(arn)
        if found is not None and found.type not in seen_types and found.account_id != account.id:
            seen_types.add(found.type)
            targets.append((arn, _ACTIONS.get(found.type, "*")))
    return targets


def _who_can(state: dict[str, Any], targets: list[tuple[str, str]]) -> dict[str, Any]:
    """Each target asked once, first: the time includes evaluating its edges on demand (graph.edges.lazy)."""
    if "graph" not in state:
        raise Unavailable("no graph built")
    (who_can,) = _import("graph.query", "who_can")
    timed = [_timed(lambda arn=arn, action=action: who_can(state["graph"], arn, action=action)) for arn, action in targets]
    times = [t.seconds for t in timed]
    worst = max(range(len(timed)), key=lambda i: timed[i].cpu)
    return {"who_can_asked": len(timed), "who_can_median_s": round(statistics.median(times), 4),
            "who_can_max_s": round(max(times), 4), "who_can_max_cpu_s": round(timed[worst].cpu, 4),
            "who_can_worst": f"{targets[worst][0]} ({targets[worst][1]}, {len(timed[worst].value.principals):,} principals)"}


def _full(state: dict[str, Any]) -> dict[str, Any]:
    """Every resource's on-demand edges evaluated, a `"*"` grant's other accounts aside (what the build paid
    before the laziness; `full_graph()`, for whole-graph exports and diffs, adds those O(accounts²) edges)."""
    if "graph" not in state:
        raise Unavailable("no graph built")
    lazy = getattr(state["graph"], "lazy", None)
    if lazy is None or not hasattr(lazy, "evaluate_heads"):
        raise Unavailable("the graph evaluates nothing on demand")
    from graph.gc_pause import collector_paused

    def evaluate() -> int:
        with collector_paused():
            return int(lazy.evaluate_heads())

    timed = _timed(evaluate)
    return {"full_evaluation_s": round(timed.seconds, 3), "full_evaluation_cpu_s": round(timed.cpu, 3),
            "on_demand_edges": timed.value}


def _paths(state: dict[str, Any]) -> dict[str, Any]:
    """From each consumer account to the exports bucket it reads (a cross-account role chain)."""
    if "graph" not in state:
        raise Unavailable("no graph built")
    (find_paths,) = _import("graph.query", "find_paths")
    snapshot = state["snapshot"]
    account = _middle_workload(snapshot)
    by_name = {a.name: a.id for a in snapshot.accounts}
    consumers = [by_name[r.name[len("xacct-"):-len("-reader")]] for r in account.roles
                 if r.name.startswith("xacct-") and r.name.endswith("-reader")]
    exports = next(r.arn for r in account.resources if r.arn.endswith(f"-exports-{account.id}"))
    pairs = [(consumer, exports) for consumer in consumers] or [(account.id, exports)]
    times = [_timed(lambda s=source, t=target: find_paths(state["graph"], s, t, action="s3:GetObject")).seconds
             for source, target in pairs]
    return {"paths_median_s": round(statistics.median(times), 4)}


def _evaluations(snapshot: Any) -> dict[str, Any]:
    (evaluate,) = _import("graph.policy", "evaluate")
    requests = build_requests(snapshot, limit=2000)
    if not requests:
        raise Unavailable("no requests could be drawn from the organization")
    start = time.perf_counter()
    rounds = 0
    while True:
        for request in requests:
            evaluate(request)
        rounds += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min(2.0, _PHASE_LIMIT[0] / 3):
            return {"evaluations_per_s": round(rounds * len(requests) / elapsed)}


def build_requests(snapshot: Any, limit: int) -> list[Any]:
    """Requests the graph builder would ask: roles of a few accounts against their own and their sources' resources.

    Each role's identity policies, boundary and SCP levels, the resource's policy and RCP levels, and
    the context the snapshot knows (graph.context), with the rest unknown.
    """
    Request, policy_from_text = _import("graph.policy", "Request", "policy_from_text")
    from graph import context as contexts
    from graph.org import OrgIndex

    org = OrgIndex.build(snapshot.organization)
    cache: dict[str, Any] = {}

    def policy(document: Any, policy_id: str) -> Any:
        if document.text not in cache:
            cache[document.text] = policy_from_text(document.text, policy_id=policy_id)
        return cache[document.text]

    def levels(found: Any) -> Any:
        return None if found is None else tuple(tuple(policy(p.document, p.id) for p in level) for level in found)

    accounts = {a.id: a for a in snapshot.accounts}
    workloads = [a for a in snapshot.accounts if a.name and a.name.rsplit("-", 1)[-1].isdigit()] or list(accounts.values())
    requests: list[Any] = []
    for account in workloads[: max(1, limit // 400)]:
        managed = {m.arn: m for m in account.managed_policies}
        neighbours = {arn.split(":")[4] for role in account.roles for inline in role.inline_policies
                      for arn in _strings_in(inline.document.as_dict()) if arn.startswith("arn:aws:sqs:")}
        resources = [r for other in sorted(neighbours | {account.id}) if other in accounts
                     for r in accounts[other].resources]
        for role in account.roles:
            identity = tuple(policy(i.document, f"{role.arn}/inline/{i.name}") for i in role.inline_policies) + tuple(
                policy(managed[arn].document, arn) for arn in role.managed_policy_arns if arn in managed)
            boundary = managed.get(role.permissions_boundary_arn or "")
            caller = contexts.for_role(role, org)
            for item in resources[:: max(1, len(resources) // 8)]:
                side = caller.merged(contexts.for_resource(item.account_id, org, contexts.resource_tags(item)))
                arn = f"{item.arn}/data/report.csv" if item.type == "AWS::S3::Bucket" else item.arn
                requests.append(Request(
                    principal=role.arn, action=_ACTIONS.get(item.type, "*"), resource=arn,
                    resource_account=item.account_id, identity_policies=identity,
                    permission_boundary=policy(boundary.document, boundary.arn) if boundary else None,
                    resource_policy=policy(item.policy, item.arn) if item.policy else None,
                    scps=levels(org.scp_levels(account.id)), rcps=levels(org.rcp_levels(item.account_id)),
                    context=side.as_request_context(), unknown_context=True, known_absent=side.known_absent,
                    resource_policy_kind="kms" if item.type == "AWS::KMS::Key" else "generic"))
                if len(requests) >= limit:
                    return requests
    return requests


def _strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings_in(item)]
    return []


def child_explorer(path: Path) -> None:
    """Time the explorer headless, loading the file as `xpath-tui --snapshot PATH` does.

    Prints one JSON line per figure as soon as it is known, so the parent keeps the first-screen
    time even when it has to kill this process while the graph is still building. First screen:
    from construction until the organization tree is shown (the snapshot is read in a worker, the
    graph still building). Ready: until the app's workers (graph build, findings) finish.
    """
    try:
        from tui.app import XPathApp
    except ModuleNotFoundError:
        print(json.dumps({key: "n/a (explorer not built)" for key in _EXPLORER_KEYS}), flush=True)
        return
    from tui.options import open_snapshot_or_demo

    async def session() -> None:
        start = time.perf_counter()
        app = XPathApp(lambda: open_snapshot_or_demo(str(path)))
        async with app.run_test(size=(160, 50)) as pilot:
            while app.catalog is None and app.load_error is None:
                await pilot.pause(0.01)
            await pilot.pause()
            if app.load_error:
                print(json.dumps({key: f"n/a (failed: {app.load_error})"[:160] for key in _EXPLORER_KEYS}), flush=True)
                return
            print(json.dumps({"explorer_first_screen_s": round(time.perf_counter() - start, 3)}), flush=True)
            await app.workers.wait_for_complete()
            print(json.dumps({"explorer_ready_s": round(time.perf_counter() - start, 3)}), flush=True)

    asyncio.run(session())


# ---- parent -------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """The machine the figures come from."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or "unknown"
    return {"cpu": model, "cores": len(os.sched_getaffinity(0)), "python": platform.python_version(),
            "platform": platform.platform()}


def _child_command(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--phase-limit", str(_PHASE_LIMIT[0]), "--child", *args]


def _run_child(*args: str) -> Figures:
    completed = subprocess.run(_child_command(*args), capture_output=True, text=True, cwd=ROOT, check=False)
    if completed.returncode != 0:
        lines = (completed.stderr.strip() or "no output").splitlines()
        return {"child_error": lines[-1][:200]}
    result: Figures = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def _run_explorer_child(path: Path) -> Figures:
    """The explorer figures; whatever is not printed within two phase limits is reported as over time."""
    limit = 2 * _PHASE_LIMIT[0]
    # its own process group: the explorer forks its graph build, which must die with it on a timeout
    child = subprocess.Popen(_child_command("explorer", str(path)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, cwd=ROOT, start_new_session=True)
    try:
        output, error = child.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        output, _ = child.communicate()
        error = ""
    finally:
        try:
            os.killpg(child.pid, signal.SIGKILL)  # whatever of the group is left (a forked build)
        except ProcessLookupError:
            pass  # the whole group has already exited
        child.wait()
    figures: Figures = {}
    for line in output.splitlines():
        if line.startswith("{"):
            figures.update(json.loads(line))
    reason = f"n/a (over {limit:.0f} s)" if not error.strip() else f"n/a (failed: {error.strip().splitlines()[-1]})"[:160]
    return {key: figures.get(key, reason) for key in _EXPLORER_KEYS}


def run(sizes: list[int], seed: int, samples: int, keep: Path | None) -> dict[str, Any]:
    """Benchmark every size, each in fresh child processes."""
    results = []
    with tempfile.TemporaryDirectory(prefix="xpath-bench-") as scratch:
        folder = keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            path = folder / f"synthetic-{size}-seed{seed}.json.gz"
            figures: Figures = {"accounts": size}
            figures.update(_run_child("generate", str(size), str(seed), str(path)))
            if path.exists():
                figures.update(_run_child("measure", str(path), str(samples)))
                figures.update(_run_explorer_child(path))
            else:
                reason = "n/a (no snapshot file was written)"
                figures.update({key: reason for key, _, _ in _COLUMNS if key not in figures})
            results.append(figures)
            print(f"measured {size} accounts", file=sys.stderr)
    return {"machine": machine(), "seed": seed, "results": results}


def _cell(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f} {unit}".strip() if value < 100 else f"{value:,.0f} {unit}".strip()
    if isinstance(value, int):
        return f"{value:,} {unit}".strip()
    return str(value)


def print_table(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    info = report["machine"]
    table = Table(title=f"xpath-tui benchmark · {info['cpu']} · {info['cores']} cores · Python {info['python']}"
                        f" · seed {report['seed']}")
    table.add_column("figure")
    for figures in report["results"]:
        table.add_column(f"{figures['accounts']:,} accounts", justify="right", overflow="fold")
    keys = list(_COLUMNS)
    if any("child_error" in f for f in report["results"]):
        keys.append(("child_error", "child process error", ""))
    for key, label, unit in keys:
        table.add_row(label, *(_cell(f.get(key), unit) for f in report["results"]))
    Console().print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,500,2000", help="comma-separated numbers of accounts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=0,
                        help="resources of the workload account asked who-can (0: all of them)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated snapshots in this directory")
    parser.add_argument("--phase-limit", type=float, default=600.0,
                        help="seconds one phase (load, build, who-can, ...) may take before it is reported as n/a")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _PHASE_LIMIT[0] = args.phase_limit
    if args.child:
        role, *rest = args.child
        if role == "explorer":
            child_explorer(Path(rest[0]))
        else:
            if role == "generate":
                figures = child_generate(int(rest[0]), int(rest[1]), Path(rest[2]))
            else:
                figures = child_measure(Path(rest[0]), int(rest[1]))
            print(json.dumps(figures), flush=True)
        sys.stderr.flush()
        os._exit(0)  # a graph build the explorer left running in a thread must not hold the child open
    try:
        sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    except ValueError:
        parser.error(f"--sizes: expected comma-separated integers, not {args.sizes!r}")
    report = run(sizes, args.seed, args.samples, args.keep)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
