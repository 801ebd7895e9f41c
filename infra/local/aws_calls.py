"""AWS calls per function in the local stack, for `make bench`: every botocore API call a hosted
function makes, by function, service and operation, and every invocation, by function; and each
invocation on its own (its route, the CPU time its handler took on its thread, and the calls it
made, FaceID's included), which the cost model bills (infra/bench/cost.py). Installed in the stack's
process when LOCAL_COUNT_AWS_CALLS=1, read and reset through the local-only route
POST /_local/aws-calls ({"reset": true} to start over)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextvars import ContextVar
from types import ModuleType
from typing import Any

from botocore.client import BaseClient

from faceid_bridge.adapters.faceid_client import FaceIdClient
from infra.local.functions import FunctionHost

_function: ContextVar[str | None] = ContextVar("local_function", default=None)
_invocation_calls: ContextVar[Counter[str] | None] = ContextVar("local_invocation_calls", default=None)


class AwsCallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[tuple[str, str, str]] = Counter()
        self.invocations: Counter[str] = Counter()
        self.records: list[dict[str, Any]] = []

    def install(self) -> None:
        """Wrap every botocore client call (boto3's and Powertools' sessions alike), every FaceID
        request and every handler call. Calls made outside a function (the stream poller's) are not
        counted: Lambda's event source mapping makes those, not our code."""
        make_api_call: Callable[..., Any] = BaseClient._make_api_call
        faceid_request: Callable[..., Any] = FaceIdClient._request
        call_handler: Callable[..., Any] = FunctionHost._call
        counter = self

        def counted_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            function, calls = _function.get(), _invocation_calls.get()
            if function is not None and calls is not None:
                with counter._lock:
                    counter.calls[(function, client.meta.service_model.service_name, operation)] += 1
                calls[operation] += 1
            return make_api_call(client, operation, params)

        def counted_faceid(client: FaceIdClient, method: str, path: str, *args: Any) -> Any:
            calls = _invocation_calls.get()
            if calls is not None:
                calls[f"faceid:{path.rsplit('/', 1)[-1]}"] += 1  # each try, as each is billed time
            return faceid_request(client, method, path, *args)

        def counted_handler(host: FunctionHost, module: ModuleType, event: dict[str, Any]) -> Any:
            """The handler on a started environment: a cold start's import is not in its CPU."""
            name, calls = host.spec.logical_id, Counter[str]()
            function, recorded = _function.set(name), _invocation_calls.set(calls)
            started = time.thread_time_ns()  # this thread's CPU: not the stack's other threads'
            try:
                return call_handler(host, module, event)
            finally:
                cpu_us = (time.thread_time_ns() - started) / 1000
                _function.reset(function)
                _invocation_calls.reset(recorded)
                route = event.get("routeKey") or ("stream" if "Records" in event else "scheduled")
                with counter._lock:
                    counter.invocations[name] += 1
                    counter.records.append({"function": name, "route": route, "cpu_us": cpu_us, "calls": dict(calls)})

        BaseClient._make_api_call = counted_call
        FaceIdClient._request = counted_faceid  # type: ignore[method-assign,assignment]
        FunctionHost._call = counted_handler  # type: ignore[method-assign,assignment]

    def handle(self, body: bytes) -> str:
        with self._lock:
            answer = {
                "calls": [
                    {"function": function, "service": service, "operation": operation, "count": count}
                    for (function, service, operation), count in sorted(self.calls.items())
                ],
                "invocations": dict(self.invocations),
                "invocation_records": list(self.records),
            }
            if json.loads(body or b"{}").get("reset"):
                self.calls.clear()
                self.invocations.clear()
                self.records.clear()
        return json.dumps(answer)
