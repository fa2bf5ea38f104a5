"""QR check-in in headless Chromium: the host's door screen on a laptop, a learner's phone scanning it.

The bot serves its real pages over HTTP; Slack is the local emulator with its Sign in with Slack
(OpenID Connect) provider, so the phone goes bot -> emulator's consent page -> bot, as on a real phone.
The QR code is read from a screenshot of the door screen by a real decoder (zxing-cpp): what a camera
would see, not the page's source. The bot's clock is fixed and moved by the test, so the code on the
screen changes when the test says, never because a test ran slowly.

Screenshots go to the test's tmp dir (and to BADGEBOT_SCREENSHOTS, e.g. docs/images, if set).
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from handlers.bootstrap import Badgebot, bootstrap
from bot.clock import FixedClock
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.emulator.oidc import OidcProvider
from bot.usecases.campus_events.hosting import EventDraft, create_event
from bot.runtime.web_server import serving
from config.catalog import load_catalog
from config.settings import EXAMPLE_CATALOG, load_settings
from tests.browser.conftest import PageWatch, loopback_only, screenshot_dirs
from tests.conftest import T0

pytestmark = pytest.mark.slow

HOST, ANA = "U0HOST0001", "U0LEARN001"
CLIENT_ID, CLIENT_SECRET = "1234.5678", "browser-oidc-secret"
TOKEN, SIGNING_SECRET = "xoxb-browser", "browser-signing-secret"
# A mid-size phone (CSS pixels), held upright, with touch: what most learners will scan with.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "user_agent": ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/124.0 Mobile Safari/537.36")}
# The door screen polls every 2 s (handlers/web/checkin.py); this only bounds a broken page's wait.
UPDATE_TIMEOUT_MS = 20_000
MIN_TAP_TARGET = 44  # CSS pixels: WCAG 2.5.5's target size, and Apple's and Google's guidance


@dataclass
class CheckinSite:
    url: str
    badgebot: Badgebot
    bot: Badgebot
    emulator: SlackEmulator
    oidc: OidcProvider
    clock: FixedClock

    def dm_texts(self, user: str) -> list[str]:
        self.bot.delivery.drain(timeout=10)
        return [m.text for m in self.emulator.messages(self.emulator.dm_channel_of(user))]


@pytest.fixture
def checkin_site(tmp_path: Path) -> Iterator[CheckinSite]:
    """The bot's web server (SQLite) with Sign in with Slack configured against the emulator's provider."""
    clock = FixedClock(T0)
    with SlackEmulator(bot_token=TOKEN, signing_secret=SIGNING_SECRET) as emulator:
        for user_id, name in {HOST: "host", ANA: "ana"}.items():
            emulator.add_user(name, id=user_id)
        with serving(lambda *a: web(*a)) as server:  # the app needs the URL, the URL needs the server
            oidc = OidcProvider(emulator, CLIENT_ID, CLIENT_SECRET,
                                redirect_uris=[f"{server.url}/checkin/callback"]).install()
            settings = load_settings(
                database_url=f"sqlite:///{tmp_path / 'badgebot.sqlite3'}", data_dir=tmp_path / "data",
                slack_bot_token=TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=emulator.api_url,
                public_url=server.url, slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET)
            badgebot = bootstrap(settings, catalog=load_catalog(EXAMPLE_CATALOG), clock=clock)
            badgebot.upgrade_database()
            badgebot.load_catalog("test")
            badgebot.start(scheduler=False)
            web = badgebot.web
            try:
                yield CheckinSite(server.url, badgebot, badgebot, emulator, oidc, clock)
            finally:
                badgebot.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[tuple[Any, PageWatch]]:
    """A learner's phone: a small touch screen, its own cookies, nothing reachable beyond loopback."""
    context = browser.new_context(**PHONE, locale="en-US", timezone_id="UTC")
    watch = PageWatch()
    loopback_only(context, watch)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    tab.on("console", lambda m: watch.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda error: watch.errors.append(f"uncaught: {error}"))
    try:
        yield tab, watch
    finally:
        context.close()


def scan(door: Any, shots: list[Path], name: str) -> str:
    """What a camera pointed at the door screen reads: the one QR code in a screenshot of the page."""
    png = door.screenshot()
    for folder in shots:
        (folder / f"checkin-{name}.png").write_bytes(png)
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, f"expected one QR code on the door screen, found {len(found)}"
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


