"""The Slack app manifest we ship validates against Slack's own schema, and asks for exactly the scopes the
code uses: no fewer (Slack would answer missing_scope) and no more (an IT team reviews every one)."""
from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml

from bot.sandbox.emulator.scopes import CONVERSATION_SCOPES, METHOD_SCOPES, manifest_bot_scopes, scope_needed
from tests.conftest import ROOT, standards

MANIFEST = ROOT / "manifest.yml"
# Web API calls as the code writes them: slack_sdk's method helpers (client.chat_postMessage(...)).
CALL = re.compile(r"\.(auth|chat|conversations|users|usergroups|files|views|apps)_([A-Za-z_0-9]+)\(")
# slack_sdk helpers that are more than one Web API method.
COMPOSITE = {"files.upload_v2": ("files.getUploadURLExternal", "files.completeUploadExternal")}
# Scopes no Web API call of ours shows: what Slack needs for a feature, an event or a download.
WITHOUT_A_CALL = {
    "commands": "the /badges slash command",
    "im:history": "the message.im event (files sent to the bot by DM)",
    "files:read": "downloading url_private_download",
    "users:read.email": "the email in users.info's profile: an Open Badges 2.0 recipient",
}


def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def web_api_calls() -> set[str]:
    """Every Web API method the bot's own code calls (the emulator and the sandbox's fake Slack aside)."""
    methods: set[str] = set()
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("handlers").rglob("*.py")]:
        if "sandbox" in path.relative_to(ROOT).parts:
            continue
        for family, name in CALL.findall(path.read_text()):
            method = f"{family}.{name.replace('_', '.') if family == 'usergroups' else name}"
            methods.update(COMPOSITE.get(method, (method,)))
    return methods


def scopes_for(method: str) -> set[str]:
    """The scopes a call may need: for conversation reads, every kind the bot reads (review channels,
    public or private, and DMs; never group DMs)."""
    if method in CONVERSATION_SCOPES:
        return {CONVERSATION_SCOPES[method][kind] for kind in ("public", "private", "im")}
    needed = scope_needed(method, {"users": "U1"}, lambda _channel: None)
    return {needed} if needed else set()


def test_manifest_validates_against_slacks_schema():
    schema = json.loads(standards("slack", "manifest.schema.1.0.0.json").read_text())
    jsonschema.validate(manifest(), schema, cls=jsonschema.Draft7Validator)


def test_manifest_declares_what_the_bot_listens_to():
    declared = manifest()
    assert [c["command"] for c in declared["features"]["slash_commands"]] == ["/badges"]
    assert declared["features"]["app_home"]["home_tab_enabled"] is True
    assert set(declared["settings"]["event_subscriptions"]["bot_events"]) == {"app_home_opened", "message.im"}


def test_the_code_calls_the_methods_this_test_knows():
    # If this fails, a new kind of call appeared: teach scopes_for (and the emulator) its scope.
    calls = web_api_calls()
    assert {"chat.postMessage", "chat.update", "conversations.open", "conversations.history",
            "conversations.replies", "usergroups.users.list", "users.info", "files.info", "views.open"} <= calls
    unknown = calls - set(METHOD_SCOPES) - set(CONVERSATION_SCOPES) - {"conversations.open"}
    assert not unknown, f"Web API methods with no known scope: {sorted(unknown)}"


def test_the_bot_scopes_are_exactly_those_the_code_uses():
    used = set().union(*(scopes_for(m) for m in web_api_calls())) | set(WITHOUT_A_CALL)
    asked = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert asked == used, f"asked for but unused: {sorted(asked - used)}; used but not asked: {sorted(used - asked)}"
    # Reconciling the outbox reads review channels (public and private) and DMs.
    assert {"channels:history", "groups:history", "im:history"} <= asked
    assert not {"channels:read", "groups:read"} & asked


def test_each_bot_scope_says_which_call_needs_it():
    lines = MANIFEST.read_text().split("    bot:\n", 1)[1].splitlines()
    for line in lines[:len(manifest()["oauth_config"]["scopes"]["bot"])]:
        scope, _, comment = line.strip().removeprefix("- ").partition("#")
        assert comment.strip(), f"{scope.strip()}: say which call needs it"


def test_the_emulators_manifest_reader_agrees_with_yaml():
    # The emulator reads the manifest without PyYAML (the sandbox runs without test dependencies).
    assert list(manifest_bot_scopes(MANIFEST)) == manifest()["oauth_config"]["scopes"]["bot"]


def test_the_manifest_reader_refuses_a_manifest_it_cannot_read(tmp_path):
    flow = tmp_path / "manifest.yml"
    flow.write_text("oauth_config:\n  scopes:\n    bot: [commands, chat:write]\n")
    with pytest.raises(ValueError, match="block list"):
        manifest_bot_scopes(flow)
    flow.write_text("oauth_config:\n  scopes:\n    user:\n      - openid\n")
    with pytest.raises(ValueError, match="no oauth_config.scopes.bot"):
        manifest_bot_scopes(flow)
