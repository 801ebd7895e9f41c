"""`python infra/lint_templates.py`: cfn-lint with the serverless rules (cfn-lint-serverless) and
checkov on both SAM templates. Runs in the SAM CLI's venv (.venv-sam), which has both.

A finding passes only when infra/lint-skips.toml lists its check for its resource, with the reason.
Every other finding fails, and so does a skip that matches no finding (it would hide the next one).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ("template.yaml", "examples/subscriber/template.yaml")
SKIPS = ROOT / "infra" / "lint-skips.toml"
BIN = Path(sys.executable).parent


class Finding(NamedTuple):
    check: str
    template: str
    resource: str
    message: str


def cfn_lint(template: str) -> list[Finding]:
    done = subprocess.run(
        [BIN / "cfn-lint", "--format", "json", "--append-rules", "cfn_lint_serverless.rules", "--", template],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode and not done.stdout.strip():
        raise SystemExit(f"cfn-lint failed on {template}:\n{done.stderr}")
    return [
        Finding(match["Rule"]["Id"], template, match["Location"]["Path"][1], match["Message"])
        for match in json.loads(done.stdout or "[]")
    ]


def checkov(template: str) -> list[Finding]:
    """checkov's findings on the template, and on a copy with each option in ENABLED on: it leaves
    out a resource whose Condition is false at the parameters' defaults."""
    findings = _checkov(template, ROOT / template)
    if template in ENABLED:
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "template.yaml"
            copy.write_text(ENABLED[template]((ROOT / template).read_text()))
            findings += [f for f in _checkov(template, copy) if f not in findings]
    return findings


def _webhooks_enabled(text: str) -> str:
    """template.yaml with the Webhooks parameter's default Enabled."""
    enabled, count = re.subn(r"(\n  Webhooks:\n(?:    .*\n)*?    Default: )Disabled\n", r"\1Enabled\n", text)
    if count != 1:
        raise SystemExit("lint_templates: template.yaml's Webhooks parameter is not where it was")
    return enabled


# The webhook path (Webhooks, Disabled by default) is linted as a stack with it on would have it.
ENABLED = {"template.yaml": _webhooks_enabled}


def _checkov(template: str, path: Path) -> list[Finding]:
    done = subprocess.run(
        [BIN / "checkov", "--quiet", "--compact", "--framework", "cloudformation", "--output", "json", "-f", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        reports: Any = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"checkov failed on {template}:\n{done.stdout}{done.stderr}") from None
    failed = [
        check
        for report in (reports if isinstance(reports, list) else [reports])
        for check in report.get("results", {}).get("failed_checks", [])
    ]
    return [
        Finding(check["check_id"], template, check["resource"].rsplit(".", 1)[-1], check["check_name"])
        for check in failed
    ]


def skipped(finding: Finding, skip: dict[str, Any]) -> bool:
    return (
        skip["check"] == finding.check
        and skip["template"] == finding.template
        and ("*" in skip["resources"] or finding.resource in skip["resources"])
    )


def main() -> None:
    skips: list[dict[str, Any]] = tomllib.loads(SKIPS.read_text())["skip"]
    findings = [finding for template in TEMPLATES for finding in (*cfn_lint(template), *checkov(template))]
    failing = [finding for finding in findings if not any(skipped(finding, skip) for skip in skips)]
    stale = [
        f"{skip['check']} on {skip['template']} ({resource})"
        for skip in skips
        for resource in skip["resources"]
        if not any(skipped(finding, skip | {"resources": [resource]}) for finding in findings)
    ]
    for finding in failing:
        print(f"{finding.template}: {finding.resource}: {finding.check} {finding.message}")
    for skip in stale:
        print(f"infra/lint-skips.toml: {skip} matches nothing any more: remove it")
    print(f"template lint: {len(findings)} finding(s), {len(findings) - len(failing)} skipped with a reason")
    raise SystemExit(1 if failing or stale else 0)


if __name__ == "__main__":
    main()
