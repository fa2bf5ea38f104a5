"""Whatever no listener claimed. Registered last: Bolt tries listeners in the order they were added."""
from __future__ import annotations

import re

from slack_bolt import Ack, App


def any_other_action(ack: Ack) -> None:
    ack()  # URL buttons still send an action, and old messages may carry retired buttons


def any_other_view(ack: Ack) -> None:
    ack()  # a form from an older version of the bot: close it rather than show an error


def register(app: App) -> None:
    app.action(re.compile(r".*"))(any_other_action)
    app.view(re.compile(r".*"))(any_other_view)
