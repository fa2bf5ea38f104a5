"""`badgebot serve` without Slack credentials: the real bot against the Slack emulator, with a browser UI.

`handlers.cli.serve.serve` drives the lifecycle:
- `Sandbox.prepare(settings, host=, port=, reset=)` starts the emulator on loopback and returns the
  sandbox, whose `settings` point the bot at it (its token, signing secret and API URL) and at a
  SQLite database of its own in `<data dir>/sandbox/`, away from any real program's data;
- `web_parts()` adds the browser UI (`/`) and its JSON endpoints (`/sandbox/...`) to the bot's web app;
- `started(badgebot, slackbot)` seeds the demo workspace the first time (or after `--reset`), or
  brings back the workspace saved by the last run, then keeps saving it;
- `stop()` saves once more and stops the emulator.

Nothing here leaves the machine: the emulator binds 127.0.0.1, the UI's actions reach the bot as
signed requests from `SlackSide` over loopback, and proxy variables are dropped from this process
(slack_sdk would otherwise send even loopback calls to a proxy).
"""
from __future__ import annotations

import ipaddress
import json
import logging
import os
import secrets
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator import JsonDict, SlackEmulator
from bot.sandbox.emulator.oidc import OidcProvider
from bot.sandbox.slack_client import Delivery, SlackSide
from config.settings import Settings, SettingsError
from handlers.sandbox import demo
from handlers.sandbox.address import SandboxAddress
from handlers.sandbox.web import sandbox_routes

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

log = logging.getLogger("badgebot.sandbox")

SANDBOX_DIR = "sandbox"
DATABASE_FILE = "badgebot.sqlite3"
WORKSPACE_FILE = "workspace.json"
FILES_DIR = "slack-files"
SAVE_EVERY = 2.0  # seconds between checks for workspace changes to save
REQUEST_LOG = 1000  # requests to the bot kept for the Requests panel
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
_WILDCARDS = ("", "0.0.0.0", "::")


@dataclass(frozen=True)
class BotRequest:
    """One request the sandbox, playing Slack, sent to the bot, and what the bot answered."""

    id: int
    at: float
    kind: str  # command | block_actions | view_submission | view_closed | event
    user: str
    summary: str
    payload: JsonDict
    status: int
    response: str
    elapsed_ms: int

    def to_json(self) -> JsonDict:
        return {"id": self.id, "at": self.at, "kind": self.kind, "user": self.user, "summary": self.summary,
                "payload": self.payload, "status": self.status, "response": _json_or_text(self.response),
                "elapsed_ms": self.elapsed_ms}


def sandbox_home(settings: Settings) -> Path:
    """Where the sandbox keeps its data (its database, secret and saved workspace), under BADGEBOT_DATA_DIR."""
    return settings.data_dir / SANDBOX_DIR


def sandbox_database_url(settings: Settings) -> str:
    """The sandbox's own SQLite database, whatever DATABASE_URL says (`badgebot --sandbox ...` reads it too)."""
    return f"sqlite:///{(sandbox_home(settings) / DATABASE_FILE).as_posix()}"


