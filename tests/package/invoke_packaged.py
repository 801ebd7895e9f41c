"""Run in the runtime venv (boto3 only) by test_packaged_artifacts.py, as Lambda would run a handler:
`python -P invoke_packaged.py FUNCTION_DIR LAYER_PYTHON_DIR EVENT_FILE` prints the handler's answer
and where each module came from. Nothing of the repo is on the path, only the packaged artifacts."""

import importlib
import json
import sys
import time
import uuid

function_dir, layer_dir, event_file = sys.argv[1:4]
sys.path[:0] = [function_dir, layer_dir]  # /var/task, then /opt/python


class Context:
    function_name = "packaged"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:packaged"
    aws_request_id = str(uuid.uuid4())

    def __init__(self) -> None:
        self._deadline = time.monotonic() + 30

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


handler = importlib.import_module("handler").lambda_handler
with open(event_file) as events:
    answer = handler(json.load(events), Context())
modules = ("handler", "faceid_bridge", "pydantic_core", "boto3", "botocore", "aws_xray_sdk")
origins = {name: getattr(sys.modules.get(name), "__file__", None) for name in modules}
print(json.dumps({"answer": answer, "origins": origins}))
