"""`make bench`: cold start, warm CPU, AWS calls, local throughput and modelled cost, side by side
with baselines measured in the same run. Prints one table and writes bench/results.json.

    python -m infra.bench [--smoke] [--pairs 10] [--calls 1000] [--sizes 500,10000] [--out PATH]

--smoke runs every section, bounded (make test runs it: it must run, not meet the targets).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.bench import calls, cold, cost, throughput, tracing_cold, warm
from infra.local.template import ROOT

# The targets of issues 9 and 17, checked against what was measured.
TARGETS = {
    "cold_init_instruction_ratio_max": 1.45,  # as packaged, counted by cachegrind
    "cold_rss_over_baseline_mib_max": 15,
    "warm_first_us_max": 350,  # issue 17: the least of the runs' medians
    "warm_duplicate_us_max": 200,
    "first_notify_reads_max": 1,
    "first_notify_writes_max": 1,  # the transition and its audit are one write
    "duplicate_notify_writes_max": 0,
    "duplicate_notify_publisher_invocations_max": 0,
    "throughput_ratio_min": 0.5,
    "h5_lite_dollars_per_1000_max": 0.015,
}


def _stack(environment: dict[str, str]) -> subprocess.Popen[bytes]:
    from infra.local.endpoints import Endpoints, reachable
    from infra.local.stack import start_stack

    endpoints = Endpoints.from_environment()
    if reachable(endpoints.gateway):
        raise SystemExit(f"bench: something already listens on {endpoints.gateway}; stop it first (make serve?)")
    return start_stack(environment, "bench-stack.log")


def _stop(stack: subprocess.Popen[bytes]) -> None:
    """Stop the stack and wait until its ports are free again (make test starts another after this)."""
    from infra.local.endpoints import Endpoints, reachable

    stack.terminate()
    stack.wait(timeout=30)
    endpoints = Endpoints.from_environment()
    deadline = time.monotonic() + 15
    while any(reachable(url) for url in (endpoints.gateway, endpoints.sandbox, endpoints.aws)):
        if time.monotonic() > deadline:
            raise SystemExit("bench: the local stack did not stop")
        time.sleep(0.2)


def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "platform": platform.platform()},
        "smoke": args.smoke,
        "targets": TARGETS,
    }
    print("bench: cold init", flush=True)
    # Smoke: cachegrind on the callbacks only (a run under it takes seconds of CPU per function).
    counted = ["h5_lite_callbacks"] if args.smoke else None
    results["cold"] = [result.summary() for result in cold.measure(args.pairs, counted=counted)]
    print("bench: what tracing costs a cold start", flush=True)
    results["cold_tracing"] = tracing_cold.measure(args.pairs, only=counted)
    if not args.smoke:
        print("bench: cold init floor, stage by stage", flush=True)
        results["cold_floor"] = cold.floor()
    print("bench: warm CPU per notify", flush=True)
    results["warm"] = warm.measure(args.calls, count_floor=not args.smoke)
    # The local stack for the AWS calls: counted in its process, the reconciler out of the way.
    from infra.local.client import LocalClient
    from infra.local.endpoints import Endpoints
    from infra.local.stack import use_local_aws

    endpoints = Endpoints.from_environment()
    stack = _stack({"LOCAL_COUNT_AWS_CALLS": "1", "LOCAL_SCHEDULE_SECONDS": "3600"})
    try:
        use_local_aws(endpoints)
        print("bench: AWS calls per verification", flush=True)
        results["calls"] = calls.measure(LocalClient(endpoints))
    finally:
        _stop(stack)
    # As deployed by default (Webhooks=Disabled), and beside it what webhooks add (the stack ran them)
    results["cost_per_1000"] = {
        channel: cost.deployed_by_default(counts)
        for channel, counts in results["calls"].items()
        if channel in cost.CHANNELS
    }
    results["cost_webhooks"] = cost.webhooks(results["calls"])
    results["cost_model"] = cost.model(results["calls"])
    # Throughput on a moto server of its own: nothing else (no publisher, no subscriber) shares it.
    print("bench: local notify throughput", flush=True)
    results["throughput"] = throughput.measure(args.sizes, args.notifies)
    results["checks"] = checks(results)
    return results


def checks(results: dict[str, Any]) -> dict[str, bool]:
    first, duplicate = results["calls"]["first_notify"], results["calls"]["duplicate_notify"]
    return {
        "cold_init_instructions": all(
            r["instruction_ratio"] is not None and r["instruction_ratio"] <= TARGETS["cold_init_instruction_ratio_max"]
            for r in results["cold"]
        ),
        "cold_rss": all(
            r["rss_mib"] - r["baseline_rss_mib"] <= TARGETS["cold_rss_over_baseline_mib_max"] for r in results["cold"]
        ),
        "warm_first": results["warm"]["first_us_least_run"] <= TARGETS["warm_first_us_max"],
        "warm_duplicate": results["warm"]["duplicate_us_least_run"] <= TARGETS["warm_duplicate_us_max"],
        "first_notify_calls": first["reads"] <= TARGETS["first_notify_reads_max"]
        and first["writes"] <= TARGETS["first_notify_writes_max"],
        "duplicate_notify_calls": duplicate["writes"] <= TARGETS["duplicate_notify_writes_max"]
        and duplicate["invocations"].get("PublisherFunction", 0)
        <= TARGETS["duplicate_notify_publisher_invocations_max"],
        "throughput": all(r["ratio"] >= TARGETS["throughput_ratio_min"] for r in results["throughput"]),
        "h5_lite_cost": results["cost_per_1000"]["h5_lite"]["total"] <= TARGETS["h5_lite_dollars_per_1000_max"],
    }


def figures(results: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """Each check's measured figure (the worst where there are several) and its target, as printed."""
    first, duplicate = results["calls"]["first_notify"], results["calls"]["duplicate_notify"]
    counted = [r["instruction_ratio"] for r in results["cold"] if r["instruction_ratio"] is not None]
    w = results["warm"]
    return [
        ("cold_init_instructions", max(counted), f"<= {TARGETS['cold_init_instruction_ratio_max']}x"),
        (
            "cold_rss",
            max(round(r["rss_mib"] - r["baseline_rss_mib"], 1) for r in results["cold"]),
            f"<= +{TARGETS['cold_rss_over_baseline_mib_max']} MiB",
        ),
        ("warm_first", w["first_us_least_run"], f"<= {TARGETS['warm_first_us_max']} us"),
        ("warm_duplicate", w["duplicate_us_least_run"], f"<= {TARGETS['warm_duplicate_us_max']} us"),
        ("first_notify_calls", f"{first['reads']} / {first['writes']}", "<= 1 / 1"),
        ("duplicate_notify_calls", f"{duplicate['reads']} / {duplicate['writes']}", "writes 0"),
        ("throughput", min(r["ratio"] for r in results["throughput"]), f">= {TARGETS['throughput_ratio_min']}x"),
        (
            "h5_lite_cost",
            results["cost_per_1000"]["h5_lite"]["total"],
            f"<= ${TARGETS['h5_lite_dollars_per_1000_max']}",
        ),
    ]


