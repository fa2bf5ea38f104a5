"""`badgebot serve` without Slack credentials, run as the README runs it: the sandbox starts, serves its UI,
keeps its workspace across restarts, and `--reset` starts it over.

The sandbox keeps its own SQLite database in `<data dir>/sandbox/` whatever DATABASE_URL says, so these
tests have no PostgreSQL variant.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import ServedSandbox, start_sandbox, stop_sandbox
from tests.processes import wait_for

pytestmark = pytest.mark.slow

ANA, KWAME, PRIYA, HOST, ADMIN = "U0LEARN001", "U0LEARN004", "U0GRANT001", "U0HOST0001", "U0ADMIN001"
GENERAL, REVIEWS = "C0GENERAL1", "C0REVIEWS1"


def client(served: ServedSandbox) -> httpx.Client:
    return httpx.Client(base_url=served.url, timeout=30, trust_env=False, headers={"X-Sandbox": "1"})


def texts(http: httpx.Client, user: str, channel: str | None = None) -> list[str]:
    query = {"as": user} | ({"channel": channel} if channel else {})
    return [m["text"] for m in http.get("/sandbox/api/snapshot", params=query).raise_for_status().json()["messages"]]


def live_event(http: httpx.Client) -> str:
    links = http.get("/sandbox/api/workspace").raise_for_status().json()["links"]
    return next(link["url"].split("/")[2] for link in links if link["label"].startswith("Door screen"))


def test_serve_without_credentials_runs_the_sandbox_keeps_it_and_reset_starts_over(tmp_path: Path) -> None:
    data = tmp_path / "data"
    served = start_sandbox(tmp_path, data)
    try:
        with client(served) as http:
            page = http.get("/")
            assert page.status_code == 200 and "<title>Badgebot sandbox</title>" in page.text
            workspace: dict[str, Any] = http.get("/sandbox/api/workspace").json()
            roles = {role for person in workspace["people"] for role in person["roles"]}
            assert roles == {"learner", "grantor", "host", "admin"}
            assert workspace["channels"] == {GENERAL: "general", REVIEWS: "badge-reviews"}
            # Every role has something to look at: a program in motion.
            assert any("You earned *SQL Basics*" in t for t in texts(http, ANA))
            cards = texts(http, PRIYA, REVIEWS)
            assert sum("New submission from" in t for t in cards) >= 5
            # Something done in the first run: a message in #general, and a check-in at the live event.
            assert http.post("/sandbox/api/message", data={"as": ANA, "channel": GENERAL,
                                                           "text": "Hello from the first run"}).json()["ok"]
            code = http.get(f"/events/{live_event(http)}/display.json").json()["code"]
            dm = http.get("/sandbox/api/snapshot", params={"as": KWAME}).json()["dm"]
            assert http.post("/sandbox/api/command", json={"as": KWAME, "channel": dm,
                                                           "text": f"/badges claim {code}"}).json()["ok"]
            souvenir = "You earned *Lakeside Civic Hackathon 2026*"
            wait_for(lambda: any(souvenir in t for t in texts(http, KWAME)), 20, f"{souvenir!r} in Kwame's DM",
                     lambda: f"his DM: {texts(http, KWAME)}")
    finally:
        assert stop_sandbox(served) == 0
    assert (data / "sandbox" / "badgebot.sqlite3").is_file()
    assert not (data / "badgebot.sqlite3").exists()  # the sandbox keeps away from a real program's database

    # Started again: the same workspace, not a second demo on top of it.
    served = start_sandbox(tmp_path, data)
    try:
        with client(served) as http:
            assert "Hello from the first run" in texts(http, ANA, GENERAL)
            assert sum("You earned *Lakeside Civic Hackathon 2026*" in t for t in texts(http, KWAME)) == 1
            assert texts(http, PRIYA, REVIEWS) == cards
            answer = http.post("/sandbox/api/command", json={"as": KWAME, "channel": dm, "text": "/badges"}).json()
            assert "You hold 3 credentials" in answer["request"]["response"]["text"]
    finally:
        assert stop_sandbox(served) == 0

    # --reset: the demo as it was at the first start.
    served = start_sandbox(tmp_path, data, "--reset")
    try:
        with client(served) as http:
            assert "Hello from the first run" not in texts(http, ANA, GENERAL)
            assert not any("Hackathon" in t for t in texts(http, KWAME))
            assert sum("New submission from" in t for t in texts(http, PRIYA, REVIEWS)) == \
                sum("New submission from" in t for t in cards)
    finally:
        assert stop_sandbox(served) == 0


def test_the_sandbox_refuses_other_sites_and_other_host_names(tmp_path: Path) -> None:
    served = start_sandbox(tmp_path, tmp_path / "data")
    try:
        with httpx.Client(base_url=served.url, timeout=30, trust_env=False) as http:
            # A cross-site form cannot set X-Sandbox, so it cannot act as anyone.
            forged = http.post("/sandbox/api/command", json={"as": ANA, "channel": GENERAL, "text": "/badges"})
            assert forged.status_code == 403 and "X-Sandbox" in forged.json()["error"]
            # DNS rebinding: a page on another name that resolves to 127.0.0.1 is refused.
            rebound = http.get("/sandbox/api/workspace", headers={"Host": f"evil.example:{served.url.rsplit(':', 1)[1]}"})
            assert rebound.status_code == 403
            # Who you are must be someone in the workspace; a conversation must be theirs.
            assert http.get("/sandbox/api/snapshot", params={"as": "U0NOBODY01"}).status_code == 400
            strange = http.post("/sandbox/api/command", headers={"X-Sandbox": "1"},
                                json={"as": ANA, "channel": REVIEWS, "text": "/badges"})
            assert strange.status_code == 403
    finally:
        assert stop_sandbox(served) == 0
