"""The App Home tab, refreshed whenever a learner opens it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.slack.guard import guarded

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


@guarded
def home_opened(event: dict[str, Any], services: "Badgebot") -> None:
    if event.get("tab", "home") == "home":
        services.homes.publish(event["user"])
