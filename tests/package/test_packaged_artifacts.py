"""The packaged artifacts, run as Lambda runs them: `make package`'s build (.aws-sam/build), each
handler imported from its built function directory with only the built layer beside it, in a fresh
venv holding nothing but boto3 (what the python3.13 runtime provides), answering its sample event
from events/api/ against a moto server and the FaceID sandbox.

This machine is x86_64 and the layer is arm64, so the layer's dependencies are built a second time
for x86_64 around the packaged faceid_bridge (`infra.package.x86_64_twin`, which checks the twin
holds the same distributions at the same versions); no qemu."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra import package
from infra.local.provision import provision
from infra.local.stack import SANDBOX_CREDENTIALS
from infra.local.template import ROOT, Template, load
from infra.sandbox.http import API_SECRET
from tests.support import EVENTS

WORK = ROOT / ".local" / "packaged"
INVOKE = Path(__file__).with_name("invoke_packaged.py")

# Each function's sample event and the answer it gives against an empty table: the handlers' own
# answers (their validation and error mapping), never a crash.
SAMPLES: dict[str, list[tuple[str, int | None]]] = {
    "CreateVerificationFunction": [("h5_lite_create", 201)],
    "GetVerificationFunction": [("verification_read", 404), ("verification_list", 200)],
    "VerificationChangesFunction": [("verification_cancel", 404), ("verification_redact", 404)],
    "FaceIdCallbacksFunction": [("notify", 200), ("return_get", 404), ("return_post", 404), ("result_page", 200)],
    "AppVerificationsFunction": [("app_create", 201), ("app_verify", 404)],
    "RawVerificationsFunction": [("raw_create", 400)],
    "PublisherFunction": [("publisher_stream", None)],
    "ReconcilerFunction": [("reconciler_schedule", None)],
    "WebhookSubscriptionsFunction": [("webhook_list", 200), ("webhook_rotate", 404)],
    "WebhookDeliveryFunction": [("webhook_delivery_sqs", None)],
}


@pytest.fixture(scope="module")
def layer(build: Path) -> Path:
    return package.x86_64_twin(build, WORK / "layer-x86_64")


@pytest.fixture(scope="module")
def runtime_python() -> Path:
    """A fresh venv with the boto3 we pin (the runtime's own SDK), and nothing else installed."""
    venv = WORK / "runtime-venv"
    subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True)
    pin = re.search(r"^boto3==\S+", (ROOT / "requirements-dev.txt").read_text(), re.MULTILINE)
    assert pin is not None
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", pin.group(0)], check=True)
    return venv / "bin" / "python"


@pytest.fixture(scope="module")
def environment(aws_environment: dict[str, str], sandbox_url: str) -> dict[str, str]:
    """The template's resources on this package's moto server, and the functions' environment
    resolved against them; nothing else of this process's environment."""
    template = Template()
    stack = provision(
        template,
        region="us-east-1",
        parameters={
            "FaceIdBaseUrl": sandbox_url,
            "PublicBaseUrl": "https://api.example.com",
            "AllowedRedirectOrigins": "https://shop.example.com",
        },
        secrets={"FaceIdSecret": SANDBOX_CREDENTIALS},
    )
    return {"PATH": os.environ["PATH"], **aws_environment, **stack.environment(template)}


def invoke(python: Path, function: str, layer: Path, event: Path, environment: dict[str, str]) -> dict[str, Any]:
    """The handler's answer and module origins; the process sees only `environment`."""
    done = subprocess.run(
        [python, "-P", INVOKE, package.BUILD_DIR / function, layer, event],
        cwd=WORK,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("function", "sample", "status"),
    [(function, sample, status) for function, samples in SAMPLES.items() for sample, status in samples],
)
def test_packaged_handler_imports_and_answers_its_sample_event(
    function: str, sample: str, status: int | None, layer: Path, runtime_python: Path, environment: dict[str, str]
) -> None:
    # Given the built function and the built layer (x86_64 twin), in a venv with only boto3
    # When the handler gets its sample event from events/api/
    result = invoke(runtime_python, function, layer, EVENTS / "api" / f"{sample}.json", environment)
    # Then every module came from the packaged artifacts, and the handler gave its own answer
    origins = result["origins"]
    assert origins["handler"] == str(package.BUILD_DIR / function / "handler.py")
    assert origins["faceid_bridge"].startswith(str(layer))
    assert (origins["pydantic_core"] or str(layer)).startswith(str(layer))  # absent where a path needs no model
    assert (origins["boto3"] or str(WORK / "runtime-venv")).startswith(str(WORK / "runtime-venv"))
    answer = result["answer"]
    if status is not None:
        assert answer["statusCode"] == status, answer
    elif function == "PublisherFunction":
        assert answer == {"batchItemFailures": []}
    else:
        assert isinstance(answer, dict)


