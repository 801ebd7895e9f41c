"""Webhook deliveries over HTTP: the endpoint's host resolved once, and the connection made to the
address that was checked (never resolved again, so DNS rebinding cannot swap in a private one),
with the TLS name and the Host header of the URL. Redirects are never followed: a 3xx is a failure."""

from __future__ import annotations

import socket
import time

import urllib3

from faceid_bridge.domain.webhooks import Endpoint

TIMEOUT = urllib3.Timeout(connect=3.0, read=10.0)
MAX_ANSWER_BYTES = 4096  # what is read of an answer: its status is what counts


def resolve(host: str) -> list[str]:
    """Every address the host resolves to (none when it does not)."""
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)})
    except (socket.gaierror, UnicodeError):
        return []


def post(endpoint: Endpoint, address: str, body: str, headers: dict[str, str]) -> tuple[int | None, int, str | None]:
    """POST the body to the endpoint at `address`: (status or None, latency in ms, error or None)."""
    pool: urllib3.HTTPConnectionPool
    if endpoint.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, endpoint.port, server_hostname=endpoint.host, assert_hostname=endpoint.host, timeout=TIMEOUT
        )
    else:  # an allow-listed local receiver only (domain.webhooks.endpoint_of)
        pool = urllib3.HTTPConnectionPool(address, endpoint.port, timeout=TIMEOUT)
    host = endpoint.host if endpoint.port in (80, 443) else endpoint.target
    started = time.monotonic()
    try:
        with pool:
            answer = pool.urlopen(
                "POST",
                endpoint.path,
                body=body.encode(),
                headers={**headers, "Host": host, "Content-Type": "application/json", "User-Agent": "faceid-bridge"},
                redirect=False,
                retries=False,
                preload_content=False,
            )
            answer.read(MAX_ANSWER_BYTES)
            answer.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        return None, int((time.monotonic() - started) * 1000), type(exc).__name__
    return answer.status, int((time.monotonic() - started) * 1000), None
