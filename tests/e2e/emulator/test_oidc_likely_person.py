"""The emulator's Sign in with Slack page offers the person most likely there, the others behind "Someone else":
the app's `login_hint`, else whom this browser was signed in as (`/emulator/signed-in`, how the sandbox says it)."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import httpx
import pytest

from bot.sandbox.emulator import SlackEmulator, User
from bot.sandbox.emulator.oidc import OidcProvider

pytestmark = pytest.mark.slow

REDIRECT = "http://127.0.0.1:3000/checkin/callback"


def authorize_query(provider: OidcProvider, **extra: str) -> str:
    return urlencode({"response_type": "code", "scope": "openid profile", "client_id": provider.client_id,
                      "state": "s", "nonce": "n", "redirect_uri": REDIRECT, **extra})


def offered(page: str) -> tuple[list[str], list[str]]:
    """The people offered at once, and those behind "Someone else"."""
    first, _, others = page.partition("<summary>Someone else</summary>")
    return re.findall(r'name="user" value="([^"]+)"', first), re.findall(r'name="user" value="([^"]+)"', others)


def test_everyone_is_offered_alike_when_nobody_is_likely(emulator: SlackEmulator, ana: User, ben: User) -> None:
    provider = OidcProvider(emulator).install()
    with httpx.Client(base_url=emulator.base_url, trust_env=False) as browser:
        page = browser.get(f"/openid/connect/authorize?{authorize_query(provider)}").text
    assert offered(page) == ([ana.id, ben.id], [])


def test_the_apps_login_hint_comes_first(emulator: SlackEmulator, ana: User, ben: User) -> None:
    provider = OidcProvider(emulator).install()
    with httpx.Client(base_url=emulator.base_url, trust_env=False) as browser:
        page = browser.get(f"/openid/connect/authorize?{authorize_query(provider, login_hint=ben.id)}").text
        assert offered(page) == ([ben.id], [ana.id])
        # A hint naming nobody here changes nothing.
        page = browser.get(f"/openid/connect/authorize?{authorize_query(provider, login_hint='U0NOBODY1')}").text
        assert offered(page) == ([ana.id, ben.id], [])


def test_the_person_this_browser_is_signed_in_as_comes_first(emulator: SlackEmulator, ana: User, ben: User) -> None:
    provider = OidcProvider(emulator).install()
    with httpx.Client(trust_env=False) as browser:
        went = browser.get(provider.signed_in_url(ben.id, "http://127.0.0.1:3000/checkin/1-ABCDEF"))
        assert went.status_code == 303 and went.headers["location"] == "http://127.0.0.1:3000/checkin/1-ABCDEF"
        page = browser.get(f"{provider.issuer}/openid/connect/authorize?{authorize_query(provider)}").text
        assert offered(page) == ([ben.id], [ana.id])
        # Only pages on this machine, and only people of this workspace.
        assert browser.get(provider.signed_in_url(ben.id, "https://evil.example/")).status_code == 400
        assert browser.get(provider.signed_in_url("U0NOBODY1", "http://127.0.0.1:3000/")).status_code == 400
