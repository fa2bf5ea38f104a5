"""The sandbox in headless Chromium, against `badgebot serve` run as the README runs it.

The walkthrough is the issue's acceptance: a learner types `/badges`, submits an artifact with a file
through the modal, a grantor approves in the review channel and reads the thread, and the learner
sees the award in App Home. The event test runs the demo's live event: the host's door screen with
its rotating QR code, and a learner checking in from the browser through Sign in with Slack. Screenshots of each step go to the test's tmp dir, and with
BADGEBOT_SCREENSHOTS=docs/images also to docs/images/sandbox-*.png (the README's pictures).

The walk test runs a scripted session through the sandbox's own endpoints, then has the browser
render every Block Kit payload the bot produced (the gallery) and every screen of every person, and
asserts nothing is shown as unsupported, nothing failed to render, and the console stayed clean.
"""
from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import PageWatch, ServedSandbox, screenshot_dirs
from tests.processes import wait_for

pytestmark = pytest.mark.slow

ANA, BEN, CHLOE, KWAME = "U0LEARN001", "U0LEARN002", "U0LEARN003", "U0LEARN004"
PRIYA, DANIEL, ELENA, HOST, ADMIN = "U0GRANT001", "U0GRANT002", "U0GRANT003", "U0HOST0001", "U0ADMIN001"
REVIEWS = "C0REVIEWS1"
PROBLEMS = ".bk-unsupported, .bk-error, .emoji-unknown"
# The block types the bot's messages and views use today; the gallery must have shown each of them.
BOT_BLOCK_TYPES = {"header", "section", "context", "divider", "actions", "input"}


def pdf(text: str) -> bytes:
    from handlers.sandbox.demo import one_page_pdf

    return one_page_pdf(text, ["Made by the browser test."])


class Shots:
    """Every step's screenshot goes to the test's tmp dir; the key ones (the README's) also go to
    BADGEBOT_SCREENSHOTS, as small palette PNGs: `BADGEBOT_SCREENSHOTS=docs/images pytest tests/browser`."""

    def __init__(self, page: Any, tmp_path: Path):
        self.page = page
        self.steps = tmp_path / "screenshots"
        self.key_dirs = [d for d in screenshot_dirs(tmp_path) if d != self.steps]

    def take(self, name: str, *, key: bool = False) -> None:
        self.page.wait_for_timeout(300)  # let the last poll's rendering settle
        self.steps.mkdir(parents=True, exist_ok=True)
        png = self.page.screenshot(path=str(self.steps / f"sandbox-{name}.png"))
        if key:
            for d in self.key_dirs:
                small_png(png, d / f"sandbox-{name}.png")


def small_png(png: bytes, path: Path) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)


def be(page: Any, user: str) -> None:
    page.select_option("#who", user)
    page.wait_for_function("(u) => new URLSearchParams(location.search).get('as') === u", arg=user)
    page.wait_for_selector(f"#persona >> text={page.locator('#who option:checked').inner_text().split(' · ')[0]}")


