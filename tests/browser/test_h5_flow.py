"""A person's H5 flow in headless Chromium (Debian's, driven by Playwright): from verification_url,
through the sandbox's do page, back through our return route, to the customer's own page.
Screenshots are saved under tests/artifacts/browser/."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.local_stack import LocalClient, Subscriber
from tests.support import ROOT

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
# Headless on a closed network: no background connections Chromium would try and fail.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class CustomerPage(BaseHTTPRequestHandler):
    """The customer's "verification finished" page, which the user's browser lands on."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>Shop</title><h1 id='done'>Thanks! We are checking your verification.</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def customer_page() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), CustomerPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}/kyc/done"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (`make browser` installs it)")
    from playwright.sync_api import sync_playwright

    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.mark.parametrize(
    ("outcome", "method", "detail_type", "status"),
    [
        ("pass", "POST", "Verification Approved", "OK"),
        ("pass", "GET", "Verification Approved", "OK"),
        ("cancel", "GET", "Verification Abandoned", "CANCELLED"),
        ("cancel", "POST", "Verification Abandoned", "CANCELLED"),
    ],
)
def test_a_user_finishes_the_flow_in_a_browser(
    client: LocalClient,
    subscriber: Subscriber,
    browser: Any,
    customer_page: str,
    outcome: str,
    method: str,
    detail_type: str,
    status: str,
) -> None:
    # Given a verification created by the customer's service
    created = client.create(redirect_url=customer_page, action_http_method=method).json()
    page = browser.new_page()
    name = f"{outcome}-{method.lower()}"
    # When the user opens verification_url, picks the outcome and finishes
    page.goto(created["verification_url"])
    page.select_option("#outcome", outcome)
    page.screenshot(path=ARTIFACTS / f"{name}-1-do-page.png")
    page.click("#finish")
    page.wait_for_url(f"{customer_page}?*", timeout=15_000)
    page.screenshot(path=ARTIFACTS / f"{name}-2-customer-page.png")
    # Then the browser ends on the customer's page with the verification's id and status
    landed = urlsplit(page.url)
    assert parse_qs(landed.query) == {"verification_id": [created["verification_id"]], "status": [status]}
    assert page.inner_text("#done").startswith("Thanks")
    page.close()
    # And the outcome reached the bus, exactly once
    vid = created["verification_id"]
    events = subscriber.wait_for({vid: 2})[vid]
    assert [event["detail-type"] for event in events] == ["Verification Created", detail_type]


@pytest.mark.parametrize(
    ("outcome", "locale", "title"),
    [("pass", "en-US", "Verified"), ("mismatch", "zh-CN", "验证未通过")],
    ids=["approved-english", "rejected-chinese"],
)
def test_without_a_redirect_url_the_user_reads_the_outcome_on_a_phone(
    client: LocalClient, browser: Any, outcome: str, locale: str, title: str
) -> None:
    # Given a verification created without a redirect_url, and a user on a phone in their language
    created = client.create().json()
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale=locale
    )
    page = phone.new_page()
    # When they finish the flow
    page.goto(created["verification_url"])
    page.select_option("#outcome", outcome)
    page.click("#finish")
    page.wait_for_url("**/v1/faceid/result?*", timeout=15_000)
    page.screenshot(path=ARTIFACTS / f"result-page-{outcome}-{locale}.png", full_page=True)
    # Then our result page tells them what happened, in their language, fitting the phone's width
    assert page.inner_text("#outcome") == title
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert created["verification_id"] not in page.content()
    phone.close()
