"""Host the Lambda handlers in this process, as Lambda would: each function's app.py loaded once
(a cold start), then invoked with Lambda's event and a context object."""

from __future__ import annotations

import importlib.util
import threading
import time
import uuid
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
        self._module: ModuleType | None = None
        self._lock = threading.Lock()

    @property
    def module(self) -> ModuleType:
        with self._lock:
            if self._module is None:
                module_name, _, _ = self.spec.handler.rpartition(".")
                path = self.spec.code_dir / f"{module_name}.py"
                loaded = importlib.util.spec_from_file_location(f"lambda_{self.spec.logical_id}", path)
                assert loaded is not None and loaded.loader is not None
                module = importlib.util.module_from_spec(loaded)
                loaded.loader.exec_module(module)
                self._module = module
            return self._module

    def invoke(self, event: dict[str, Any]) -> Any:
        handler = getattr(self.module, self.spec.handler.rpartition(".")[2])
        context = LambdaContext(
            function_name=self.spec.logical_id,
            aws_request_id=str(uuid.uuid4()),
            invoked_function_arn=f"arn:aws:lambda:local:123456789012:function:{self.spec.logical_id}",
            deadline=time.monotonic() + self.spec.timeout_seconds,
        )
        return handler(event, context)
