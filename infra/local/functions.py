"""Host the Lambda handlers in this process, as Lambda would: each invocation runs in an execution
environment of its function that no other invocation uses at the same time (Lambda never runs two
invocations in one environment); an environment is the function's app.py loaded once (a cold
start), and a busy function gets more of them. So per-invocation state in a handler's module (the
Powertools resolver's current event and route) is never shared by concurrent requests."""

from __future__ import annotations

import importlib.util
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from infra.local.template import FunctionSpec


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    function_version: str = "$LATEST"
    deadline: float = field(default_factory=lambda: time.monotonic() + 30)

    def get_remaining_time_in_millis(self) -> int:
        """Counts down from the function's Timeout in template.yaml, as Lambda's does."""
        return max(0, int((self.deadline - time.monotonic()) * 1000))


class FunctionHost:
    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self._idle: list[ModuleType] = []  # execution environments no invocation is using
        self._started = 0
        self._lock = threading.Lock()

    def _start_environment(self) -> ModuleType:
        with self._lock:
            self._started += 1
            number = self._started
        module_name, _, _ = self.spec.handler.rpartition(".")
        path = self.spec.code_dir / f"{module_name}.py"
        loaded = importlib.util.spec_from_file_location(f"lambda_{self.spec.logical_id}_{number}", path)
        assert loaded is not None and loaded.loader is not None
        module = importlib.util.module_from_spec(loaded)
        loaded.loader.exec_module(module)
        return module

    @property
    def module(self) -> ModuleType:
        """An environment's module, for callers that drive one environment themselves (the bench,
        the OpenAPI generator)."""
        with self._lock:
            if self._idle:
                return self._idle[0]
        module = self._start_environment()
        with self._lock:
            self._idle.append(module)
        return module

    @contextmanager
    def _environment(self) -> Iterator[ModuleType]:
        with self._lock:
            module = self._idle.pop() if self._idle else None
        module = module or self._start_environment()
        try:
            yield module
        finally:
            with self._lock:
                self._idle.append(module)

    def invoke(self, event: dict[str, Any]) -> Any:
        with self._environment() as module:
            return self._call(module, event)

    def _call(self, module: ModuleType, event: dict[str, Any]) -> Any:
        handler = getattr(module, self.spec.handler.rpartition(".")[2])
        context = LambdaContext(
            function_name=self.spec.logical_id,
            aws_request_id=str(uuid.uuid4()),
            invoked_function_arn=f"arn:aws:lambda:local:123456789012:function:{self.spec.logical_id}",
            deadline=time.monotonic() + self.spec.timeout_seconds,
            memory_limit_in_mb=self.spec.memory_mb,
        )
        return handler(event, context)