def test_walkthrough_submit_approve_and_see_the_award(sandbox_server: ServedSandbox, page: tuple[Any, PageWatch],
                                                     tmp_path: Path) -> None:
    browser_page, watch = page
    shots = Shots(browser_page, tmp_path)
    browser_page.goto(sandbox_server.url)
    browser_page.wait_for_selector("body[data-ready=true]")

    # Ana, a learner, types /badges in her DM with the bot: an ephemeral dashboard comes back.
    be(browser_page, ANA)
    browser_page.click(".tab[data-tab=messages]")
    browser_page.fill("#composer-input", "/badges")
    browser_page.press("#composer-input", "Enter")
    dashboard = browser_page.locator(".message.ephemeral", has_text="Your badges").last
    dashboard.wait_for()
    assert "Only visible to you" in dashboard.inner_text()
    assert "2 of 3" in dashboard.inner_text()
    shots.take("1-badges-command", key=True)

    # She opens the submit form from the dashboard's button, attaches two files and writes a reflection.
    dashboard.get_by_role("button", name="Submit for Spreadsheet Fundamentals").click()
    modal = browser_page.locator(".modal[data-callback-id=submit_artifact]")
    modal.wait_for()
    files = tmp_path / "upload"
    files.mkdir()
    (files / "workbook.pdf").write_bytes(pdf("Spreadsheet Fundamentals: the workbook"))
    (files / "pivot.csv").write_bytes(b"region,orders\nNorth,120\nSouth,98\n")
    modal.locator("input[type=file]").set_input_files([str(files / "workbook.pdf"), str(files / "pivot.csv")])
    modal.locator(".bk-input[data-block-id=reflection] textarea").fill(
        "I removed 14 duplicate rows and used XLOOKUP, SUMIFS and a pivot table by region.")
    assert "workbook.pdf" in modal.inner_text() and "pivot.csv" in modal.inner_text()
    shots.take("2-submit-modal", key=True)
    modal.locator("[data-modal=submit]").click()
    modal.wait_for(state="detached")
    received = browser_page.locator(".message", has_text="Your work for Spreadsheet Fundamentals (2 files) went to its grantors")
    received.wait_for()
    shots.take("3-submitted")

    # Dr. Priya Raman, a grantor, finds the card in #badge-reviews and approves.
    be(browser_page, PRIYA)
    browser_page.click(f".sidebar-item[data-channel={REVIEWS}]")
    card = browser_page.locator("#messages .message", has_text="submitted work for Spreadsheet Fundamentals").filter(
        has_text="Ana Souza").last
    card.wait_for()
    assert " ".join(browser_page.inner_text("#conversation-header").split()) == "# badge-reviews"
    assert "workbook.pdf" in card.inner_text() and "Approve with Distinction" in card.inner_text()
    card.scroll_into_view_if_needed()
    shots.take("4-review-card")
    card.get_by_role("button", name="Approve", exact=True).click()
    card.locator("text=Approved by").wait_for()
    assert card.get_by_role("button", name="Approve", exact=True).count() == 0
    card.locator(".replies").click()
    browser_page.locator("#thread-messages .message", has_text="approved.").wait_for()
    shots.take("5-approved-in-thread", key=True)

    # Back as Ana: App Home shows the badge and the certificate it completed.
    be(browser_page, ANA)
    browser_page.click(".sidebar-item >> text=Badgebot")
    browser_page.click(".tab[data-tab=home]")
    home = browser_page.locator("#home .home-view")
    home.locator("text=Spreadsheet Fundamentals").first.wait_for()
    home.locator("text=Data Analytics (Practiced)").first.wait_for()
    assert "You hold 6" in home.inner_text()
    shots.take("6-app-home-award", key=True)

    # The requests panel shows both directions: what Slack sent the bot, and what the bot called.
    browser_page.click("#requests-toggle")
    browser_page.locator(".req-in", has_text="view_submission").first.wait_for()
    browser_page.locator(".req-out", has_text="views.publish").first.wait_for()
    shots.take("7-requests-panel", key=True)
    watch.assert_clean()


