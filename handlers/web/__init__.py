"""Web routes: Slack's endpoint, public award pages, grantors' file links, check-in."""
from handlers.web.app import create_web_app

__all__ = ["create_web_app"]