CEILINGS = ROOT / "bench" / "ceilings.json"


def counted(results: dict[str, Any]) -> dict[str, float]:
    """The instruction figures this run counted (a smoke run counts the callbacks' cold init only)."""
    figures: dict[str, float] = {
        f"cold_instruction_ratio.{r['function']}": r["instruction_ratio"]
        for r in results["cold"]
        if r["instruction_ratio"] is not None
    }
    return figures | {
        f"warm_{kind}_instructions": results["warm"][f"{kind}_instructions"] for kind in ("first", "duplicate")
    }


def ceilings(results: dict[str, Any]) -> list[tuple[str, float, float, bool]]:
    """This run's instruction counts against the ceilings in bench/ceilings.json (the last accepted
    figures plus a margin): deterministic, so a change that costs more fails `make test`'s smoke
    run whatever the machine's load. A figure without a ceiling fails too."""
    recorded: dict[str, float] = json.loads(CEILINGS.read_text())["ceilings"] if CEILINGS.exists() else {}
    return [
        (name, value, recorded.get(name, 0), value <= recorded.get(name, 0)) for name, value in counted(results).items()
    ]


def record_ceilings(results: dict[str, Any], margin: float) -> None:
    """bench/ceilings.json: this run's counts, `margin` above them, over those recorded before."""
    before = json.loads(CEILINGS.read_text())["ceilings"] if CEILINGS.exists() else {}
    document = {
        "why": "instruction counts of make bench (cachegrind, deterministic), recorded by --record-ceilings with"
        " the margin above them; make bench, and make test's smoke run, fail when a count exceeds its ceiling",
        "margin": margin,
        "recorded": results["when"],
        "ceilings": before
        | {
            name: round(value * (1 + margin), 3) if isinstance(value, float) else round(value * (1 + margin))
            for name, value in counted(results).items()
        },
    }
    CEILINGS.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def table(results: dict[str, Any]) -> str:
    lines = ["", "cold init as packaged vs boto3 + the same clients (CPU of A/B pairs; cachegrind instructions)"]
    header = f"{'CPU ms':>8}{'base':>7}{'ratio med':>10}{'min':>6}{'instr ratio':>12}{'RSS MiB':>9}{'base':>6}"
    lines.append(f"  {'function':<22}{header}")
    for r in results["cold"]:
        counted = "-" if r["instruction_ratio"] is None else r["instruction_ratio"]
        lines.append(
            f"  {r['function']:<22}{r['init_cpu_ms_median']:>8}{r['baseline_cpu_ms_median']:>7}"
            f"{r['cpu_ratio_median']:>10}{r['cpu_ratio_min']:>6}{counted:>12}{r['rss_mib']:>9}{r['baseline_rss_mib']:>6}"
        )
    lines += tracing_cold.rows(
        results["cold_tracing"], {r["function"]: r["baseline_instructions"] for r in results["cold"]}
    )
    w = results["warm"]
    lines.append(f"warm own CPU per notify ({w['calls']} of each in {warm.RUNS} runs, in-memory DynamoDB)")
    lines.append(
        f"  first     {w['first_us_least_run']} us least run's median, {w['first_us_median']} us median,"
        f" {w['first_instructions']:,} instructions"
    )
    lines.append(
        f"  duplicate {w['duplicate_us_least_run']} us least run's median, {w['duplicate_us_median']} us median,"
        f" {w['duplicate_instructions']:,} instructions"
    )
    counted_floor = "floor_first_instructions" in w
    lines.append(
        "  the floor (infra/bench/warm_floor.py: the mandated stack's least for a notify, same fake DynamoDB):"
        f" first {w['floor_first_us_least_run']} us"
        + (f", {w['floor_first_instructions']:,} instructions" if counted_floor else "")
        + f"; duplicate {w['floor_duplicate_us_least_run']} us"
        + (f", {w['floor_duplicate_instructions']:,} instructions" if counted_floor else "")
    )
    lines.append("AWS calls per completed verification (reads / writes; invocations)")
    for channel, counts in results["calls"].items():
        invocations = ", ".join(
            f"{name.removesuffix('Function')} {n}" for name, n in sorted(counts["invocations"].items())
        )
        operations = ", ".join(f"{op} {n}" for op, n in sorted(counts["operations"].items()))
        lines.append(f"  {channel:<19}{counts['reads']:>3} / {counts['writes']:<3} {operations}; {invocations}")
    lines.append("local notify throughput at concurrency 8 (per second, vs minimal handler)")
    for r in results["throughput"]:
        lines.append(
            f"  {r['table_verifications']:>6} verifications: ours {r['ours_per_second']}, "
            f"baseline {r['baseline_per_second']}, ratio {r['ratio']}; a minimal handler making our calls "
            f"{r['floor_per_second']}, ratio {r['floor_ratio']} (the most our calls allow)"
        )
        if "moto_cpu_ms_per_notify" in r:
            moto, client = r["moto_cpu_ms_per_notify"], r["client_cpu_ms_per_notify"]
            lines.append(
                "          CPU ms per notify, moto / this process: "
                + ", ".join(f"{which} {moto[which]} / {client[which]}" for which in ("ours", "baseline", "floor"))
            )
    lines.extend(cost.lines(results, TARGETS["h5_lite_dollars_per_1000_max"]))
    if "cold_floor" in results:
        lines.append("cold init floor of h5_lite_callbacks, by instructions (each stage adds to the one before)")
        lines.extend(f"  {r['stage']:<44}{r['ratio']:>7}  (+{r['adds']})" for r in results["cold_floor"])
    lines.append(table_of_targets(results))
    return "\n".join(lines)


