"""A Slack as strict as Slack: scopes (missing_scope, as Slack answers it), files only from the files host and
only with the bot token, and what the bot does about each: reconcile without duplicates, refuse foreign file
URLs, refuse to start when its user groups cannot be read."""
from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.adapters.directory import SlackDirectory
from bot.adapters.slack_api import file_origins
from bot.runtime.web_server import serving
from bot.sandbox.emulator import Fault, SlackEmulator
from bot.sandbox.emulator.scopes import manifest_bot_scopes
from config.settings import EXAMPLE_CATALOG
from models import OutboxMessage
from tests.e2e.test_review_flow import PDF, submit
from tests.processes import badgebot_command, free_port, stop, wait_for

TOKEN = "xoxb-strict-token"
LEARNER = "U0LEARN001"
pytestmark = pytest.mark.slow


@pytest.fixture
def narrow() -> Iterator[SlackEmulator]:
    """A workspace whose app was installed with only two scopes."""
    with SlackEmulator(bot_token=TOKEN, scopes=("commands", "im:write")) as emulator:
        yield emulator


def test_the_emulator_holds_the_manifests_bot_scopes_by_default():
    assert SlackEmulator().web_api.scopes == manifest_bot_scopes()


def test_a_method_the_scopes_do_not_allow_answers_missing_scope_as_slack_does(narrow):
    channel = narrow.add_channel("general").id
    client = WebClient(token=TOKEN, base_url=narrow.api_url)
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=channel, text="hello")
    assert refused.value.response.status_code == 200
    assert refused.value.response.data == {"ok": False, "error": "missing_scope", "needed": "chat:write",
                                           "provided": "commands,im:write"}
    assert narrow.messages(channel) == []                           # nothing happened
    # Slack names the token's scopes on every answer; auth.test needs none.
    answer = client.auth_test()
    headers = {name.lower(): value for name, value in answer.headers.items()}
    assert answer["ok"] and headers["x-oauth-scopes"] == "commands,im:write"
    with pytest.raises(SlackApiError) as groups:
        client.usergroups_users_list(usergroup="S0NOSUCH01")        # the scope is checked first
    assert (groups.value.response["error"], groups.value.response["needed"]) == ("missing_scope", "usergroups:read")


@pytest.mark.parametrize(("kind", "needed"), [("public", "channels:history"), ("private", "groups:history"),
                                              ("im", "im:history"), ("mpim", "mpim:history")])
def test_reading_a_conversation_needs_the_scope_of_its_kind(kind, needed):
    others = ["channels:history", "groups:history", "im:history", "mpim:history", "mpim:write", "im:write"]
    with SlackEmulator(bot_token=TOKEN, scopes=[s for s in others if s != needed]) as emulator:
        ana, bo = emulator.add_user("ana").id, emulator.add_user("bo").id
        client = WebClient(token=TOKEN, base_url=emulator.api_url)
        channel = {"public": lambda: emulator.add_channel("general").id,
                   "private": lambda: emulator.add_channel("secret", is_private=True).id,
                   "im": lambda: client.conversations_open(users=ana)["channel"]["id"],
                   "mpim": lambda: client.conversations_open(users=f"{ana},{bo}")["channel"]["id"]}[kind]()
        with pytest.raises(SlackApiError) as refused:
            client.conversations_history(channel=channel)
        assert (refused.value.response["error"], refused.value.response["needed"]) == ("missing_scope", needed)
        with pytest.raises(SlackApiError) as replies:
            client.conversations_replies(channel=channel, ts="1.000001")
        assert replies.value.response["needed"] == needed


def test_a_profiles_email_needs_users_read_email():
    for scopes, email in ((["users:read"], None), (["users:read", "users:read.email"], "ana@uni.example")):
        with SlackEmulator(bot_token=TOKEN, scopes=scopes) as emulator:
            ana = emulator.add_user("ana", email="ana@uni.example").id
            profile = WebClient(token=TOKEN, base_url=emulator.api_url).users_info(user=ana)["user"]["profile"]
            assert profile.get("email") == email


def test_files_are_uploaded_to_the_files_host_only(narrow):
    narrow.web_api.scopes = ("files:write",)
    client = WebClient(token=TOKEN, base_url=narrow.api_url)
    reserved = client.files_getUploadURLExternal(filename="poster.png", length=4)
    assert reserved["upload_url"].startswith(narrow.files_url)
    with httpx.Client(trust_env=False) as http:
        on_api_host = http.post(reserved["upload_url"].replace(narrow.files_url, narrow.base_url), content=b"PNG!")
        on_files_host = http.post(reserved["upload_url"], content=b"PNG!")
    assert (on_api_host.status_code, on_files_host.status_code) == (404, 200)


def test_the_token_goes_to_slacks_hosts_only():
    assert file_origins("https://slack.com/api/") == {("https", "slack.com", 443), ("https", "files.slack.com", 443)}
    # The emulator: its API on 127.0.0.1, its files on `localhost`, one port.
    assert file_origins("http://127.0.0.1:4567/api/") == {("http", "127.0.0.1", 4567), ("http", "localhost", 4567)}


# --------------------------------------------------------------------------------------------------
# The bot in a strict workspace
# --------------------------------------------------------------------------------------------------


def cards_in(world) -> list[Any]:
    return [m for m in world.emulator.messages("C0REVIEWS1") if "submitted work for" in str(m.blocks)]


