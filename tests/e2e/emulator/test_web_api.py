"""The Slack emulator itself: the real slack_sdk WebClient against its Web API (messages, conversations,
people, views, files). Its HTTP behaviour (faults, bodies, routes) is in test_http.py, SlackSide
driving a real Bolt app in test_bolt.py.

These tests pin the emulator to Slack's behaviour, so the scenario tests built on it can be trusted.
"""
from __future__ import annotations

import threading

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.emulator import SlackEmulator, User
from bot.sandbox.slack_client import SlackSide
from tests.e2e.emulator.payloads import (
    BOT_TOKEN,
    HOME,
    SECRET,
    SUBMIT_MODAL,
)

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------


def test_binds_loopback_only(emulator: SlackEmulator) -> None:
    host, port = emulator.bound_address
    assert host == "127.0.0.1" and port > 0
    assert emulator.api_url == f"http://127.0.0.1:{port}/api/"
    with pytest.raises(ValueError):
        SlackEmulator(host="0.0.0.0")


def test_slack_side_refuses_a_bot_off_loopback(emulator: SlackEmulator) -> None:
    with pytest.raises(ValueError):
        SlackSide(emulator, "http://example.com/slack/events", SECRET)


def test_auth_test_identifies_the_bot(emulator: SlackEmulator, client: WebClient) -> None:
    reply = client.auth_test()
    assert (reply["user_id"], reply["bot_id"], reply["team_id"]) == (
        emulator.bot_user_id, emulator.bot_id, emulator.team_id)


def test_wrong_or_missing_token_is_refused(emulator: SlackEmulator, general: str) -> None:
    with pytest.raises(SlackApiError) as wrong:
        WebClient(base_url=emulator.api_url, token="xoxb-not-ours").chat_postMessage(channel=general, text="hi")
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=emulator.api_url).auth_test()
    assert wrong.value.response["error"] == "invalid_auth"
    assert missing.value.response["error"] == "not_authed"
    assert emulator.messages(general) == []


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("badges.teleport")
    assert err.value.response["error"] == "unknown_method"


