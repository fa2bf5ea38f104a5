"""A loopback stand-in for Slack's Web API, so the real slack_sdk client is exercised in tests and the sandbox.

Why an HTTP server and not a mock: the bugs worth catching live in the HTTP conversation itself (how
slack_sdk encodes a request, bearer tokens, Retry-After on 429, authenticated file downloads, the
three-step external upload). A mock of WebClient would agree with whatever the bot believes; this
server answers the way Slack does, with Slack's JSON shapes and error codes.

The layers, bottom to top:
- `records`: what a workspace holds (User, Channel, Message, StoredFile, View, ApiCall...);
- `workspace.Workspace`: the in-memory state of one workspace, its seeding and its queries, under
  one lock; `interactions.InteractiveWorkspace` adds trigger ids, response URLs, views and acks;
- `web_api.WebApi`: one function per Web API method, reading params and changing the workspace;
- `faults`: injected faults and per-channel rate limits;
- `http`: the Flask app (routing, request parsing, token checks, the call log), served by waitress
  through `bot.runtime.web_server`, bound to 127.0.0.1 only;
- `socket_mode.SocketMode`: apps.connections.open and a loopback WebSocket server sending envelopes,
  checking acks and re-sending what was not acknowledged (needs the `websockets` test extra);
- `server.SlackEmulator`: all of it, started and stopped as one;
- `oidc.OidcProvider`: Sign in with Slack on the emulator, installed on a running one.
"""
from bot.sandbox.emulator.faults import Fault
from bot.sandbox.emulator.records import (DEFAULT_TRIGGER_TTL, MAX_MODAL_STACK, RESPONSE_URL_MAX_USES, ApiCall,
                                          Channel, JsonDict, Message, SlackError, StoredFile, User, UserGroup, View,
                                          interactive_elements)
from bot.sandbox.emulator.server import LOOPBACK, SlackEmulator
from bot.sandbox.emulator.workspace import Workspace

__all__ = [
    "DEFAULT_TRIGGER_TTL", "LOOPBACK", "MAX_MODAL_STACK", "RESPONSE_URL_MAX_USES", "ApiCall", "Channel", "Fault",
    "JsonDict", "Message", "SlackEmulator", "SlackError", "StoredFile", "User", "UserGroup", "View", "Workspace",
    "interactive_elements",
]
