"""FaceID's error responses, mapped onto our HTTP statuses (the core issue's table)."""

import pytest

from faceid_bridge.adapters.faceid_client import _error_of
from faceid_bridge.api import status_of

CASES = [
    (400, b'{"error_message":"NO_FACE_FOUND"}', 400, "NO_FACE_FOUND"),
    (400, b'{"error_message":"MULTIPLE_FACES"}', 400, "MULTIPLE_FACES"),
    (
        400,
        b'{"error_message":"IMAGE_ERROR_UNSUPPORTED_FORMAT:image_ref1"}',
        400,
        "IMAGE_ERROR_UNSUPPORTED_FORMAT:image_ref1",
    ),
    (400, b'{"error_message":"INVALID_IMAGE_SIZE:image_ref2"}', 400, "INVALID_IMAGE_SIZE:image_ref2"),
    (
        400,
        b'{"error_message":"BAD_ARGUMENTS: scene_id"}',
        400,
        "BAD_ARGUMENTS:scene_id",
    ),  # the doc's example has a space
    (413, b"Request Entity Too Large", 400, "REQUEST_ENTITY_TOO_LARGE"),
    (403, b'{"error":"AUTHENTICATION_ERROR"}', 502, "FACEID_AUTHENTICATION_ERROR"),
    (403, b'{"error":"AUTHORIZATION_ERROR:Denied."}', 502, "FACEID_AUTHORIZATION_ERROR:Denied."),
    (403, b'{"error_message":"CONCURRENCY_LIMIT_EXCEEDED"}', 429, "CONCURRENCY_LIMIT_EXCEEDED"),
    (429, b'{"error_message":"CONCURRENCY_LIMIT_EXCEEDED"}', 429, "CONCURRENCY_LIMIT_EXCEEDED"),
    (500, b'{"error_message":"INTERNAL_ERROR"}', 503, "FACEID_UNAVAILABLE"),
    (404, b'{"error":"API_NOT_FOUND"}', 502, "FACEID_UNEXPECTED_RESPONSE:404"),
]


@pytest.mark.parametrize(("status", "body", "ours", "message"), CASES)
def test_faceid_error_mapping(status: int, body: bytes, ours: int, message: str) -> None:
    error = _error_of(status, body)
    assert (status_of(error), error.message) == (ours, message)
    if ours == 429:
        assert error.retry_after