def test_event_door_screen_and_check_in_as_from_the_browser(sandbox_server: ServedSandbox,
                                                             page: tuple[Any, PageWatch], tmp_path: Path) -> None:
    browser_page, watch = page
    browser_page.goto(sandbox_server.url)
    browser_page.wait_for_selector("body[data-ready=true]")

    # Jamie, the host, opens the door screen of the event running now: a QR code and the count.
    be(browser_page, HOST)
    with browser_page.context.expect_page() as opened:
        browser_page.click("#link-list >> text=Door screen: Civic Hackathon 2026")
    door = opened.value
    door.set_default_timeout(20_000)
    door.wait_for_selector("svg")
    assert "Civic Hackathon 2026" in door.inner_text("body") and "0 checked in" in door.inner_text("body")
    Shots(door, tmp_path).take("8-door-screen")

    # Chloé "scans" it: the check-in page, Sign in with Slack, and the emulator asks who she is.
    browser_page.bring_to_front()
    be(browser_page, CHLOE)
    with browser_page.context.expect_page() as opened:
        browser_page.click("#link-list >> text=Scan the QR code at Civic Hackathon 2026")
    phone = opened.value
    phone.set_default_timeout(20_000)
    phone.get_by_text("Checking in gives you the souvenir Lakeside Civic Hackathon 2026").wait_for()
    phone.click("#sign-in")
    phone.get_by_role("button", name="Continue as chloe.martin (Chloé Martin)").click()
    phone.get_by_text("You're checked in").wait_for()
    assert "Signed in as Chloé Martin" in phone.inner_text("body")
    Shots(phone, tmp_path).take("9-checked-in")

    # The door screen counts her (it polls), and the bot tells her in Slack.
    door.get_by_text("1 checked in").wait_for()
    browser_page.bring_to_front()
    browser_page.click(".sidebar-item >> text=Badgebot")
    browser_page.click(".tab[data-tab=messages]")
    browser_page.locator("#messages .message", has_text="You earned Lakeside Civic Hackathon 2026").wait_for()
    watch.assert_clean()


# --------------------------------------------------------------------------------------------------
# Every Block Kit payload the bot produced, rendered
# --------------------------------------------------------------------------------------------------