def test_concurrent_posts_all_land_with_unique_ts(emulator: SlackEmulator, general: str) -> None:
    def post_ten(worker: int) -> None:
        own = WebClient(base_url=emulator.api_url, token=BOT_TOKEN)
        for n in range(10):
            own.chat_postMessage(channel=general, text=f"{worker}-{n}")

    threads = [threading.Thread(target=post_ten, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    messages = emulator.messages(general)
    assert len(messages) == 80 and len({m.ts for m in messages}) == 80


# --------------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------------


def test_post_message_and_thread(emulator: SlackEmulator, client: WebClient, general: str) -> None:
    parent = client.chat_postMessage(channel=general, text="New badge: Python I",
                                     blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*Python I*"}}])
    reply = client.chat_postMessage(channel=general, thread_ts=parent["ts"], text="Congratulations!")

    assert parent["message"]["bot_id"] == emulator.bot_id and parent["channel"] == general
    assert [m.text for m in emulator.messages(general)] == ["New badge: Python I"]
    assert [m.ts for m in emulator.thread(general, parent["ts"])] == [parent["ts"], reply["ts"]]
    replies = client.conversations_replies(channel=general, ts=parent["ts"])
    assert [m["text"] for m in replies["messages"]] == ["New badge: Python I", "Congratulations!"]
    assert replies["messages"][0]["blocks"][0]["text"]["text"] == "*Python I*"


def test_post_message_errors(client: WebClient, emulator: SlackEmulator, ana: User) -> None:
    private = emulator.add_channel("grantors", members=[ana.id], is_private=True)
    for channel, error in [("C_NOPE", "channel_not_found"), (private.id, "not_in_channel")]:
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel=channel, text="x")
        assert err.value.response["error"] == error


def test_post_to_a_user_id_lands_in_their_dm(emulator: SlackEmulator, client: WebClient, ana: User) -> None:
    posted = client.chat_postMessage(channel=ana.id, text="Your badge was approved")
    assert posted["channel"] == emulator.dm_channel_of(ana.id)
    assert [m.text for m in emulator.messages(posted["channel"])] == ["Your badge was approved"]


def test_update_keeps_the_edit_history(emulator: SlackEmulator, client: WebClient, general: str) -> None:
    posted = client.chat_postMessage(channel=general, text="Pending review")
    client.chat_update(channel=general, ts=posted["ts"], text="Approved")

    [message] = emulator.messages(general)
    assert message.text == "Approved" and [e["text"] for e in message.edits] == ["Pending review"]
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel=general, ts="1.000001", text="nope")
    assert err.value.response["error"] == "message_not_found"


def test_ephemeral_only_to_a_member(emulator: SlackEmulator, client: WebClient, ana: User, ben: User) -> None:
    room = emulator.add_channel("python-cohort", members=[ana.id, emulator.bot_user_id]).id
    sent = client.chat_postEphemeral(channel=room, user=ana.id, text="Only you can see this")

    [seen] = emulator.ephemerals(ana.id)
    assert (seen.ts, seen.text, seen.channel) == (sent["message_ts"], "Only you can see this", room)
    assert emulator.messages(room) == [] and emulator.ephemerals(ben.id) == []
    for user, error in [(ben.id, "user_not_in_channel"), ("U_NOBODY", "user_not_found")]:
        with pytest.raises(SlackApiError) as err:
            client.chat_postEphemeral(channel=room, user=user, text="x")
        assert err.value.response["error"] == error


def test_permalink_points_at_the_emulator(emulator: SlackEmulator, client: WebClient, general: str) -> None:
    posted = client.chat_postMessage(channel=general, text="x")
    link = client.chat_getPermalink(channel=general, message_ts=posted["ts"])["permalink"]
    assert link.startswith(emulator.base_url) and posted["ts"].replace(".", "") in link


# --------------------------------------------------------------------------------------------------
# Conversations, people, groups
# --------------------------------------------------------------------------------------------------


def test_conversations_open_is_stable(emulator: SlackEmulator, client: WebClient, ana: User, ben: User) -> None:
    first = client.conversations_open(users=ana.id)["channel"]["id"]
    again = client.conversations_open(users=[ana.id])["channel"]["id"]
    other = client.conversations_open(users=ben.id)["channel"]["id"]

    assert first == again == emulator.dm_channel_of(ana.id) and first != other
    info = client.conversations_info(channel=first)["channel"]
    assert info["is_im"] and info["user"] == ana.id
    with pytest.raises(SlackApiError) as err:
        client.conversations_info(channel="C_MISSING")
    assert err.value.response["error"] == "channel_not_found"


def test_users_info(client: WebClient, ana: User) -> None:
    user = client.users_info(user=ana.id)["user"]
    assert (user["name"], user["real_name"], user["profile"]["email"]) == ("ana", "Ana Learner", "ana@uni.example")
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U_NOBODY")
    assert err.value.response["error"] == "user_not_found"


def test_usergroups_users_list(emulator: SlackEmulator, client: WebClient, ana: User, ben: User) -> None:
    faculty = emulator.add_usergroup("faculty", [ben.id])
    assert client.usergroups_users_list(usergroup=faculty.id)["users"] == [ben.id]
    with pytest.raises(SlackApiError) as err:
        client.usergroups_users_list(usergroup="S_NONE")
    assert err.value.response["error"] == "no_such_subteam"


# --------------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------------


def test_views_open_with_a_fresh_trigger(emulator: SlackEmulator, client: WebClient, ana: User) -> None:
    opened = client.views_open(trigger_id=emulator.issue_trigger(ana.id), view=SUBMIT_MODAL)["view"]

    [modal] = emulator.views_of(ana.id)
    assert (opened["id"], opened["callback_id"], opened["private_metadata"]) == (modal.id, "submit_artifact",
                                                                                "python-1")


@pytest.mark.parametrize(("trigger", "error"), [
    ("expired", "expired_trigger_id"), ("unknown", "invalid_trigger_id"), ("spent", "exchanged_trigger_id"),
])
def test_views_open_refuses_bad_triggers(emulator: SlackEmulator, client: WebClient, ana: User,
                                         trigger: str, error: str) -> None:
    trigger_id = {"expired": emulator.issue_trigger(ana.id, age=emulator.trigger_ttl + 1),
                  "unknown": "123.456.not-issued", "spent": emulator.issue_trigger(ana.id)}[trigger]
    if trigger == "spent":
        client.views_open(trigger_id=trigger_id, view=SUBMIT_MODAL)
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id=trigger_id, view=SUBMIT_MODAL)
    assert err.value.response["error"] == error


