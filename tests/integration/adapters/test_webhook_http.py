"""The webhook HTTP adapter against a real local server: it connects to the address it was given
(the one checked), keeps the URL's host in the Host header, and never follows a redirect."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from faceid_bridge.adapters import webhook_http
from faceid_bridge.domain.webhooks import Endpoint

Seen = list[tuple[str, str, bytes]]  # each request's path, Host header and body


@pytest.fixture
def endpoint_server() -> Iterator[tuple[int, Seen]]:
    """A local endpoint: /moved answers 302, anything else 204; its port and what it was sent."""
    seen: Seen = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        seen.append((request.path, request.headers.get("Host", ""), request.get_data()))
        if request.path == "/moved":
            return Response(status=302, headers={"Location": "/elsewhere"})(environ, start_response)
        return Response(status=204)(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, seen
    server.shutdown()


def test_a_post_goes_to_the_checked_address_with_the_urls_host(endpoint_server: tuple[int, Seen]) -> None:
    port, seen = endpoint_server
    # Given an endpoint named by a host, whose checked address is this machine's
    endpoint = Endpoint("http", "hooks.example.com", port, "/in?x=1")
    # When a delivery is posted to that address
    status, latency_ms, error = webhook_http.post(endpoint, "127.0.0.1", '{"a":1}', {"webhook-id": "evt-1"})
    # Then it reached the address, for the URL's host and path, with the body as given
    assert (status, error) == (204, None) and latency_ms >= 0
    assert seen == [("/in", f"hooks.example.com:{port}", b'{"a":1}')]


def test_a_redirect_is_an_answer_never_followed(endpoint_server: tuple[int, Seen]) -> None:
    port, seen = endpoint_server
    endpoint = Endpoint("http", "hooks.example.com", port, "/moved")
    status, _, error = webhook_http.post(endpoint, "127.0.0.1", "{}", {})
    assert (status, error) == (302, None)
    assert [path for path, _, _ in seen] == ["/moved"]  # /elsewhere never asked


def test_no_answer_is_an_error_with_no_status() -> None:
    # Given nothing listening on the address (port 9 is discard, closed here)
    status, _, error = webhook_http.post(Endpoint("http", "hooks.example.com", 9, "/"), "127.0.0.1", "{}", {})
    assert status is None and error is not None


def test_a_host_resolves_to_its_addresses_and_an_unknown_one_to_none() -> None:
    assert "127.0.0.1" in webhook_http.resolve("localhost")
    assert webhook_http.resolve("no-such-host.invalid") == []