def table_of_targets(results: dict[str, Any]) -> str:
    lines = ["targets (issues 9 and 17): measured, target, verdict"]
    lines.extend(
        f"  {name:<24}{measured:>12}  {target:<14}{'met' if results['checks'][name] else 'NOT MET'}"
        for name, measured, target in figures(results)
    )
    lines.append("regression ceilings (bench/ceilings.json: instructions, deterministic)")
    lines.extend(
        f"  {name:<40}{measured:>12}  ceiling {ceiling:<12}{'ok' if ok else 'REGRESSED'}"
        for name, measured, ceiling, ok in ceilings(results)
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="faceid-bridge benchmark")
    parser.add_argument("--smoke", action="store_true", help="every section, bounded")
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--sizes", default="500,10000")
    parser.add_argument("--notifies", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--record-ceilings", type=float, metavar="MARGIN", help="write bench/ceilings.json")
    args = parser.parse_args(argv)
    args.sizes = [int(size) for size in args.sizes.split(",")]
    if args.smoke:
        args.pairs, args.calls, args.sizes, args.notifies = 1, 50, [50], 16
    results = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    if args.record_ceilings is not None:
        record_ceilings(results, args.record_ceilings)
    print(table(results))
    print(f"\nbench: results in {args.out}")
    regressed = [name for name, _, _, ok in ceilings(results) if not ok]
    if regressed:
        raise SystemExit(f"bench: over the recorded instruction ceilings: {', '.join(regressed)}")


if __name__ == "__main__":
    main()
