"""The whole system on this machine: moto server (AWS), FaceID sandbox, local API gateway and the
stream poller, with resources created from template.yaml.

    python -m infra.local.stack          # what `make serve` runs
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from urllib.parse import urlsplit

from werkzeug.serving import make_server

from infra.local.chaos_bus import EventBridgeFaults
from infra.local.endpoints import Endpoints, wait_for
from infra.local.functions import FunctionHost
from infra.local.gateway import Gateway
from infra.local.poller import StreamPoller
from infra.local.provision import LocalStack, provision
from infra.local.queue_poller import QueuePoller
from infra.local.scheduler import Scheduler
from infra.local.template import ROOT, Template
from infra.local.webhook_receiver import receiver_target
from infra.sandbox.http import KEY_PAIRS

PARAMETER_PREFIX = "FACEID_BRIDGE_PARAM_"
# The FaceID secret's shape (domain/secret_rotation.py): the sandbox's key pair of each region.
SANDBOX_CREDENTIALS = {
    region.value: {"api_key": key, "api_secret": secret} for region, (key, secret) in KEY_PAIRS.items()
}


def start_services(endpoints: Endpoints) -> list[subprocess.Popen[bytes]]:
    """Start moto and the sandbox; a child that fails to come up stops the others."""
    children: list[subprocess.Popen[bytes]] = []
    aws = urlsplit(endpoints.aws)
    servers = [
        (
            endpoints.aws,
            [sys.executable, "-m", "infra.local.moto_server", "-H", aws.hostname or "127.0.0.1", "-p", str(aws.port)],
        ),
        (endpoints.sandbox, [sys.executable, "-m", "infra.sandbox", "--port", str(endpoints.sandbox_port)]),
    ]
    log_dir = ROOT / ".local"
    log_dir.mkdir(exist_ok=True)
    try:
        for _url, command in servers:
            log = (log_dir / f"{command[2].rsplit('.', 1)[-1]}.log").open("ab")
            children.append(subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
        for (url, _), child in zip(servers, children, strict=True):
            wait_for(url, process=child)
    except BaseException:
        stop_all(children)
        raise
    return children


def stop_all(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()


def start_stack(environment: dict[str, str], log_name: str) -> subprocess.Popen[bytes]:
    """`python -m infra.local.stack` in a subprocess with `environment` added, its output in
    .local/<log_name>, once its gateway answers (the e2e tests, the chaos suite and the bench)."""
    log = ROOT / ".local" / log_name
    log.parent.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local.stack"],
        cwd=ROOT,
        env=os.environ | environment,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(Endpoints.from_environment().gateway, 60, process=process)
    except BaseException:
        stop_all([process])
        raise
    return process


def use_local_aws(endpoints: Endpoints) -> None:
    """Point this process's boto3 at the moto server, with throwaway credentials."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ["AWS_ENDPOINT_URL"] = endpoints.aws
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = endpoints.region


def configure(endpoints: Endpoints) -> tuple[Template, LocalStack]:
    """Provision the template's resources and set the functions' environment on this process."""
    use_local_aws(endpoints)
    parameters = {
        # Each region's APIs under its prefix on the sandbox; the hosts keep the template's defaults.
        "FaceIdBaseUrl": endpoints.sandbox,
        "PublicBaseUrl": endpoints.gateway,
        "AllowedRedirectOrigins": "http://localhost:*,http://127.0.0.1:*",
        "Tracing": "Disabled",  # no X-Ray daemon here: POWERTOOLS_TRACE_DISABLED=true, as Disabled sets it
        # Locally every feature runs (make demo, make chaos and the e2e tests deliver webhooks);
        # FACEID_BRIDGE_PARAM_Webhooks=Disabled gives the default deployment's shape.
        "Webhooks": "Enabled",
        "WebhookAllowedTargets": receiver_target(),  # the local webhook receiver, over plain HTTP
        # FACEID_BRIDGE_PARAM_<Name>=value overrides any other template parameter locally.
        **{
            key.removeprefix(PARAMETER_PREFIX): value
            for key, value in os.environ.items()
            if key.startswith(PARAMETER_PREFIX)
        },
    }
    template = Template().deployed(parameters)  # only the resources these parameters create
    stack = provision(
        template, region=endpoints.region, parameters=parameters, secrets={"FaceIdSecret": SANDBOX_CREDENTIALS}
    )
    environment = stack.environment(template)
    environment.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    environment.setdefault("POWERTOOLS_LOG_LEVEL", os.environ.get("LOG_LEVEL", "WARNING"))
    os.environ.update(environment)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    return template, stack


