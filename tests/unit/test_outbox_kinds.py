"""Every kind of message a use case can queue has a way to Slack, checked when the bot is built."""
from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.adapters.slack_api import SlackWorkspace
from bot.domain.vocabulary import OutboxKind
from bot.runtime.delivery import Outgoing
from handlers.slack.notifications import Notifier


class NoHomes:
    def publish(self, user: str) -> None:
        raise AssertionError("not called here")


def notifier() -> Notifier:
    client = WebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/api/")  # never called
    return Notifier(ctx=None, client=client, workspace=SlackWorkspace(client),  # type: ignore[arg-type]
                    artifact_link=lambda artifact_id: f"/artifacts/{artifact_id}", homes=NoHomes())  # type: ignore[arg-type]


def test_the_notifier_sends_every_kind_the_use_cases_can_queue():
    assert notifier().kinds == frozenset(OutboxKind)


def test_a_queued_kind_this_version_does_not_know_is_refused_plainly():
    message = Outgoing(id=1, kind="carrier_pigeon", recipient="U1", payload={}, attempts=0)
    with pytest.raises(ValueError, match="no way to send a 'carrier_pigeon' notification"):
        notifier().send(message)
