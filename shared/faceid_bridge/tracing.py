"""X-Ray tracing: a subsegment per invocation, per AWS call and per FaceID call, and nothing of a
request or an answer in any of them.

Only botocore is patched. Patching everything (Powertools' default) would also patch http.client
and requests, whose subsegments record each request's URL, and get_result's URL carries api_secret
in its query string (notes §2, docs/decisions.md §9). urllib3 2 happens to bypass X-Ray's
http.client patch today; patching botocore alone does not depend on that, and loads no other
patcher at cold start. The FaceID client names its calls itself (`faceid_call`): the API and the
region, never a URL, a body or a token. A handler's answer and error are not kept as metadata (an
answer holds tokens; an error object would be dumped whole).

Tracing is off where Powertools turns it off: POWERTOOLS_TRACE_DISABLED=true (what the template sets
when its Tracing parameter is Disabled, and the local stack), or outside Lambda. Off, the X-Ray SDK
is never imported (a cold-start cost): a handler stays itself and a FaceID call opens no subsegment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, cast

from aws_lambda_powertools import Tracer

from faceid_bridge.observability import SERVICE


@cache
def tracer() -> Tracer | None:
    """The process's Tracer, or None when tracing is off."""
    # Powertools' own rule for when tracing is off, asked before Tracer() imports the X-Ray SDK.
    if Tracer._is_tracer_disabled():
        return None
    return Tracer(service=SERVICE, patch_modules=("botocore",))


def traced[F: Callable[..., Any]](handler: F) -> F:
    """The Lambda handler inside a subsegment of its own (cold start and service annotated), when
    tracing is on; the handler itself when it is off."""
    active = tracer()
    if active is None:
        return handler
    return cast("F", active.capture_lambda_handler(handler, capture_response=False, capture_error=False))


@contextmanager
def faceid_call(api: str, region: str) -> Iterator[None]:
    """A subsegment "FaceID <api>" around one FaceID call (its retries included), with the API and
    the region as annotations. An error leaving it is recorded by its type and message: our own
    errors, whose messages are codes (the FaceID client never lets urllib3's, which hold the URL, out)."""
    active = tracer()
    if active is None:
        yield
        return
    with active.provider.in_subsegment(f"FaceID {api}") as subsegment:
        subsegment.put_annotation("faceid_api", api)
        subsegment.put_annotation("faceid_region", region)
        yield