def test_views_update_checks_the_hash_and_push_stacks(emulator: SlackEmulator, client: WebClient,
                                                      ana: User) -> None:
    opened = client.views_open(trigger_id=emulator.issue_trigger(ana.id), view=SUBMIT_MODAL)["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=HOME | {"type": "modal",
                                  "title": {"type": "plain_text", "text": "Thanks"}})["view"]
    with pytest.raises(SlackApiError) as err:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=SUBMIT_MODAL)
    pushed = client.views_push(trigger_id=emulator.issue_trigger(ana.id), view=SUBMIT_MODAL)["view"]

    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert err.value.response["error"] == "hash_conflict"
    assert (pushed["previous_view_id"], pushed["root_view_id"]) == (opened["id"], opened["id"])


@pytest.mark.parametrize(("ack", "still_open"), [
    ("", "root"),  # an empty ack closes the top modal only
    ('{"response_action": "errors", "errors": {"reflection": "Too short"}}', "both"),
    ('{"response_action": "clear"}', "none"),
])
def test_view_submission_acks_act_like_slack(emulator: SlackEmulator, client: WebClient, ana: User, ack: str,
                                             still_open: str) -> None:
    root = client.views_open(trigger_id=emulator.issue_trigger(ana.id), view=SUBMIT_MODAL)["view"]["id"]
    top = client.views_push(trigger_id=emulator.issue_trigger(ana.id), view=SUBMIT_MODAL)["view"]["id"]

    emulator.apply_view_ack(top, ana.id, ack)

    expected = {"root": [root], "both": [root, top], "none": []}[still_open]
    assert [v.id for v in emulator.views_of(ana.id)] == expected


def test_views_publish_one_home_per_user(emulator: SlackEmulator, client: WebClient, ana: User, ben: User) -> None:
    first = client.views_publish(user_id=ana.id, view=HOME)["view"]
    second = client.views_publish(user_id=ana.id, view=HOME)["view"]
    client.views_publish(user_id=ben.id, view=HOME)

    assert first["id"] == second["id"] and [v.type for v in emulator.views_of(ana.id)] == ["home"]
    assert len(emulator.views_of(ben.id)) == 1


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------


def test_files_info_and_authenticated_download(emulator: SlackEmulator, client: WebClient, ana: User) -> None:
    content = b"%PDF-1.7 my artifact" * 5000  # larger than one write chunk
    seeded = emulator.add_file(content, "artifact.pdf", user=ana.id)
    info = client.files_info(file=seeded["id"])["file"]
    url = info["url_private_download"]

    with httpx.Client(trust_env=False) as http:
        good = http.get(url, headers={"Authorization": f"Bearer {BOT_TOKEN}"})
        wrong = http.get(url, headers={"Authorization": "Bearer xoxb-stolen"})
        anonymous = http.get(url)
        # Files come from the files host only (as files.slack.com, not slack.com): same path, API host.
        api_host = http.get(url.replace(emulator.files_url, emulator.base_url),
                            headers={"Authorization": f"Bearer {BOT_TOKEN}"})
    assert emulator.files_url.startswith("http://localhost:") and emulator.files_url != emulator.base_url
    assert url.startswith(emulator.files_url) and info["mimetype"] == "application/pdf"
    assert api_host.status_code == 404
    assert (good.status_code, good.content, good.headers["content-type"]) == (200, content, "application/pdf")
    assert int(good.headers["content-length"]) == len(content) == info["size"]
    assert (wrong.status_code, anonymous.status_code) == (403, 401)
    # The call log (the sandbox's Requests panel) marks the served download ok and the refused ones not.
    downloads = [c for c in emulator.calls() if c.method == "files.download"]
    assert [(c.status, c.ok) for c in downloads] == [(200, True), (403, False), (401, False), (404, False)]
    with pytest.raises(SlackApiError) as err:
        client.files_info(file="F_NONE")
    assert err.value.response["error"] == "file_not_found"


def test_external_upload_flow(emulator: SlackEmulator, client: WebClient, general: str) -> None:
    content = b"\x89PNG baked badge"
    done = client.files_upload_v2(channel=general, content=content, filename="badge.png", title="Python I",
                                  initial_comment="Ana earned Python I")

    [message] = emulator.messages(general)
    assert message.text == "Ana earned Python I" and [f["id"] for f in message.files] == [done["file"]["id"]]
    stored = emulator.file(done["file"]["id"])
    assert stored is not None and (stored.content, stored.mimetype, stored.title) == (content, "image/png",
                                                                                      "Python I")
    assert [c.method for c in emulator.calls() if c.method.startswith("files.")] == [
        "files.getUploadURLExternal", "files.upload", "files.completeUploadExternal"]
