"""`make scale`: one day at 1,000 verifications/s with 10% of callbacks lost, simulated through the
real services (infra/scale/simulation.py says how). Prints what it found and writes it as JSON.

    python -m infra.scale [--smoke] [--scale 4000] [--faceid-seconds 0.3] [--read-concurrency 64] [--out PATH]

--smoke runs the same code on a small slice and a short day (make test runs it).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from contextlib import redirect_stdout
from dataclasses import replace
from pathlib import Path
from typing import Any

from infra.local.template import ROOT
from infra.scale import services
from infra.scale.simulation import BACKLOG_ALARM_SECONDS, Scenario, Simulation

SMOKE = Scenario(rate=1000.0, seconds=4 * 3600, drain_seconds=24 * 3600, scale=20_000)


def summary(report: dict[str, Any], wall_seconds: float) -> str:
    scenario, reconciler = report["scenario"], report["reconciler"]
    reads, publisher = report["get_result"], report["publisher"]
    scale = scenario["scale"]
    lines = [
        f"simulated: {scenario['rate']:,.0f} verifications/s for {scenario['seconds']:,} s, "
        f"{scenario['lost']:.0%} of callbacks lost, then {scenario['drain_seconds']:,} s without arrivals",
        f"  at full fidelity: 1/{scale:,} of the traffic, {scenario['verifications_simulated']:,} verifications, "
        "through create_verification, apply_result (notify), reconcile_due and publish_records",
        f"  extrapolated (x{scale:,}): each read costs the one reconciler run {scale:,} reads' time, made "
        f"{scenario['read_concurrency']} at once (FaceID {scenario['faceid_seconds']} s, "
        f"DynamoDB {scenario['dynamodb_seconds']} s a call, both assumed); publisher batches and events",
        f"  fates: {report['fates']}",
        f"reconciler (one run at a time, every minute, stops 30 s before its timeout; "
        f"{scenario['read_concurrency']} read(s) at once)",
        f"  runs {reconciler['runs']:,}, out of time {reconciler['runs_out_of_time']:,}, "
        f"ticks that found the lease held {reconciler['ticks_skipped_lease_held']:,}",
        f"  due backlog: max {reconciler['due_backlog_max']:,} (x{scale:,} = {reconciler['due_backlog_max'] * scale:,} "
        f"at full scale), oldest {reconciler['due_backlog_age_max_seconds']:,} s (alarm at {BACKLOG_ALARM_SECONDS} s)",
        f"  bounded: {'yes' if reconciler['bounded'] else 'NO'}; outcomes {reconciler['outcomes']}",
        f"  standing at the day's end: {report['standing_at_day_end']}",
        f"  standing at the end: {report['standing_at_end']}",
        "get_result (FaceID keeps a result a day, reads it at most 3 times)",
        f"  reads {reads['reads']:,} of a budget of {reads['budget']:,} (3 per lost callback); "
        f"per verification {reads['per_verification']}, max {reads['max_per_verification']}; "
        f"refused {reads['refused']}",
        f"  at full scale: {reads['full_scale_reads_per_second']} reads/s",
        "publisher",
        f"  stream records {publisher['stream_records']:,} ({publisher['filtered_out']:,} filtered out), "
        f"batches {publisher['batches']:,}, events {publisher['events']:,}, "
        f"PutEvents calls {publisher['put_events_calls']:,}, "
        f"redelivered {publisher['redelivered']}, to the DLQ {publisher['dead_lettered']}",
        f"  at full scale: {publisher['full_scale_batches']:,} batches, {publisher['full_scale_events']:,} events",
        f"wall time {wall_seconds:.1f} s",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="faceid-bridge: one day at scale, simulated")
    parser.add_argument("--smoke", action="store_true", help="a small slice and a short day, same code")
    parser.add_argument("--scale", type=int, help="simulate 1/SCALE of the traffic")
    parser.add_argument("--faceid-seconds", type=float, help="get_result's latency")
    parser.add_argument(
        "--read-concurrency",
        type=int,
        help=f"K reads at once per run (ReconcilerConcurrency; default {Scenario().read_concurrency})",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "scale.json")
    args = parser.parse_args(argv)
    scenario = SMOKE if args.smoke else Scenario()
    if args.scale:
        scenario = replace(scenario, scale=args.scale)
    if args.faceid_seconds is not None:
        scenario = replace(scenario, faceid_seconds=args.faceid_seconds)
    if args.read_concurrency:
        scenario = replace(scenario, read_concurrency=args.read_concurrency)
    started = time.monotonic()
    # The services' log lines and EMF metrics are not what is measured here (the report counts what
    # matters): errors only, and the metrics' output (printed) dropped.
    services.logger.setLevel("ERROR")
    with open(os.devnull, "w") as devnull, redirect_stdout(devnull):
        report = Simulation(scenario).run()
    wall = time.monotonic() - started
    report["wall_seconds"] = round(wall, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(summary(report, wall))
    print(f"\nscale: report in {args.out}")


if __name__ == "__main__":
    main()