def try_it(endpoints: Endpoints) -> None:
    """For a person at `make serve`: one verification to finish by clicking, then each event as it
    arrives on the bus (a queue subscribed with an EventBridge rule, as a downstream service would)."""
    from infra.local.client import LocalClient, Subscriber

    subscriber = Subscriber(endpoints)
    created = LocalClient(endpoints).create().json()
    print(f"\nTry it: open this link, pick an outcome, press Finish\n  {created['verification_url']}\n", flush=True)
    shown = 0
    while True:
        subscriber.drain()
        events = [event for per_verification in subscriber.events.values() for event in per_verification]
        for event in events[shown:]:
            detail = event["detail"]
            print(
                f"event  {event['detail-type']:<24} {detail['verification_id']}  decision={detail['decision']}",
                flush=True,
            )
        shown = len(events)
        time.sleep(0.5)


def api_documents() -> dict[str, tuple[str, str]]:
    """The committed OpenAPI document (kept current by its drift test) and Swagger UI on it."""
    from infra.openapi import OPENAPI, swagger_page

    spec = OPENAPI.read_text()
    return {"/v1/openapi.json": ("application/json", spec), "/v1/docs": ("text/html", swagger_page(spec))}


def main() -> None:
    endpoints = Endpoints.from_environment()
    occupied = endpoints.occupied()
    if occupied:
        print("faceid-bridge local stack: not started\n  " + "\n  ".join(occupied), file=sys.stderr, flush=True)
        raise SystemExit(2)
    children = start_services(endpoints)
    try:
        serve(endpoints)
    finally:
        stop_all(children)  # whatever ended the stack, a failed start included, leaves nothing running


def serve(endpoints: Endpoints) -> None:
    template, stack = configure(endpoints)
    hosts = [FunctionHost(spec) for spec in template.functions()]
    pollers: list[StreamPoller | Scheduler | QueuePoller] = [
        StreamPoller(host, stack) for host in hosts if host.spec.stream
    ]
    pollers += [Scheduler(host) for host in hosts if host.spec.schedule]
    pollers += [QueuePoller(host, queue, stack) for host in hosts for queue in host.spec.queues]
    eventbridge_faults = EventBridgeFaults()
    eventbridge_faults.install()
    controls = {"/_local/eventbridge-faults": eventbridge_faults.handle}
    if os.environ.get("LOCAL_COUNT_AWS_CALLS") == "1":  # make bench
        from infra.local.aws_calls import AwsCallCounter

        counter = AwsCallCounter()
        counter.install()
        controls["/_local/aws-calls"] = counter.handle
    gateway = Gateway(
        [host for host in hosts if host.spec.routes],
        domain_name=f"127.0.0.1:{endpoints.gateway_port}",
        controls=controls,
        documents=api_documents(),
    )
    server = make_server("127.0.0.1", endpoints.gateway_port, gateway, threaded=True)

    def stop(*_: object) -> None:
        for poller in pollers:
            poller.stopped.set()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for poller in pollers:
        poller.start()
    if "--try-it" in sys.argv:
        threading.Thread(target=try_it, args=(endpoints,), daemon=True).start()
    print(
        f"faceid-bridge local stack ready\n  API      {endpoints.gateway}  (docs: {endpoints.gateway}/v1/docs)\n"
        f"  sandbox  {endpoints.sandbox}\n"
        f"  AWS      {endpoints.aws} ({endpoints.region})",
        flush=True,
    )
    try:
        server.serve_forever()
    finally:
        for poller in pollers:
            poller.stopped.set()


if __name__ == "__main__":
    main()
