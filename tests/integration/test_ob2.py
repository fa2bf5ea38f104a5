"""Open Badges 2.0 that backpacks accept, through the real web app, on SQLite and PostgreSQL.

A backpack matches an assertion to its user by the recipient: the learner's email (from their Slack
profile), hashed with the assertion's salt. It shows the issuer's email, links the criteria page, and
drops a revoked assertion when its issuer answers 410 Gone.
"""
from __future__ import annotations

import hashlib
import json
from urllib.parse import urlparse

import pytest
from slack_sdk import WebClient

from bot.adapters.directory import SlackDirectory, StaticDirectory
from bot.adapters.openbadges import baking
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.emulator.scopes import EMAIL_SCOPE
from bot.usecases.awards import revoke, set_shared
from tests.helpers import earn

LEARNER, SECOND = "U0LEARN001", "U0LEARN002"
EMAIL = "Zoe.Xanthe@Lakeside.example.edu"  # as typed in Slack: backpacks compare lowercased addresses


@pytest.fixture
def directory() -> StaticDirectory:
    """The test bot's workspace: the grantors' group, and the learners' profile emails."""
    return StaticDirectory({"S0FACULTY1": {"U0GRANT001", "U0GRANT009"}},
                           emails={LEARNER: EMAIL, SECOND: "second@lakeside.example.edu"})


def shared_award(badgebot, learner: str = LEARNER, slug: str = "sql-basics") -> str:
    public_id = earn(badgebot.ctx, learner, slug).award_public_ids[0]
    set_shared(badgebot.ctx, learner, slug, True)
    return public_id


def test_the_recipient_is_the_learner_s_email_hashed_with_the_assertion_s_salt(badgebot, web):
    public_id = shared_award(badgebot)
    response = web.get(f"/ob2/assertions/{public_id}")
    assert response.status_code == 200
    recipient = response.get_json(force=True)["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    salt = recipient["salt"]
    assert len(salt) >= 16
    expected = "sha256$" + hashlib.sha256((EMAIL.lower() + salt).encode()).hexdigest()
    assert recipient["identity"] == expected  # what a backpack computes for its user's address
    body = response.get_data(as_text=True).lower()
    assert EMAIL.lower() not in body and "zoe.xanthe" not in body  # the address itself is never shown

    again = web.get(f"/ob2/assertions/{public_id}").get_json(force=True)["recipient"]
    assert again == recipient  # the same on every fetch, so the baked copy matches the hosted one


def test_every_assertion_has_its_own_salt(badgebot, web):
    first = shared_award(badgebot, slug="sql-basics")
    second = shared_award(badgebot, slug="business-writing")
    salts = {web.get(f"/ob2/assertions/{pid}").get_json(force=True)["recipient"]["salt"] for pid in (first, second)}
    assert len(salts) == 2  # the same learner's two awards cannot be linked by their hashes


def test_a_learner_without_a_known_email_is_named_by_the_award_page(badgebot, web):
    public_id = shared_award(badgebot, learner="U0NOMAIL01")
    recipient = web.get(f"/ob2/assertions/{public_id}").get_json(force=True)["recipient"]
    assert recipient == {"type": "url", "hashed": False, "identity": badgebot.open_badges.urls.award_page(public_id)}


def test_the_issuer_has_an_email_and_the_criteria_is_a_page(badgebot, web):
    issuer = web.get("/ob2/issuer").get_json(force=True)
    assert issuer["email"] == badgebot.catalog.issuer.email and "@" in issuer["email"]
    badge = web.get("/ob2/badges/data-analytics-practiced").get_json(force=True)
    page = web.get(urlparse(badge["criteria"]["id"]).path, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert badge["name"] in html
    assert "SQL Basics" in html  # a certificate's criteria name the badges it stacks
    assert web.get("/achievements/no-such-thing/criteria").status_code == 404


def test_a_revoked_assertion_is_gone_with_the_reason_a_verifier_reads(badgebot, web, verifier):
    public_id = shared_award(badgebot)
    baked = web.get(f"/ob2/assertions/{public_id}/badge.png").get_data()
    inside = json.loads(baking.unbake_png(baked, baking.OB2_KEYWORD))
    assert inside["recipient"] == web.get(f"/ob2/assertions/{public_id}").get_json(force=True)["recipient"]
    assert verifier.verify_bytes(baked).valid

    revoke(badgebot.ctx, "U0ADMIN001", public_id, "Plagiarised artifact")
    gone = web.get(f"/ob2/assertions/{public_id}")
    assert gone.status_code == 410
    body = gone.get_json(force=True)
    assert body["revoked"] is True and body["revocationReason"] and body["id"].endswith(public_id)
    assert "Plagiarised" not in gone.get_data(as_text=True)  # the administrator's words stay private
    assert gone.headers["Cache-Control"] == "no-store"
    result = verifier.verify_bytes(baked)
    assert not result.valid and result.status == "revoked"


def test_an_unshared_award_has_no_assertion(badgebot, web):
    public_id = earn(badgebot.ctx, LEARNER, "sql-basics").award_public_ids[0]
    assert web.get(f"/ob2/assertions/{public_id}").status_code == 404


# ------------------------------------------------------------------------------------ Slack's directory


@pytest.fixture
def no_proxy(monkeypatch):
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.mark.parametrize("scopes, expected", [
    (["users:read", EMAIL_SCOPE], EMAIL),
    (["users:read"], None),  # without users:read.email Slack leaves the address out
])
def test_slack_s_directory_reads_the_profile_email(no_proxy, scopes, expected):
    with SlackEmulator(bot_token="xoxb-ob2", scopes=scopes) as emulator:
        person = emulator.add_user("zoe", email=EMAIL)
        found = SlackDirectory(WebClient(token="xoxb-ob2", base_url=emulator.api_url))
        assert found.email_of(person.id) == expected
        assert found.email_of(person.id) == expected
        asked = [c for c in emulator.calls() if c.method == "users.info"]
        assert len(asked) == 1  # cached: a backpack's fetches do not each ask Slack
        assert found.email_of("U0NOBODY99") is None  # an unknown person is not an error page

