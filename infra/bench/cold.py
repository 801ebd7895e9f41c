"""Cold init per function, as whole processes: the function (its handler module imported, the AWS
clients it uses created the way it creates them) against a baseline that only imports boto3 and
creates the same clients. Runs interleaved A/B, alternating which goes first, so that the machine's
noise falls on both.

The function runs as packaged: `import handler` from its built artifact, with the built layer (its
x86_64 twin here, infra.package) on the path, and no bytecode written, as on Lambda's read-only
/opt: what the package does not ship compiled is compiled at every cold start, and shows."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.template import ROOT, FunctionSpec, Template, template_environment

# The services whose IAM actions in the template mean a client the function creates.
_SERVICES = frozenset({"dynamodb", "secretsmanager", "events", "sqs"})

FUNCTION = """
import sys
sys.path[:0] = [{artifact!r}, {layer!r}]
import handler
from faceid_bridge.adapters import aws
for service in {boto_clients!r}:
    aws.client(service)
if {secrets!r}:
    from faceid_bridge.adapters.credentials import secrets_provider
    secrets_provider()
"""
BASELINE = """
import boto3
for service in {clients!r}:
    boto3.client(service)
"""
# The floor under a function's cold init, stage by stage, each adding to the one before (on the
# baseline's clients and the packaged layer): what the mandated stack costs before our code does.
FLOOR_STAGES = (
    (
        "pydantic, imported, and a first model",
        "import pydantic\nclass First(pydantic.BaseModel):\n    name: str\nFirst(name='x')\n",
    ),
    (
        "Powertools' Logger and Metrics",
        "from aws_lambda_powertools import Logger, Metrics\nLogger(service='x'); Metrics(namespace='x')\n",
    ),
    (
        "Powertools' HTTP resolver",
        "import faceid_bridge\n"  # its shim first, as in our handlers
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\nAPIGatewayHttpResolver()\n",
    ),
)


def clients_of(template: Template, spec: FunctionSpec) -> list[str]:
    """The AWS services a function may call, from its policy statements in the template."""
    services: set[str] = set()
    for policy in template.resources[spec.logical_id]["Properties"].get("Policies", []):
        for statement in policy.get("Statement", []):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            services |= {action.split(":")[0] for action in actions} & _SERVICES
    return sorted(services)


def _environment(spec: FunctionSpec, template: Template) -> dict[str, str]:
    env = template_environment(spec, template)
    env |= {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "POWERTOOLS_SERVICE_NAME": "faceid-bridge",
    }
    return env


def _run(code: str, env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + system) and peak RSS (MiB) of one whole process: CPU time, not wall
    time, so that what the shared machine's other work costs is not counted."""
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"cold-start probe failed ({process.returncode}): {code}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def instructions(code: str, env: dict[str, str]) -> int:
    """Instructions one whole process executes, counted by cachegrind: deterministic, whatever
    else the machine does (repeated runs agree within 0.01%)."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    run = subprocess.run([*command, sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode or not found:
        raise RuntimeError(f"cachegrind failed ({run.returncode}): {run.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


@dataclass
class ColdResult:
    function: str
    clients: list[str]
    function_ms: list[float] = field(default_factory=list)  # CPU, per pair
    baseline_ms: list[float] = field(default_factory=list)
    function_rss: list[float] = field(default_factory=list)
    baseline_rss: list[float] = field(default_factory=list)
    function_instructions: int | None = None
    baseline_instructions: int | None = None

    def summary(self) -> dict[str, Any]:
        f, b = statistics.median(self.function_ms), statistics.median(self.baseline_ms)
        pair_ratios = [ours / base for ours, base in zip(self.function_ms, self.baseline_ms, strict=True)]
        return {
            "function": self.function,
            "clients": self.clients,
            "pairs": len(self.function_ms),
            "init_cpu_ms_median": round(f, 1),
            "init_cpu_ms_range": [round(min(self.function_ms), 1), round(max(self.function_ms), 1)],
            "baseline_cpu_ms_median": round(b, 1),
            "baseline_cpu_ms_range": [round(min(self.baseline_ms), 1), round(max(self.baseline_ms), 1)],
            "cpu_ratio_median": round(statistics.median(pair_ratios), 2),
            "cpu_ratio_min": round(min(pair_ratios), 2),
            "instructions": self.function_instructions,
            "baseline_instructions": self.baseline_instructions,
            "instruction_ratio": round(self.function_instructions / self.baseline_instructions, 3)
            if self.function_instructions and self.baseline_instructions
            else None,
            "rss_mib": round(max(self.function_rss), 1),
            "baseline_rss_mib": round(max(self.baseline_rss), 1),
        }


def packaged_layer() -> Path:
    """The built layer's x86_64 twin (made once per build), which this machine can import."""
    from infra import package

    if not package.fresh():
        raise SystemExit("bench: the build is older than its sources: run `make package`")
    twin = ROOT / ".local" / "bench-layer"
    stamp = twin / package.SOURCES_STAMP
    if not (stamp.is_file() and stamp.read_text() == package.sources_digest()):
        package.x86_64_twin(package.BUILD_DIR, twin)
        stamp.write_text(package.sources_digest())
    return twin / "python"


