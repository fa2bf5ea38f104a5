"""The Slack app manifest we ship validates against Slack's own schema, and matches the bot."""
from __future__ import annotations

import json

import jsonschema
import yaml

from tests.conftest import ROOT, standards


def test_manifest_validates_against_slacks_schema():
    schema = json.loads(standards("slack", "manifest.schema.1.0.0.json").read_text())
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    jsonschema.validate(manifest, schema, cls=jsonschema.Draft7Validator)


def test_manifest_declares_what_the_bot_listens_to():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/badges"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"app_home_opened", "message.im"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:write", "files:read", "usergroups:read"} <= scopes
