"""What tracing costs a cold start: each function's cold init as packaged (infra.bench.cold's
process: its handler module imported from the built artifact, the built layer on the path, its AWS
clients created), in Lambda (LAMBDA_TASK_ROOT set), with the template's Tracing parameter Active
(POWERTOOLS_TRACE_DISABLED=false: the X-Ray SDK imported, botocore patched, the handler wrapped)
against Disabled (=true: none of it). Instructions counted by cachegrind, and CPU time over
interleaved on/off pairs.

infra.bench.cold measures outside Lambda, where Powertools keeps tracing off: its figures, and the
cold-init target of issue 17, are those of tracing off."""

from __future__ import annotations

import statistics
from typing import Any

from infra.bench import cold
from infra.local.template import FunctionSpec, Template


def function_code(template: Template, spec: FunctionSpec, layer: str) -> str:
    """The cold-init probe of one function, as infra.bench.cold runs it."""
    from infra import package

    clients = cold.clients_of(template, spec)
    return cold.FUNCTION.format(
        artifact=str(package.BUILD_DIR / spec.logical_id),
        layer=layer,
        boto_clients=[client for client in clients if client != "secretsmanager"],
        secrets="secretsmanager" in clients,
    )


def environment(template: Template, spec: FunctionSpec, tracing: bool) -> dict[str, str]:
    from infra import package

    return cold._environment(spec, template) | {
        "PYTHONDONTWRITEBYTECODE": "1",  # Lambda's /opt and /var/task are read-only
        "LAMBDA_TASK_ROOT": str(package.BUILD_DIR / spec.logical_id),
        "POWERTOOLS_TRACE_DISABLED": "false" if tracing else "true",
    }


def measure(pairs: int, only: list[str] | None = None) -> list[dict[str, Any]]:
    """Every function (or `only` these): instructions and CPU ms with tracing off and on."""
    template, layer = Template(), str(cold.packaged_layer())
    results = []
    for spec in template.functions():
        name = spec.code_dir.name
        if only and name not in only:
            continue
        code = function_code(template, spec, layer)
        off, on = environment(template, spec, False), environment(template, spec, True)
        cold._run(code, off), cold._run(code, on)  # warms the page cache; not counted
        off_ms: list[float] = []
        on_ms: list[float] = []
        for pair in range(pairs):
            for env, times in [(off, off_ms), (on, on_ms)][:: 1 if pair % 2 == 0 else -1]:
                times.append(cold._run(code, env)[0] * 1000)
        off_instructions, on_instructions = cold.instructions(code, off), cold.instructions(code, on)
        results.append(
            {
                "function": name,
                "pairs": pairs,
                "off_instructions": off_instructions,
                "on_instructions": on_instructions,
                "instruction_ratio_on_off": round(on_instructions / off_instructions, 3),
                "off_cpu_ms_median": round(statistics.median(off_ms), 1),
                "on_cpu_ms_median": round(statistics.median(on_ms), 1),
                "cpu_ratio_on_off_median": round(
                    statistics.median(b / a for a, b in zip(off_ms, on_ms, strict=True)), 2
                ),
            }
        )
    return results


def rows(results: list[dict[str, Any]], baselines: dict[str, int | None]) -> list[str]:
    """The bench table's rows: each function's tracing cost, and its cold init with tracing on
    against the baseline of infra.bench.cold (boto3 and the same clients), where it was counted."""
    lines = ["cold init as packaged, in Lambda: tracing on (Tracing=Active) vs off (Disabled), cachegrind"]
    lines.append(f"  {'function':<22}{'instr off':>14}{'instr on':>14}{'on/off':>8}{'on/base':>9}{'CPU on/off':>11}")
    for r in results:
        baseline = baselines.get(r["function"])
        versus = "-" if not baseline else round(r["on_instructions"] / baseline, 3)
        lines.append(
            f"  {r['function']:<22}{r['off_instructions']:>14,}{r['on_instructions']:>14,}"
            f"{r['instruction_ratio_on_off']:>8}{versus:>9}{r['cpu_ratio_on_off_median']:>11}"
        )
    return lines