@dataclass
class Sandbox:
    settings: Settings
    emulator: SlackEmulator
    bot_url: str  # where Slack's requests go: http://127.0.0.1:PORT/slack/events
    home: Path  # <data dir>/sandbox
    fresh: bool  # a new workspace to seed (first run, --reset, or no saved workspace)
    address: SandboxAddress  # where it listens, and its public URL (the first start's: handlers/sandbox/address.py)
    oidc: OidcProvider | None = None  # Sign in with Slack on the emulator, for the check-in pages
    badgebot: Badgebot | None = None
    links: list[JsonDict] = field(default_factory=list)  # the sidebar's extra links (door screen, scan)
    slack: SlackSide | None = None
    requests: deque[BotRequest] = field(default_factory=lambda: deque(maxlen=REQUEST_LOG))
    _request_ids: Any = field(default_factory=lambda: iter(range(1, 1 << 62)))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _saver: threading.Thread | None = None
    _saved: str = ""
    _saved_files: set[str] = field(default_factory=set)

    # -- lifecycle ---------------------------------------------------------------------------------

    @classmethod
    def prepare(cls, settings: Settings, *, host: str = "127.0.0.1", port: int = 3000,
                reset: bool = False) -> Sandbox:
        """Start the emulator and return the sandbox; `reset` deletes the sandbox's data first."""
        _stay_on_loopback()
        local = _loopback_for(host)
        home = sandbox_home(settings)
        if reset and home.exists():
            log.info("sandbox: --reset, starting over (deleting %s)", home)
            shutil.rmtree(home)
        saved = _load_workspace(home)
        if saved is None and home.exists():
            # A database without the workspace it talked to would point at messages that do not exist.
            log.info("sandbox: no saved workspace in %s, starting over", home)
            shutil.rmtree(home)
        home.mkdir(parents=True, exist_ok=True)
        if settings.database_url:
            log.info("sandbox: DATABASE_URL is ignored; the sandbox keeps its own SQLite database in %s", home)

        emulator = _new_emulator()
        if saved is not None:
            try:
                emulator.restore_state(saved, content_of=lambda file_id: (home / FILES_DIR / file_id).read_bytes())
            except (OSError, ValueError, TypeError, KeyError) as exc:
                log.warning("sandbox: the saved workspace could not be restored (%s); starting over", exc)
                emulator.stop()
                shutil.rmtree(home)
                home.mkdir(parents=True)
                emulator, saved = _new_emulator(), None
        address = SandboxAddress.choose(home, f"http://{local}:{port}", settings.public_url)
        public_url = address.public_url
        # Sign in with Slack (the check-in pages' "check in as"), from the emulator's OpenID provider.
        oidc = OidcProvider(emulator, client_id=f"sandbox.{secrets.token_hex(6)}", client_secret=secrets.token_hex(16),
                            redirect_uris=[f"{public_url.rstrip('/')}/checkin/callback",
                                           f"{public_url.rstrip('/')}/admin/callback"]).install()  # + the console
        settings = settings.model_copy(update={
            "data_dir": home,
            "database_url": sandbox_database_url(settings),
            "slack_bot_token": emulator.bot_token,
            "slack_signing_secret": emulator.signing_secret,
            "slack_app_token": "",
            "slack_api_url": emulator.api_url,
            "public_url": public_url,
            "slack_client_id": oidc.client_id,
            "slack_client_secret": oidc.client_secret,
        })
        return cls(settings=settings, emulator=emulator, bot_url=f"{address.url}/slack/events", home=home,
                   fresh=saved is None, address=address, oidc=oidc)

    def started(self, badgebot: Badgebot) -> None:
        """The bot is built: add the browser UI to its web app, seed a new workspace (or keep the
        restored one) and start saving it."""
        self.badgebot = badgebot
        badgebot.web.register_blueprint(sandbox_routes, sandbox=self)
        self.address.serve(badgebot.web)
        self.slack = SlackSide(self.emulator, self.bot_url, self.emulator.signing_secret, timeout=30)
        demo.populate(self.emulator, badgebot.catalog)
        if self.fresh:
            started = time.monotonic()
            # The worker paces messages to one a second per channel, as Slack asks; the emulator has
            # no such limit, so the demo's few dozen messages go at full speed, then pacing resumes.
            pacing = getattr(badgebot.delivery, "channel_interval", None)
            if pacing is not None:
                badgebot.delivery.channel_interval = 0.0
            try:
                demo.seed(badgebot, self.emulator)
            finally:
                if pacing is not None:
                    badgebot.delivery.channel_interval = pacing
            log.info("sandbox: demo workspace seeded in %.1f s", time.monotonic() - started)
        self._link_live_event(badgebot)
        self.save()
        self._saver = threading.Thread(target=self._keep_saving, name="sandbox-saver", daemon=True)
        self._saver.start()

    def _link_live_event(self, badgebot: Badgebot) -> None:
        """The office's reports console for admins; the event with check-in open now: its door screen
        for hosts, its QR code's page for everyone."""
        links, paths = self.links, badgebot.urls.paths
        # The pages behind Sign in with Slack open as the person chosen in the UI (see sandbox_signed_in).
        links.append({"label": "Program reports (console)", "roles": [demo.ADMIN],
                      "url": paths.sandbox_signed_in(paths.admin_home), "user_param": "as"})
        event = demo.live_event(badgebot)
        if event is None:
            return
        links.append({"label": f"Door screen: {event.name} (rotating QR)", "roles": [demo.HOST],
                      "url": paths.event_display(event.public_id)})
        # Seeding published the host's Home before this event existed: show it there from the first look.
        badgebot.homes.publish(demo.HOST)
        links.append({"label": f"Scan the QR code at {event.name}", "roles": [],
                      "url": paths.sandbox_signed_in(paths.sandbox_scan(event.public_id)), "user_param": "as"})

    def running_line(self) -> str:
        """What `badgebot serve` prints once the sandbox serves: where to open it, and where its links point."""
        note = f"; {self.address.note}" if self.address.note else ""
        return (f"Sandbox running at {self.address.url}  (no Slack credentials: a local Slack emulator; "
                f"nothing leaves this machine{note})")

    def stop(self) -> None:
        self._stopping.set()
        if self._saver is not None:
            self._saver.join(5)
        try:
            self.save()
        finally:
            if self.slack is not None:
                self.slack.close()
            self.emulator.stop()
            self.address.stop()

    # -- persistence ---------------------------------------------------------------------------------

    def save(self) -> None:
        """Write the workspace if it changed (files once each, beside it), atomically."""
        with self._lock:
            state = self.emulator.export_state(with_content=False)
            blob = json.dumps(state, ensure_ascii=False)
            if blob == self._saved:
                return
            files = self.home / FILES_DIR
            files.mkdir(parents=True, exist_ok=True)
            for record in state["files"]:
                if record["id"] not in self._saved_files:
                    stored = self.emulator.file(record["id"])
                    if stored is not None:
                        _write_atomically(files / record["id"], stored.content)
                    self._saved_files.add(record["id"])
            _write_atomically(self.home / WORKSPACE_FILE, blob.encode("utf-8"))
            self._saved = blob

    def _keep_saving(self) -> None:
        while not self._stopping.wait(SAVE_EVERY):
            try:
                self.save()
            except Exception:  # noqa: BLE001 - a failed save is retried at the next tick; the sandbox goes on
                log.exception("sandbox: saving the workspace failed")

    # -- playing Slack toward the bot: what the browser UI asks for ----------------------------------

    def command(self, user: str, channel: str, line: str) -> BotRequest:
        """A slash command typed in the composer, e.g. `/badges submit sql-basics`."""
        command, _, text = line.strip().partition(" ")
        return self._send("command", user, f"{command} {text}".strip(),
                          lambda side: side.command(user, text.strip(), command=command, channel=channel))

    def action(self, user: str, action_id: str, value: Any = None, *, message: tuple[str, str] | None = None,
               view: str | None = None, block_id: str | None = None, action_type: str | None = None) -> BotRequest:
        """A click on a button (or a choice in a select) in a message or a view."""
        return self._send("block_actions", user, action_id, lambda side: side.block_action(
            user, action_id, value, message=message, view=view, block_id=block_id, action_type=action_type))

    def submit_view(self, user: str, view_id: str, values: Mapping[str, Any]) -> BotRequest:
        """A modal's Submit: `values` keyed by block_id then action_id, as `SlackSide.view_submission` takes."""
        stored = self.emulator.view(view_id)
        summary = stored.callback_id if stored is not None else view_id
        return self._send("view_submission", user, summary,
                          lambda side: side.view_submission(user, view_id, values))

    def close_view(self, user: str, view_id: str) -> BotRequest | None:
        """The modal's Cancel: Slack tells the bot only when the view asked (notify_on_close)."""
        stored = self.emulator.view(view_id)
        if stored is None or not stored.open:
            return None
        if not stored.payload.get("notify_on_close"):
            self.emulator.close_view(view_id)
            return None
        return self._send("view_closed", user, stored.callback_id,
                          lambda side: side.view_closed(user, view_id))

    def say(self, user: str, channel: str, text: str, files: Sequence[JsonDict] = (),
            thread_ts: str | None = None) -> BotRequest:
        """A message a person writes: recorded in the workspace, then sent to the bot as a message event."""
        conversation = next((c for c in self.emulator.channels() if c.id == channel), None)
        if conversation is not None and conversation.is_im:
            return self._send("event", user, "message.im", lambda side: side.message_im(
                user, text, files=list(files), thread_ts=thread_ts))
        posted = self.emulator.record_user_message(user, channel, text, files=list(files), thread_ts=thread_ts)
        event: JsonDict = {"type": "message", "channel": channel, "user": user, "text": text, "ts": posted.ts,
                           "event_ts": posted.ts, "team": self.emulator.team_id,
                           "channel_type": "group" if conversation and conversation.is_private else "channel"}
        if files:
            event |= {"subtype": "file_share", "files": list(files), "upload": False}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self._send("event", user, "message.channels", lambda side: side.event(event))

    def home_opened(self, user: str) -> BotRequest:
        """The person opened the app's Home tab."""
        return self._send("event", user, "app_home_opened", lambda side: side.app_home_opened(user))

    def _send(self, kind: str, user: str, summary: str, send: Callable[[SlackSide], Delivery]) -> BotRequest:
        if self.slack is None:
            raise RuntimeError("the sandbox has not started")
        started = time.monotonic()
        delivery = send(self.slack)
        request = BotRequest(next(self._request_ids), time.time(), kind, user, summary, delivery.payload,
                             delivery.status, delivery.body, int((time.monotonic() - started) * 1000))
        self.requests.append(request)
        return request


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _stay_on_loopback() -> None:
    """Drop proxy variables: every call the sandbox makes is to 127.0.0.1, and must stay there."""
    for name in _PROXY_VARIABLES:
        os.environ.pop(name, None)
    for name in ("NO_PROXY", "no_proxy"):
        os.environ[name] = ",".join(p for p in ["127.0.0.1", "localhost", "::1", os.environ.get(name, "")] if p)