def on_one_screen(tab: Any, *selectors: str) -> None:
    height = tab.viewport_size["height"]
    for selector in selectors:
        box = tab.locator(selector).bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height, \
            f"{selector} is not wholly on the {height}px-high screen: {box}"


def fits_the_screen(tab: Any) -> None:
    """Nothing wider than the phone (no sideways scrolling), and every button big enough for a thumb."""
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    for handle in tab.locator("main a.button, main button").element_handles():
        box = handle.bounding_box()
        if box is not None:  # visible
            assert box["height"] >= MIN_TAP_TARGET, f"{handle.inner_text()!r} is {box['height']}px tall"


def test_a_phone_scans_the_door_screen_signs_in_with_slack_and_is_checked_in(
        checkin_site: CheckinSite, page: tuple[Any, PageWatch], phone: tuple[Any, PageWatch], tmp_path: Path) -> None:
    site = checkin_site
    shots = screenshot_dirs(tmp_path)
    event = create_event(site.badgebot.ctx, HOST, EventDraft(
        name="Data Viz Meetup", souvenir="data-viz-meetup", starts_at=T0, ends_at=T0.replace(hour=11),
        opens_at=T0.replace(minute=0), location="Library 204", capacity=40))

    # The host opens the door screen on a laptop at the entrance.
    door, door_watch = page
    door.goto(site.badgebot.urls.event_display(event.public_id))
    door.get_by_role("img", name="QR code to check in").wait_for()
    shown = door.locator("#code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]+-[0-9A-Z]{6}", shown), shown
    assert door.locator("#count").inner_text() == "0 checked in of 40"
    on_one_screen(door, "#qr", "#code", "#count")  # a projector shows one screen: nothing below the fold
    door.evaluate("window.stayedOnThisPage = true")  # gone if the screen reloads: the count must update live

    # Ana points her phone's camera at it: the QR code opens the check-in page for this event.
    scanned = scan(door, shots, "door-screen")
    assert scanned == f"{site.url}/checkin/{shown}"  # the QR code and the typed code agree
    tab, phone_watch = phone
    tab.goto(scanned)
    assert tab.locator("h1").inner_text() == "Data Viz Meetup"
    assert "Data Visualization Meetup" in tab.locator("main").inner_text()  # the souvenir she will get
    fits_the_screen(tab)
    tab.screenshot(path=str(shots[0] / "checkin-phone-1-landing.png"))
    for folder in shots[1:]:
        tab.screenshot(path=str(folder / "checkin-phone-1-landing.png"))

    # She has not signed in on this phone before: Sign in with Slack, then "Continue as ana" at Slack.
    tab.get_by_role("link", name="Sign in with Slack to check in").tap()
    tab.get_by_role("button", name=re.compile(r"Continue as\s+ana")).tap()
    tab.wait_for_url(re.compile(r"/checkin/done/"))
    assert tab.locator("h1").inner_text() == "You're checked in"
    confirmation = tab.locator("main").inner_text()
    assert "Data Viz Meetup, at 09:00" in confirmation and "Data Visualization Meetup is yours" in confirmation
    fits_the_screen(tab)
    for folder in shots:
        tab.screenshot(path=str(folder / "checkin-phone-2-confirmation.png"))
    assert site.oidc.sign_ins == [ANA]
    assert any("Data Visualization Meetup" in text for text in site.dm_texts(ANA))  # and Slack tells her too

    # The door screen counts her without being reloaded.
    expect(door.locator("#count")).to_have_text("1 checked in of 40", timeout=UPDATE_TIMEOUT_MS)
    assert door.evaluate("window.stayedOnThisPage") is True

    # Half a minute later the screen shows another code and another QR code, still without a reload.
    site.clock.advance(seconds=event.period_seconds)
    expect(door.locator("#code")).not_to_have_text(shown, timeout=UPDATE_TIMEOUT_MS)
    rotated = scan(door, shots, "door-screen-next-code")
    assert rotated != scanned and rotated == f"{site.url}/checkin/{door.locator('#code').inner_text()}"
    assert door.evaluate("window.stayedOnThisPage") is True

    # Scanning again on the same phone: no second sign-in, no second souvenir, and she is told when.
    tab.goto(rotated)
    assert tab.locator("h1").inner_text() == "You already checked in at 09:00"
    assert site.oidc.sign_ins == [ANA]
    assert door.locator("#count").inner_text() == "1 checked in of 40"

    door_watch.assert_clean()
    phone_watch.assert_clean()