@pytest.mark.parametrize("private", [False, True], ids=["public review channel", "private review channel"])
def test_a_review_card_whose_answer_was_lost_is_found_not_posted_twice(world, private):
    """Slack stores the card, the answer is lost (a 5xx): the retry looks in the review channel first,
    which needs channels:history (public) or groups:history (private). Without the scope the look
    failed quietly and the card was posted again."""
    if private:
        world.emulator.add_channel("badge-reviews", id="C0REVIEWS1", is_private=True)
    world.emulator.faults.plan(Fault("chat.postMessage", status=500, channel="C0REVIEWS1", applied=True))
    submit(world, LEARNER, "sql-basics", [(PDF, "queries.pdf")])
    assert world.settle(lambda: looked_in_review_channel(world) and everything_delivered(world), timeout=30)
    assert len(cards_in(world)) == 1
    looked = looked_in_review_channel(world)
    assert looked and all(c.ok for c in looked), [c.response for c in looked]


def looked_in_review_channel(world) -> list[Any]:
    return [c for c in world.emulator.calls("conversations.history") if c.params.get("channel") == "C0REVIEWS1"]


def everything_delivered(world) -> bool:
    with world.badgebot.ctx.transaction() as session:
        return session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.status.not_in(["sent", "skipped"])).limit(1)) is None


@pytest.fixture
def stranger() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A loopback server that is not Slack, recording every request it gets."""
    requests: list[dict[str, str]] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        requests.append({"path": environ.get("PATH_INFO", ""), "authorization": environ.get("HTTP_AUTHORIZATION", "")})
        start_response("200 OK", [("Content-Type", "application/pdf")])
        return [PDF]

    with serving(app) as server:
        yield server.url, requests


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"], ids=["API host, other port", "files host, other port"])
def test_a_file_named_on_another_host_never_gets_the_token(world, stranger, caplog, host):
    url, requests = stranger
    port = url.rsplit(":", 1)[1]
    forged = {"id": "F0FORGED01", "name": "work.pdf", "size": len(PDF),
              "url_private_download": f"http://{host}:{port}/files-pri/T0EMULATOR-F0FORGED01/download/work.pdf"}
    assert world.slack.command(LEARNER, "submit sql-basics").status == 200
    view_id = world.settle(lambda: world.emulator.views_of(LEARNER))[-1].id
    with caplog.at_level(logging.WARNING, logger="badgebot.slack"):
        assert world.slack.view_submission(LEARNER, view_id, {"files": [forged], "reflection": "Mine."}).status == 200
        told = world.settle(lambda: [m.text for m in world.dm(LEARNER) + world.emulator.ephemerals(LEARNER)
                                     if "does not come from Slack" in (m.text or "")])
    assert requests == []                                            # not even a request without the token
    assert told and "work.pdf does not come from Slack" in told[0] and "Nothing was submitted" in told[0]
    assert any("refused to send the bot token" in r.getMessage() and f"{host}:{port}" in r.getMessage()
               for r in caplog.records)
    assert cards_in(world) == []


# --------------------------------------------------------------------------------------------------
# User groups: the scope is checked once, at start
# --------------------------------------------------------------------------------------------------


def test_the_directory_says_when_it_cannot_read_user_groups():
    everything_but = [s for s in manifest_bot_scopes() if s != "usergroups:read"]
    with SlackEmulator(bot_token=TOKEN, scopes=everything_but) as lacking, SlackEmulator(bot_token=TOKEN) as full:
        assert SlackDirectory(WebClient(token=TOKEN, base_url=lacking.api_url)).missing_scope() == "usergroups:read"
        assert SlackDirectory(WebClient(token=TOKEN, base_url=full.api_url)).missing_scope() is None


def serve_env(emulator: SlackEmulator, tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BADGEBOT_", "SLACK_", "DATABASE_URL"))}
    return env | {"BADGEBOT_DATA_DIR": str(tmp_path / "data"), "SLACK_BOT_TOKEN": TOKEN,
                  "SLACK_SIGNING_SECRET": "strict-secret", "SLACK_API_URL": emulator.api_url,
                  "BADGEBOT_SCHEDULER": "off", "PYTHONUNBUFFERED": "1"} | extra


def test_serve_refuses_to_start_when_the_catalogs_user_groups_cannot_be_read(tmp_path):
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(EXAMPLE_CATALOG.read_text().replace('grantors = ["U0GRANT003"]', 'grantors = ["S0FACULTY1"]'))
    assert "S0FACULTY1" in catalog.read_text()
    everything_but = [s for s in manifest_bot_scopes() if s != "usergroups:read"]
    with SlackEmulator(bot_token=TOKEN, scopes=everything_but) as emulator:
        done = subprocess.run([*badgebot_command(), "serve", "--port", str(free_port())], cwd=tmp_path,
                              env=serve_env(emulator, tmp_path, BADGEBOT_CATALOG=str(catalog)),
                              capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    said = [line for line in done.stderr.splitlines() if line.startswith("badgebot serve:")]
    assert len(said) == 1, done.stderr[-3000:]
    line = said[0]
    assert "usergroups:read" in line and "S0FACULTY1" in line and "manifest.yml" in line
    assert "Badgebot running" not in done.stdout


def test_serve_warns_but_serves_when_no_user_group_needs_the_scope(tmp_path):
    everything_but = [s for s in manifest_bot_scopes() if s != "usergroups:read"]
    log = tmp_path / "serve.log"
    with SlackEmulator(bot_token=TOKEN, scopes=everything_but) as emulator:
        serve = subprocess.Popen([*badgebot_command(), "serve", "--port", str(free_port())], cwd=tmp_path,
                                 env=serve_env(emulator, tmp_path), stdout=log.open("wb"), stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: "Badgebot running at " in log.read_text(), 60, "`badgebot serve` to start",
                     lambda: log.read_text()[-3000:])
        finally:
            stop(serve, 20)
    assert "WARNING" in log.read_text() and "lacks the usergroups:read scope" in log.read_text()
