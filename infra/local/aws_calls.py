"""AWS calls per function in the local stack, for `make bench`: every botocore API call a hosted
function makes, by function, service and operation, and every invocation, by function. Installed
in the stack's process when LOCAL_COUNT_AWS_CALLS=1, read and reset through the local-only route
POST /_local/aws-calls ({"reset": true} to start over)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from botocore.client import BaseClient

from infra.local.functions import FunctionHost

_function: ContextVar[str | None] = ContextVar("local_function", default=None)


class AwsCallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[tuple[str, str, str]] = Counter()
        self.invocations: Counter[str] = Counter()

    def install(self) -> None:
        """Wrap every botocore client call (boto3's and Powertools' sessions alike) and every
        function invocation. Calls made outside a function (the stream poller's) are not counted:
        Lambda's event source mapping makes those, not our code."""
        make_api_call: Callable[..., Any] = BaseClient._make_api_call
        invoke: Callable[..., Any] = FunctionHost.invoke
        counter = self

        def counted_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            function = _function.get()
            if function is not None:
                with counter._lock:
                    counter.calls[(function, client.meta.service_model.service_name, operation)] += 1
            return make_api_call(client, operation, params)

        def counted_invoke(host: FunctionHost, event: dict[str, Any]) -> Any:
            with counter._lock:
                counter.invocations[host.spec.logical_id] += 1
            token = _function.set(host.spec.logical_id)
            try:
                return invoke(host, event)
            finally:
                _function.reset(token)

        BaseClient._make_api_call = counted_call
        FunctionHost.invoke = counted_invoke  # type: ignore[method-assign,assignment]

    def handle(self, body: bytes) -> str:
        with self._lock:
            answer = {
                "calls": [
                    {"function": function, "service": service, "operation": operation, "count": count}
                    for (function, service, operation), count in sorted(self.calls.items())
                ],
                "invocations": dict(self.invocations),
            }
            if json.loads(body or b"{}").get("reset"):
                self.calls.clear()
                self.invocations.clear()
        return json.dumps(answer)