class Api:
    """The sandbox's JSON endpoints, as the UI calls them."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=30, trust_env=False, headers={"X-Sandbox": "1"})

    def snapshot(self, user: str, channel: str | None = None, thread: str | None = None) -> dict[str, Any]:
        query = {"as": user} | ({"channel": channel} if channel else {}) | ({"thread": thread} if thread else {})
        return self.http.get("/sandbox/api/snapshot", params=query).raise_for_status().json()

    def wait(self, what: Callable[[], Any], timeout: float = 20.0) -> Any:
        return wait_for(what, timeout, "the bot")

    def command(self, user: str, text: str, channel: str | None = None) -> dict[str, Any]:
        channel = channel or self.snapshot(user)["dm"]
        return self.http.post("/sandbox/api/command", json={"as": user, "channel": channel, "text": text}).json()

    def message(self, user: str, channel: str, text: str, thread_ts: str | None = None,
                files: list[tuple[str, bytes]] | None = None) -> dict[str, Any]:
        form = {"as": user, "channel": channel, "text": text} | ({"thread_ts": thread_ts} if thread_ts else {})
        upload = [("files", (name, content)) for name, content in files or []]
        return self.http.post("/sandbox/api/message", data=form, files=upload or None).json()

    def find(self, user: str, channel: str, text: str, *, ephemeral: bool | None = None) -> dict[str, Any]:
        def look() -> Any:
            for m in reversed(self.snapshot(user, channel)["messages"]):
                blob = m["text"] + json.dumps(m["blocks"])
                if text in blob and (ephemeral is None or m["ephemeral"] == ephemeral):
                    return m
            return None
        return self.wait(look)

    def click(self, user: str, message: dict[str, Any], label: str) -> dict[str, Any]:
        # Only buttons: a context block's elements are text objects whose "text" is a plain string.
        element = next(e for b in message["blocks"] for e in (b.get("elements") or [b.get("accessory") or {}])
                       if e.get("type") == "button" and e["text"]["text"] == label)
        return self.http.post("/sandbox/api/action", json={
            "as": user, "channel": message["channel"], "ts": message["ts"], "action_id": element["action_id"],
            "type": element["type"], "value": element.get("value")}).json()

    def modal(self, user: str, callback_id: str) -> dict[str, Any]:
        return self.wait(lambda: (m := self.snapshot(user)["modal"]) and m["callback_id"] == callback_id and m)

    def submit(self, user: str, view_id: str, values: dict[str, Any],
               files: dict[str, list[tuple[str, bytes]]] | None = None) -> dict[str, Any]:
        upload = [(f"files:{key}", (name, content)) for key, items in (files or {}).items() for name, content in items]
        return self.http.post("/sandbox/api/view/submit", data={"as": user, "view_id": view_id,
                                                                "values": json.dumps(values)},
                              files=upload or None).json()

    def live_event(self) -> str:
        """The public id of the demo's event with check-in open (from the host's sidebar link)."""
        links = self.http.get("/sandbox/api/workspace").raise_for_status().json()["links"]
        return next(link["url"].split("/")[2] for link in links if link["label"].startswith("Door screen"))

    def home(self, user: str) -> None:
        self.http.post("/sandbox/api/home", json={"as": user}).raise_for_status()


def scripted_session(api: Api) -> None:
    """A session that makes the bot produce every kind of message and view it has."""
    for text in ("/badges", "/badges help", "/badges catalog", "/badges catalog sql", "/badges frobnicate",
                 "/badges submit sql-basics", "/badges claim", "/badges nudges off", "/badges review"):
        assert api.command(BEN, text)["ok"], text
    # Sharing has a confirm dialog; the answer replaces the message with the share links.
    api.command(BEN, "/badges share business-writing")
    offer = api.find(BEN, api.snapshot(BEN)["dm"], "Make public and share", ephemeral=True)
    api.click(BEN, offer, "Make public and share")
    api.find(BEN, offer["channel"], "is public at", ephemeral=True)
    api.command(BEN, "/badges unshare business-writing")

    # Ben resubmits SQL Basics by replying in the thread where changes were asked for.
    dm = api.snapshot(BEN)["dm"]
    asked = api.find(BEN, dm, "asked for changes")
    thread = asked["thread_ts"] or asked["ts"]
    api.message(BEN, dm, "Fixed query 4: distinct orders now.", thread_ts=thread,
                files=[("queries-v2.pdf", pdf("SQL Basics, round 2"))])
    api.find(PRIYA, REVIEWS, "(round 2)")

    # Grantors decide: approve, reject with a reason (a modal), a second approval at Level II.
    api.command(PRIYA, "/badges review", REVIEWS)
    card = api.find(PRIYA, REVIEWS, "submitted work for *SQL Basics* (round 2)")
    api.click(PRIYA, card, "Approve")
    api.find(BEN, dm, "You earned *SQL Basics*")
    kwame_card = api.find(DANIEL, REVIEWS, "submitted work for *Data Visualization Foundations*")
    api.click(DANIEL, kwame_card, "Reject")
    reason = api.modal(DANIEL, "review_reason")
    api.submit(DANIEL, reason["id"], {"reason": {"reason": "Each chart needs labelled axes; two have none."}})
    api.find(KWAME, api.snapshot(KWAME)["dm"], "Each chart needs labelled axes")
    level2 = api.find(DANIEL, REVIEWS, "submitted work for *SQL for Analytics in Practice*")
    api.click(DANIEL, level2, "Approve")
    api.find(CHLOE, api.snapshot(CHLOE)["dm"], "You earned *SQL for Analytics in Practice*")
    talk = api.find(ELENA, REVIEWS, "submitted work for *Presentation Skills*")
    api.click(ELENA, talk, "Request changes")
    changes = api.modal(ELENA, "review_reason")
    api.submit(ELENA, changes["id"], {"reason": {"reason": "Add the recording link to your slides."}})
    api.click(PRIYA, card, "Approve")  # already decided: a private refusal

    # Ana's form, first with a blank reflection (the bot's own validation answers), then properly.
    api.command(ANA, "/badges submit spreadsheet-fundamentals")
    form = api.modal(ANA, "submit_artifact")
    upload = {"files:files": [("workbook.pdf", pdf("Workbook"))]}
    answer = api.submit(ANA, form["id"], {"reflection": {"reflection": "  "}}, upload)
    assert answer["errors"] == {"reflection": "Write a few words about your work."}
    api.submit(ANA, form["id"], {"reflection": {"reflection": "Pivot by region."}}, upload)
    api.find(ANA, api.snapshot(ANA)["dm"], "Your work for *Spreadsheet Fundamentals*")
    # The host runs the live event: its list, its details, the forms to create one and to award by hand;
    # Kwame checks in with the code on the door screen, twice (the second time: already checked in).
    for text in ("/badges event help", "/badges event list", "/badges event show 1", "/badges event new",
                 "/badges event award 1"):
        assert api.command(HOST, text)["ok"], text
    code = api.http.get(f"/events/{api.live_event()}/display.json").raise_for_status().json()["code"]
    api.command(KWAME, f"/badges claim {code}")
    api.find(KWAME, api.snapshot(KWAME)["dm"], "You earned *Lakeside Civic Hackathon 2026*")
    api.command(KWAME, f"/badges claim {code}")
    api.command(KWAME, "/badges claim 1-AAAAAA")
    for user in (ANA, BEN, CHLOE, KWAME, PRIYA, DANIEL, ELENA, HOST, ADMIN):
        api.home(user)
    api.command(ADMIN, "/badges", "C0GENERAL1")


def test_every_block_kit_payload_renders(sandbox_server: ServedSandbox, page: tuple[Any, PageWatch]) -> None:
    browser_page, watch = page
    api = Api(sandbox_server.url)
    scripted_session(api)

    def gallery_with_homes() -> list[dict[str, Any]] | None:
        items = api.http.get("/sandbox/api/gallery").json()["items"]
        return items if any(item["kind"] == "home" for item in items) else None

    gallery = api.wait(gallery_with_homes)
    kinds = {item["kind"] for item in gallery}
    types = {block["type"] for item in gallery for block in item["blocks"]}
    assert {"message", "modal", "home"} <= kinds and BOT_BLOCK_TYPES <= types, (kinds, types)
    browser_page.goto(f"{sandbox_server.url}/sandbox/gallery")
    browser_page.wait_for_selector("#gallery[data-rendered]")
    # Messages still being delivered may add items between the two reads; none disappear.
    rendered = int(browser_page.get_attribute("#gallery", "data-rendered"))
    assert browser_page.locator("#gallery .gallery-item").count() == rendered >= len(gallery) > 40
    problems = browser_page.locator(PROBLEMS)
    assert problems.count() == 0, [problems.nth(i).inner_text() for i in range(min(problems.count(), 10))]

    # And every screen of every person, as the main UI shows it: home, DM, channels, threads.
    for user in (ANA, BEN, CHLOE, KWAME, PRIYA, DANIEL, ELENA, HOST, ADMIN):
        snap = api.snapshot(user)
        for channel in [snap["dm"], *(c["id"] for c in snap["conversations"])]:
            for tab in (("home", "messages") if channel == snap["dm"] else ("messages",)):
                browser_page.goto(f"{sandbox_server.url}/?as={user}&c={channel}&tab={tab}")
                browser_page.wait_for_selector("body[data-ready=true]")
                # A DM the bot never wrote in shows Slack's "beginning of your messages" line instead.
                target = "#home .home-view" if tab == "home" else "#messages .message, #messages .empty-conversation"
                browser_page.wait_for_selector(target)
                assert browser_page.locator(PROBLEMS).count() == 0, (user, channel, tab)
            threads = [m["ts"] for m in api.snapshot(user, channel)["messages"] if m["reply_count"]]
            for ts in threads[:3]:
                browser_page.goto(f"{sandbox_server.url}/?as={user}&c={channel}&tab=messages&thread={ts}")
                browser_page.wait_for_selector("#thread-messages .message")
                assert browser_page.locator(PROBLEMS).count() == 0, (user, channel, ts)
    watch.assert_clean()
