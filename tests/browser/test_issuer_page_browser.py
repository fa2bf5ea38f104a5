"""The issuer's URL in a real browser (issue 16, item 16): the sandbox's "Issuer profile (public)" link opens
a page for people, not raw JSON, while the same URL still gives clients the Profile; the DID document and
keys it links to answer. Headless Chromium sends its own Accept header: nothing here imitates it.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.request import Request, urlopen

import pytest

from tests.browser.conftest import PageWatch, ServedSandbox

pytestmark = pytest.mark.slow


def test_the_issuer_link_opens_a_page_and_clients_still_get_the_profile(sandbox_server: ServedSandbox,
                                                                         page: tuple[Any, PageWatch]) -> None:
    browser_page, watch = page
    request = Request(sandbox_server.url + "/issuer", headers={"Accept": "application/ld+json"})
    with urlopen(request, timeout=10) as answer:  # the loopback sandbox this test started
        profile = json.loads(answer.read())
    assert profile["type"] == ["Profile"]
    did = profile["alsoKnownAs"][0]

    browser_page.goto(sandbox_server.url)
    browser_page.wait_for_selector("body[data-ready=true]")
    href = browser_page.get_by_role("link", name="Issuer profile (public)").get_attribute("href")
    assert href is not None and href.endswith("/issuer")
    response = browser_page.goto(sandbox_server.url + href if href.startswith("/") else href)
    assert response is not None and response.status == 200
    assert response.header_value("content-type").startswith("text/html")
    assert browser_page.locator("#issuer-name").inner_text() == profile["name"]
    body = browser_page.locator("main").inner_text()
    assert "Signing keys" in body and did in body
    assert '"@context"' not in browser_page.content()  # no raw JSON for people

    browser_page.get_by_role("link", name="DID document").click()
    browser_page.wait_for_load_state()
    did_document = json.loads(browser_page.locator("body").inner_text())
    assert did_document["id"] == did and did_document["alsoKnownAs"] == [profile["id"]]
    assert {m["type"] for m in did_document["verificationMethod"]} == {"JsonWebKey", "Multikey"}
    watch.assert_clean()