def test_packaged_create_then_get_reads_the_verification_back(
    layer: Path, runtime_python: Path, environment: dict[str, str], tmp_path: Path
) -> None:
    # Given a verification created by the packaged create function from its sample event
    sample = EVENTS / "api" / "h5_lite_create.json"
    created = invoke(runtime_python, "CreateVerificationFunction", layer, sample, environment)
    verification_id = json.loads(created["answer"]["body"])["verification_id"]
    # When the packaged get function reads it
    event = json.loads((EVENTS / "api" / "verification_read.json").read_text())
    event["pathParameters"]["verification_id"] = verification_id
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/v1/verifications/{verification_id}"
    (tmp_path / "get.json").write_text(json.dumps(event))
    answer = invoke(runtime_python, "GetVerificationFunction", layer, tmp_path / "get.json", environment)["answer"]
    # Then it answers with the stored verification
    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"])["verification_id"] == verification_id


def test_every_function_in_the_built_template_has_a_sample(build: Path) -> None:
    built = load(build / "template.yaml")["Resources"]
    functions = {name for name, resource in built.items() if resource["Type"] == "AWS::Serverless::Function"}
    assert functions == set(SAMPLES)


def test_the_built_layer_ships_the_x_ray_sdk_but_no_aws_sdk(build: Path) -> None:
    # Given the layer as `make package` built it for arm64
    site = build / package.LAYER / "python"
    # Then it holds the X-Ray SDK and wrapt, and none of the AWS SDK the runtime provides
    assert (site / "aws_xray_sdk" / "__init__.py").is_file() and (site / "wrapt" / "__init__.py").is_file()
    assert sorted(name for name in package.RUNTIME_PROVIDED if (site / name).exists()) == []
    assert not list(site.glob("botocore-*.dist-info")) and not list(site.glob("boto3-*.dist-info"))


def test_a_packaged_handler_traces_with_the_layers_x_ray_sdk_and_the_runtimes_botocore(
    layer: Path, runtime_python: Path, environment: dict[str, str], tmp_path: Path
) -> None:
    # Given the sample create event for a biz_no of its own (so that FaceID is called, not a stored answer)
    event = json.loads((EVENTS / "api" / "h5_lite_create.json").read_text())
    body = json.loads(base64.b64decode(event["body"])) | {"biz_no": "order-traced"}
    event["body"] = base64.b64encode(json.dumps(body).encode()).decode()
    (tmp_path / "create.json").write_text(json.dumps(event))
    # And a UDP socket where Lambda's X-Ray daemon would listen, and a traced invocation's environment
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(5)
        traced = environment | {
            "POWERTOOLS_TRACE_DISABLED": "false",
            "LAMBDA_TASK_ROOT": str(package.BUILD_DIR / "CreateVerificationFunction"),
            "_X_AMZN_TRACE_ID": "Root=1-6748a4b0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1",
            "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
        }
        # When the packaged create function answers its sample event
        result = invoke(runtime_python, "CreateVerificationFunction", layer, tmp_path / "create.json", traced)
        sent = []
        try:
            while True:
                sent.append(daemon.recv(65536).decode())
        except TimeoutError:
            pass
    # Then it answered, with the X-Ray SDK from the layer and botocore from the runtime
    assert result["answer"]["statusCode"] == 201
    assert result["origins"]["aws_xray_sdk"].startswith(str(layer))
    assert result["origins"]["botocore"].startswith(str(WORK / "runtime-venv"))
    # And the daemon got its subsegments: the handler, the FaceID call, DynamoDB and Secrets Manager
    documents = [json.loads(datagram.split("\n", 1)[1]) for datagram in sent]
    names: set[str] = set()
    while documents:
        document = documents.pop()
        names.add(document["name"])
        documents += document.get("subsegments", [])
    assert {"## lambda_handler", "FaceID lite/get_token", "dynamodb", "secretsmanager"} <= names, names
    # And none holds the FaceID secret or the token it answered
    token = json.loads(result["answer"]["body"])["token"]
    assert not any(secret in datagram for datagram in sent for secret in (API_SECRET, token))