def measure(pairs: int, only: list[str] | None = None, counted: list[str] | None = None) -> list[ColdResult]:
    """Every function (or `only` these), CPU time over `pairs` interleaved pairs, and the
    instructions of one run each under cachegrind (of every function, or `counted` ones)."""
    from infra import package

    template, layer = Template(), packaged_layer()
    results = []
    for spec in template.functions():
        name = spec.code_dir.name
        if only and name not in only:
            continue
        clients = clients_of(template, spec)
        boto_clients = [c for c in clients if c != "secretsmanager"]
        artifact = str(package.BUILD_DIR / spec.logical_id)
        code = FUNCTION.format(
            artifact=artifact, layer=str(layer), boto_clients=boto_clients, secrets="secretsmanager" in clients
        )
        baseline = BASELINE.format(clients=clients)
        # Lambda's /opt and /var/task are read-only: no bytecode written
        env = _environment(spec, template) | {"PYTHONDONTWRITEBYTECODE": "1"}
        _run(code, env), _run(baseline, env)  # warms the page cache; not counted
        result = ColdResult(name, clients)
        for pair in range(pairs):
            order = [(code, True), (baseline, False)] if pair % 2 == 0 else [(baseline, False), (code, True)]
            for source, is_function in order:
                seconds, rss = _run(source, env)
                if is_function:
                    result.function_ms.append(seconds * 1000)
                    result.function_rss.append(rss)
                else:
                    result.baseline_ms.append(seconds * 1000)
                    result.baseline_rss.append(rss)
        if counted is None or name in counted:
            result.function_instructions = instructions(code, env)
            result.baseline_instructions = instructions(baseline, env)
        results.append(result)
    return results


def floor(function: str = "h5_lite_callbacks") -> list[dict[str, Any]]:
    """A function's cold init by instructions, stage by stage: the baseline, each FLOOR_STAGES
    added, then the whole function (the rest is our code), each as a ratio to the baseline."""
    from infra import package

    template, layer = Template(), packaged_layer()
    spec = next(s for s in template.functions() if s.code_dir.name == function)
    clients = clients_of(template, spec)
    env = _environment(spec, template) | {"PYTHONDONTWRITEBYTECODE": "1"}
    code = f"import sys\nsys.path[:0] = [{str(layer)!r}]\n" + BASELINE.format(clients=clients)
    stages = [("boto3 and the same clients (the baseline)", instructions(code, env))]
    for name, stage in FLOOR_STAGES:
        code += stage
        stages.append((name, instructions(code, env)))
    whole = FUNCTION.format(
        artifact=str(package.BUILD_DIR / spec.logical_id),
        layer=str(layer),
        boto_clients=[c for c in clients if c != "secretsmanager"],
        secrets="secretsmanager" in clients,
    )
    stages.append(("our code (the whole function)", instructions(whole, env)))
    base = stages[0][1]
    return [
        {
            "stage": name,
            "instructions": counted,
            "ratio": round(counted / base, 3),
            "adds": round((counted - before) / base, 3),
        }
        for (name, counted), before in zip(stages, [base, *(c for _, c in stages[:-1])], strict=True)
    ]
