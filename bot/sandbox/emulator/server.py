"""`SlackEmulator`: the workspace served on loopback, with its token, its faults and its extension points."""
from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterable
from types import TracebackType

from bot.runtime.web_server import WebServer, serving
from bot.sandbox.emulator.faults import Fault, Faults
from bot.sandbox.emulator.http import ExtensionRoutes, RouteView, create_app
from bot.sandbox.emulator.interactions import InteractiveWorkspace
from bot.sandbox.emulator.records import DEFAULT_TRIGGER_TTL, JsonDict
from bot.sandbox.emulator.scopes import default_bot_scopes, default_slash_commands
from bot.sandbox.emulator.socket_mode import DEFAULT_APP_TOKEN, SocketMode
from bot.sandbox.emulator.web_api import WebApi

LOOPBACK = "127.0.0.1"
# A delayed fault sleeps on its worker thread; enough workers that a few slow calls do not queue
# the rest (requests beyond them wait in waitress's queue, they are not refused).
SERVER_THREADS = 16


class SlackEmulator(InteractiveWorkspace):
    """Slack's Web API on 127.0.0.1: point `WebClient(base_url=emulator.api_url)` at it.

    Use as a context manager, or call `start()` / `stop()`. The routes are listed in
    `bot.sandbox.emulator.http`; each request is logged (see `calls()`).
    """

    def __init__(self, bot_token: str = "xoxb-emulator-token", signing_secret: str = "emulator-signing-secret",
                 host: str = LOOPBACK, port: int = 0, *, team_id: str = "T0EMULATOR",
                 trigger_ttl: float = DEFAULT_TRIGGER_TTL, clock: Callable[[], float] = time.monotonic,
                 scopes: Iterable[str] | None = None, app_token: str = DEFAULT_APP_TOKEN,
                 slash_commands: Iterable[str] | None = None):
        if host != LOOPBACK:
            raise ValueError(f"the emulator binds {LOOPBACK} only, never {host!r}: tests must not reach a network")
        super().__init__(team_id=team_id, bot_user_id="U0BADGEBOT", bot_id="B0BADGEBOT", app_id="A0BADGEBOT",
                         trigger_ttl=trigger_ttl, clock=clock)
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.host = host
        self.port = port
        # The bot token holds the manifest's bot scopes unless a test says otherwise (e.g. one lacking
        # usergroups:read); methods they do not allow answer missing_scope, as Slack does.
        self.web_api = WebApi(self, default_bot_scopes() if scopes is None else scopes)
        # The commands Slack routes to the app (the manifest's); others are refused, never posted.
        commands = default_slash_commands() if slash_commands is None else tuple(slash_commands)
        self.slash_commands: frozenset[str] | None = None if commands is None else frozenset(commands)
        self.faults = Faults()
        self.routes = ExtensionRoutes()
        self.app = create_app(self)  # the WSGI app `start()` serves
        self.socket_mode = SocketMode(self, app_token=app_token)  # serves once the app opens a connection
        self._serving: contextlib.ExitStack | None = None
        self._server: WebServer | None = None

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> SlackEmulator:
        """Bind 127.0.0.1 (port 0 picks a free one) and serve on a daemon thread."""
        if self._serving is not None:
            return self
        with contextlib.ExitStack() as stack:
            self._server = stack.enter_context(serving(self.app, host=self.host, port=self.port,
                                                       threads=SERVER_THREADS))
            self._serving = stack.pop_all()
        self.port = int(self._server.port)  # waitress reports the bound port as text
        self._base_url = f"http://{self.host}:{self.port}/"
        return self

    def stop(self) -> None:
        self.socket_mode.stop()
        if self._serving is None or self._server is None:
            return
        self._server.stop()
        # The serving loop notices a stop between rounds of select(), which wait up to 0.2 s when idle;
        # a connection ends the round at once, so each test's teardown does not wait it out.
        with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), timeout=1):
            pass
        self._serving.close()
        self._serving, self._server = None, None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """What to pass as `WebClient(base_url=...)`."""
        return f"{self.base_url}api/"

    @property
    def bound_address(self) -> tuple[str, int]:
        """The address being served (tests assert it is loopback)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return self._server.host, int(self._server.port)

    def token_error(self, token: str | None) -> str | None:
        """Slack's error for a call with this token: not_authed without one, invalid_auth for another."""
        if not token:
            return "not_authed"
        return None if token == self.bot_token else "invalid_auth"

    # -- fault injection -----------------------------------------------------------------------------

    def inject(self, method: str, *, status: int | None = None, error: str | None = None,
               retry_after: int | None = None, delay: float = 0.0, times: int = 1) -> None:
        """Make the next `times` calls of `method` fail or lag.

        `status=429` answers rate-limited with Retry-After (default 1 s); another `status` answers that
        HTTP status; `error` answers HTTP 200 with ok:false; `delay` alone only slows the call down.
        A failed call changes nothing in the workspace, as with Slack. `method` is a Web API method,
        "files.upload", "files.download", "response_url", an added route's name, or "*" for any.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        self.faults.plan(Fault(method, status, error, retry_after, delay, times))

    def limit_rate(self, method: str, per_channel_interval: float) -> None:
        """Enforce a per-channel rate limit on `method`, as Slack does for chat.postMessage (about one
        a second): a call to a channel within `per_channel_interval` of the last one it accepted there
        answers 429 with Retry-After (whole seconds). 0 lifts the limit."""
        self.faults.limit_rate(method, per_channel_interval)

    # -- extensions ----------------------------------------------------------------------------------

    def add_api_method(self, name: str, implementation: Callable[[JsonDict], JsonDict],
                       *, authenticated: bool = True) -> None:
        """Teach the emulator another Web API method (from the module that needs it).

        `implementation` takes the params and returns Slack's response fields, or raises SlackError.
        Methods called with client credentials instead of the bot token pass authenticated=False.
        """
        self.web_api.add(name, implementation, authenticated=authenticated)

    def add_route(self, rule: str, view: RouteView, *, methods: Iterable[str] = ("GET",)) -> None:
        """Serve another path (e.g. the OIDC authorize page), also on a running emulator.

        `rule` is a werkzeug rule ("/bench/stats", "/things/<name>"); `view` is a Flask view: it reads
        `flask.request` and returns what a Flask view returns. Its calls are logged under the rule
        without its slashes ("bench/stats"), and `inject` takes that name too.
        """
        self.routes.add(rule, view, methods)
