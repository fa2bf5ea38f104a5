"""`badgebot serve` without Slack credentials, run as the README runs it: the sandbox starts, serves its UI,
keeps its workspace across restarts, and `--reset` starts it over.

The sandbox keeps its own SQLite database in `<data dir>/sandbox/` whatever DATABASE_URL says, so these
tests have no PostgreSQL variant.
"""
from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.browser.conftest import ServedSandbox, start_sandbox, stop_sandbox
from tests.processes import wait_for

pytestmark = pytest.mark.slow

ANA, KWAME, PRIYA, HOST, ADMIN = "U0LEARN001", "U0LEARN004", "U0GRANT001", "U0HOST0001", "U0ADMIN001"
GENERAL, REVIEWS, GOVERNANCE = "C0GENERAL1", "C0REVIEWS1", "C0GOVERN01"


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
            assert workspace["channels"] == {GENERAL: "general", REVIEWS: "badge-reviews",
                                             GOVERNANCE: "program-office"}
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


def sign_in_redirect(http: httpx.Client) -> str:
    """Where the check-in page's Sign in with Slack sends Slack's answer (the redirect_uri it asks for)."""
    code = http.get(f"/events/{live_event(http)}/display.json").raise_for_status().json()["code"]
    authorize = http.get(f"/checkin/{code}/signin").headers["location"]
    return parse_qs(urlsplit(authorize).query)["redirect_uri"][0]


def running_line(served: ServedSandbox) -> str:
    return next(line for line in served.output if "Sandbox running at " in line)


def test_links_keep_the_sandboxs_first_address_after_a_port_change(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_sandbox(tmp_path, data)
    try:
        with client(first) as http:
            # A link the bot sent in the first run, on the first run's address: a submitted file, on its card.
            def links() -> list[str]:
                cards = http.get("/sandbox/api/snapshot", params={"as": PRIYA, "channel": REVIEWS}).json()
                return re.findall(rf"{re.escape(first.url)}/review/artifacts/[^\s|>\"\\]+",
                                  json.dumps(cards["messages"]))
            sent = wait_for(links, 20, "a link to a submitted file on a review card")
    finally:
        assert stop_sandbox(first) == 0
    assert (data / "sandbox" / "public-url.txt").read_text().strip() == first.url

    # Started again on another port: the old links still open, and new ones keep the first address.
    second = start_sandbox(tmp_path, data)
    try:
        assert second.url != first.url
        assert (f"its links keep the address of its first start, {first.url}, which it answers too"
                in running_line(second))
        with httpx.Client(timeout=30, trust_env=False) as web:
            assert web.get(sent[0]).status_code == 200, sent[0]
        with client(second) as http:
            assert sign_in_redirect(http) == f"{first.url}/checkin/callback"
    finally:
        assert stop_sandbox(second) == 0

    # With the first address held by another program, this run says so and sends links that work now.
    first_port = int(first.url.rsplit(":", 1)[1])
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", first_port))
        holder.listen()
        third = start_sandbox(tmp_path, data)
        try:
            assert (f"links from earlier runs point at {first.url}, which another program holds now"
                    in running_line(third))
            with client(third) as http:
                assert sign_in_redirect(http) == f"{third.url}/checkin/callback"
        finally:
            assert stop_sandbox(third) == 0
    assert (data / "sandbox" / "public-url.txt").read_text().strip() == first.url  # kept for the next run
