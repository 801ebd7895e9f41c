"""faceid_bridge_client.ApiError behaves as an exception: what raising it through a `with` block,
printing it or sending it to another process does to it, with its fields still read-only."""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Iterator

import pytest
from faceid_bridge_client import Answer, ApiError

REFUSED = Answer(409, {"Retry-After": "1"}, '{"error_message": "CONFLICT:status", "request_id": "r-1"}')


@contextlib.contextmanager
def calling() -> Iterator[None]:
    """A caller's context manager that lets exceptions through (contextlib sets __traceback__ on the way)."""
    yield


def test_an_api_error_raised_through_a_context_manager_arrives_as_itself() -> None:
    # Given a client call that fails inside a caller's `with` block
    # When the error leaves the block
    with pytest.raises(ApiError) as refused, calling():
        raise ApiError.of(REFUSED)
    # Then the caller catches the ApiError itself, its fields as the answer gave them
    got = refused.value
    assert (got.status, got.error_message, got.request_id, got.retry_after) == (409, "CONFLICT:status", "r-1", 1)


def test_an_api_error_prints_its_answer_and_survives_pickling() -> None:
    error = ApiError.of(REFUSED)
    assert str(error) == "409 CONFLICT:status (request_id r-1)"
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, made a line above
    assert (copy.status, copy.error_message, copy.request_id, copy.retry_after) == (409, "CONFLICT:status", "r-1", 1)


def test_an_api_errors_fields_are_read_only() -> None:
    error = ApiError(404, "NOT_FOUND:verification_id")
    with pytest.raises(AttributeError):
        error.status = 200  # type: ignore[misc]
    assert (error.request_id, error.retry_after) == (None, None)