def _new_emulator() -> SlackEmulator:
    """A running emulator with credentials made up for this run (only this process ever holds them)."""
    return SlackEmulator(bot_token=f"xoxb-sandbox-{secrets.token_hex(12)}", signing_secret=secrets.token_hex(16)).start()


def _loopback_for(host: str) -> str:
    """The address Slack's requests reach the bot at: loopback only, whatever interface is served."""
    if host in _WILDCARDS:
        return "127.0.0.1"
    if host == "localhost":
        return host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise SettingsError([f"--host {host}: the sandbox serves this machine only; use 127.0.0.1 "
                             "(or 0.0.0.0 to listen on every interface), or set SLACK_* to run against Slack"])
    return f"[{host}]" if address.version == 6 else host


def _load_workspace(home: Path) -> JsonDict | None:
    """The workspace saved by the last run, if it and its database are both there and readable."""
    state, database = home / WORKSPACE_FILE, home / DATABASE_FILE
    if not (state.is_file() and database.is_file()):
        return None
    try:
        data = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("sandbox: %s is unreadable", state)
        return None
    files = home / FILES_DIR
    if not isinstance(data, dict) or data.get("version") != 1 or any(
            not (files / str(f.get("id"))).is_file() for f in data.get("files", [])):
        return None
    return data


def _write_atomically(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def _json_or_text(body: str) -> Any:
    try:
        return json.loads(body) if body.strip() else ""
    except ValueError:
        return body
