"""Issue 16's rough edges in the sandbox, in headless Chromium against `badgebot serve` (one sandbox for the
module; each test acts as a different person or in a different place, so they do not meet):

1. the conversation opens at its latest message and follows new ones, but leaves the view alone once the
   person has scrolled up to read ("New messages" brings them down);
6. a mistyped command is refused as Slack refuses it, and never reaches the bot;
22. on a 390 px phone the sidebar is folded away behind a ☰ button;
23. Sign in with Slack, opened from the chosen person's link, offers that person, the rest behind "Someone else";
and files show honest sizes ("20 bytes", "1.4 KB").
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    PageWatch,
    ServedSandbox,
    loopback_only,
    start_sandbox,
    stop_sandbox,
)
from tests.browser.test_sandbox_browser import Shots, be

pytestmark = pytest.mark.slow

ANA, BEN, CHLOE, KWAME, HOST, ADMIN = "U0LEARN001", "U0LEARN002", "U0LEARN003", "U0LEARN004", "U0HOST0001", "U0ADMIN001"
GENERAL = "C0GENERAL1"
SLACKS_REFUSAL = ('/badge is not a valid command. In Slack, all messages that start with the "/" character are '
                  'interpreted as commands.')
# How far (px) a list is scrolled from its latest message.
SCROLLED_FROM_LATEST = ("(id) => { const l = document.getElementById(id); "
                        "return l.scrollHeight - l.scrollTop - l.clientHeight; }")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSandbox]:
    workdir = tmp_path_factory.mktemp("rough-edges")
    sandbox = start_sandbox(workdir, workdir / "data")
    try:
        yield sandbox
    finally:
        stop_sandbox(sandbox)


@pytest.fixture
def api(served: ServedSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=30, trust_env=False, headers={"X-Sandbox": "1"}) as http:
        yield http


def dm_of(api: httpx.Client, user: str) -> str:
    return api.get("/sandbox/api/snapshot", params={"as": user}).raise_for_status().json()["dm"]


def test_the_conversation_opens_at_the_latest_message_and_follows_new_ones(
        served: ServedSandbox, browser: Any, api: httpx.Client, tmp_path: Path) -> None:
    # A short window, so that Ana's DM (the demo's awards and decisions) is longer than the list.
    context = browser.new_context(viewport={"width": 1280, "height": 560}, locale="en-US", timezone_id="UTC")
    watch = PageWatch()
    loopback_only(context, watch)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda error: watch.errors.append(f"uncaught: {error}"))
    try:
        # She lands on the App Home (the DM's first tab), then opens Messages: the latest message is in view.
        page.goto(f"{served.url}/?as={ANA}")
        page.wait_for_selector("#home .home-view")
        page.click(".tab[data-tab=messages]")
        page.locator("#messages .message").last.wait_for()
        assert page.evaluate("() => { const l = document.getElementById('messages'); "
                             "return l.scrollHeight > l.clientHeight + 200; }")
        page.wait_for_function(f"() => ({SCROLLED_FROM_LATEST})('messages') < 48")

        # She types /badges: the answer lands in view, at the bottom, not below the visible area.
        page.fill("#composer-input", "/badges")
        page.press("#composer-input", "Enter")
        dashboard = page.locator("#messages .message.ephemeral", has_text="Your badges").last
        dashboard.wait_for()
        page.wait_for_function(f"() => ({SCROLLED_FROM_LATEST})('messages') < 48")
        box, pane = dashboard.bounding_box(), page.locator("#messages").bounding_box()
        assert box is not None and pane is not None and box["y"] < pane["y"] + pane["height"]
        Shots(page, tmp_path).take("rough-1-follows-the-latest")

        # She scrolls up to read an older message; an answer arriving now leaves her view where it is.
        page.evaluate("() => { document.getElementById('messages').scrollTop = 0; }")
        page.wait_for_timeout(200)  # the scroll event, then at least one poll
        before = page.locator("#messages .message").count()
        answer = api.post("/sandbox/api/command", json={"as": ANA, "channel": dm_of(api, ANA), "text": "/badges help"})
        assert answer.json()["ok"]
        page.wait_for_function(f"() => document.querySelectorAll('#messages .message').length > {before}")
        jump = page.locator("#messages-jump")
        jump.wait_for()
        assert page.evaluate("() => document.getElementById('messages').scrollTop") == 0
        # "New messages" takes her down to it, and goes away.
        jump.click()
        page.wait_for_function(f"() => ({SCROLLED_FROM_LATEST})('messages') < 48")
        assert jump.is_hidden()
        watch.assert_clean()
    finally:
        context.close()


def test_a_mistyped_command_is_refused_like_slack_and_never_reaches_the_bot(
        served: ServedSandbox, page: tuple[Any, PageWatch], api: httpx.Client, tmp_path: Path) -> None:
    browser_page, watch = page
    browser_page.goto(f"{served.url}/?as={BEN}&tab=messages")
    browser_page.wait_for_selector("body[data-ready=true]")
    be(browser_page, BEN)
    sent_before = api.get("/sandbox/api/requests").json()["request_id"]

    browser_page.fill("#composer-input", "/badge")
    browser_page.press("#composer-input", "Enter")
    note = browser_page.locator("#composer-note")
    note.get_by_text(SLACKS_REFUSAL).wait_for()
    Shots(browser_page, tmp_path).take("rough-6-not-a-valid-command")
    assert browser_page.locator(".toast-item").count() == 0  # said once, under the composer
    # Nothing went to the bot: no request in the Requests panel, no Bolt "[Suggestion]" in the log.
    sent = api.get("/sandbox/api/requests", params={"after_request": sent_before}).json()["requests"]
    assert [r for r in sent if r["user"] == BEN] == []
    assert "[Suggestion]" not in "".join(served.output)

    # The next message clears the note; the right command works.
    browser_page.fill("#composer-input", "/badges help")
    browser_page.press("#composer-input", "Enter")
    browser_page.locator("#messages .message.ephemeral", has_text="/badges").last.wait_for()
    assert note.inner_text() == ""
    watch.assert_clean()


def test_files_show_their_real_sizes(served: ServedSandbox, page: tuple[Any, PageWatch], tmp_path: Path) -> None:
    browser_page, watch = page
    browser_page.goto(f"{served.url}/?as={KWAME}&c={GENERAL}&tab=messages")
    browser_page.wait_for_selector("body[data-ready=true]")
    files = tmp_path / "files"
    files.mkdir()
    (files / "note.txt").write_bytes(b"twenty bytes exactly")  # 20 bytes
    (files / "table.csv").write_bytes(b"x" * 1434)
    browser_page.set_input_files("#composer-files", [str(files / "note.txt"), str(files / "table.csv")])
    browser_page.fill("#composer-input", "Two files for the group")
    browser_page.press("#composer-input", "Enter")
    posted = browser_page.locator("#messages .message", has_text="Two files for the group").last
    posted.locator(".file-chip", has_text="table.csv").wait_for()
    sizes = {posted.locator(".file-chip", has_text=name).locator(".file-size").inner_text()
             for name in ("note.txt", "table.csv")}
    assert sizes == {"20 bytes", "1.4 KB"}
    watch.assert_clean()


def test_on_a_phone_the_sidebar_folds_away_behind_a_menu_button(
        served: ServedSandbox, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="en-US", timezone_id="UTC")
    watch = PageWatch()
    loopback_only(context, watch)
    phone = context.new_page()
    phone.set_default_timeout(20_000)
    phone.on("pageerror", lambda error: watch.errors.append(f"uncaught: {error}"))
    try:
        phone.goto(f"{served.url}/?as={CHLOE}&tab=messages")
        phone.wait_for_selector("body[data-ready=true]")
        sidebar, toggle = phone.locator("#sidebar"), phone.locator("#sidebar-toggle")
        # Folded at first: the conversation has the whole width, and nothing sticks out sideways.
        assert sidebar.is_hidden() and toggle.get_attribute("aria-expanded") == "false"
        main = phone.locator(".main").bounding_box()
        assert main is not None and main["width"] >= 380
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
        Shots(phone, tmp_path).take("rough-22-phone-folded")

        # ☰ opens it over the conversation (most of the width, not all of it); picking a channel folds it.
        toggle.tap()
        sidebar.wait_for()
        opened = sidebar.bounding_box()
        assert opened is not None and 200 <= opened["width"] <= 0.86 * 390
        assert toggle.get_attribute("aria-expanded") == "true"
        Shots(phone, tmp_path).take("rough-22-phone-sidebar")
        phone.locator(f".sidebar-item[data-channel={GENERAL}]").tap()
        sidebar.wait_for(state="hidden")
        # The sidebar folds at the tap; the channel is drawn once its snapshot arrives.
        expect(phone.locator("#conversation-header")).to_have_text(re.compile(r"^\s*#\s*general\s*$"))
        # Tapping beside an open sidebar folds it too.
        toggle.tap()
        sidebar.wait_for()
        phone.mouse.click(370, 400)
        sidebar.wait_for(state="hidden")
        watch.assert_clean()
    finally:
        context.close()


def test_on_a_wide_screen_the_sidebar_shows_and_folds_on_request(served: ServedSandbox,
                                                                 page: tuple[Any, PageWatch]) -> None:
    browser_page, watch = page
    browser_page.goto(f"{served.url}/?as={KWAME}")
    browser_page.wait_for_selector("body[data-ready=true]")
    sidebar = browser_page.locator("#sidebar")
    assert sidebar.is_visible()
    browser_page.click("#sidebar-toggle")
    sidebar.wait_for(state="hidden")
    main = browser_page.locator(".main").bounding_box()
    assert main is not None and main["x"] == 0
    browser_page.click("#sidebar-toggle")
    sidebar.wait_for()
    watch.assert_clean()


def continue_buttons(sign_in: Any) -> list[str]:
    buttons = sign_in.get_by_role("button", name="Continue as")
    visible = [buttons.nth(i) for i in range(buttons.count()) if buttons.nth(i).is_visible()]
    return [" ".join(button.inner_text().split()) for button in visible]


def test_sign_in_with_slack_offers_the_person_chosen_in_the_sandbox(served: ServedSandbox,
                                                                   page: tuple[Any, PageWatch], tmp_path: Path) -> None:
    browser_page, watch = page
    browser_page.goto(f"{served.url}/?as={CHLOE}")
    browser_page.wait_for_selector("body[data-ready=true]")

    # Chloé opens the check-in page from her sidebar: Slack's page offers her, and only her, at first.
    with browser_page.context.expect_page() as opened:
        browser_page.click("#link-list >> text=Scan the QR code at Civic Hackathon 2026")
    phone = opened.value
    phone.set_default_timeout(20_000)
    phone.click("#sign-in")
    phone.get_by_text("Someone else").wait_for()
    assert continue_buttons(phone) == ["Continue as chloe.martin (Chloé Martin)"]
    Shots(phone, tmp_path).take("rough-23-sign-in-as-chosen")
    # The others are one click away.
    phone.get_by_text("Someone else").click()
    others = continue_buttons(phone)
    assert len(others) == 9 and others[0] == "Continue as chloe.martin (Chloé Martin)"
    phone.close()

    # The administrator opening the reports console is offered first there.
    be(browser_page, ADMIN)
    with browser_page.context.expect_page() as opened:
        browser_page.click("#link-list >> text=Program reports (console)")
    console = opened.value
    console.set_default_timeout(20_000)
    console.get_by_role("link", name="Sign in with Slack").click()
    console.get_by_text("Someone else").wait_for()
    admin = browser_page.locator("#persona .persona-name").inner_text()
    shown = continue_buttons(console)
    assert len(shown) == 1 and shown[0].startswith("Continue as ") and f"({admin})" in shown[0]
    watch.assert_clean()
