"""The sandbox's browser UI and its JSON endpoints, served by the bot's own web app.

- `GET /`: the Slack-like UI (handlers/sandbox/ui/index.html; vanilla JS polling `/sandbox/api/snapshot`).
- `GET /sandbox/gallery`: every Block Kit message and view the bot produced, rendered (for
  administrators checking their catalog's messages, and for the browser test that walks them all).
- `/sandbox/api/...`: what the UI reads (workspace, snapshot, requests, gallery) and does (command,
  action, view submit/close, message, home). Every action is sent to the bot as the signed HTTP
  request Slack would send (see `Sandbox` in run.py); nothing here calls a use case or a listener.
- `GET /sandbox/files/<id>`: a file in the emulated workspace (Slack's own file URLs need the bot token).
- `GET /sandbox/scan/<event>`: what scanning the door screen's QR code opens (its current check-in page),
  for a visitor without a second device; `GET /sandbox/open?next=PATH&as=U...`: a page opened as the person
  chosen in the UI, whom the emulator's Sign in with Slack then offers first (the others behind "Someone else").

The sandbox registers this blueprint on the bot's web app (`web.register_blueprint(sandbox_routes,
sandbox=...)`); views reach it through `sandbox()`, and the bot through `badgebot()`.

Hook for other parts of the bot (e.g. event check-in pages): append to `Sandbox.links` entries `{"label": str,
"url": str, "roles": [learner|grantor|host|admin] (optional: who sees it), "user_param": str (optional: the
query parameter that carries the Slack id of the person the visitor is playing)}`; the UI lists them in its
sidebar under "Sandbox links".

Requests that change something must carry `X-Sandbox: 1` (a cross-site form cannot set it), and
when the bot listens on loopback, the Host header must be a loopback name (against DNS rebinding).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urljoin, urlsplit

from flask import Response, abort, current_app, jsonify, redirect, request, send_from_directory
from flask.blueprints import BlueprintSetupState

from bot.errors import NotFound
from bot.sandbox.emulator import Message
from bot.sandbox.emulator.scopes import UnknownCommand
from bot.usecases.campus_events.checkin import display_state
from handlers.sandbox import demo
from handlers.sandbox.shapes import call_json, gallery_items, message_json, ts_key, view_json
from handlers.web.security import DEFAULT, Routes, headers
from handlers.web.services import badgebot

if TYPE_CHECKING:
    from handlers.sandbox.run import BotRequest, Sandbox

UI = Path(__file__).with_name("ui")
STATIC = UI / "static"
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAX_REQUEST_ENTRIES = 300  # newest entries one poll of the Requests panel returns
EXTENSION = "badgebot.sandbox"
# The UI's pages and scripts come from this server only, and no other site may frame them.
PAGES = DEFAULT.but(csp="default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
                        "connect-src 'self'; frame-ancestors 'none'")

sandbox_routes = Routes("sandbox", __name__, headers=PAGES)


def _set_up(state: BlueprintSetupState) -> None:
    state.app.extensions[EXTENSION] = state.options["sandbox"]


sandbox_routes.record_once(_set_up)


def sandbox() -> Sandbox:
    """The sandbox whose UI this request is for."""
    return cast("Sandbox", current_app.extensions[EXTENSION])


@sandbox_routes.before_request
def _guard() -> None:
    if _loopback_only() and urlsplit(f"//{request.host}").hostname not in LOOPBACK_NAMES:
        raise Refused("the sandbox answers on loopback names only (127.0.0.1, localhost)", 403)
    if request.method == "POST" and request.headers.get("X-Sandbox") != "1":
        raise Refused("sandbox actions need the X-Sandbox: 1 header", 403)


def _loopback_only() -> bool:
    return (urlsplit(sandbox().bot_url).hostname in LOOPBACK_NAMES
            and urlsplit(badgebot().public_url).hostname in LOOPBACK_NAMES)


class Refused(Exception):
    """A request the sandbox will not carry out; answered as JSON {ok: false, error}."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@sandbox_routes.errorhandler(Refused)
def _refused(error: Refused) -> Response:
    return _refuse(error.message, error.status)


# -- pages ---------------------------------------------------------------------------------------


@sandbox_routes.get("/")
def sandbox_ui() -> Response:
    return _page("index.html")


@sandbox_routes.get("/sandbox/gallery")
def sandbox_gallery() -> Response:
    return _page("gallery.html")


@sandbox_routes.get("/sandbox/static/<path:name>")
def sandbox_static(name: str) -> Response:
    return send_from_directory(STATIC, name)


@sandbox_routes.get("/sandbox/files/<file_id>")
@headers(PAGES.but(csp="sandbox"))  # people's uploads: never run as a page of ours
def sandbox_file(file_id: str) -> Response:
    stored = sandbox().emulator.file(file_id)
    if stored is None or not stored.uploaded:
        abort(404)
    inline = stored.mimetype.startswith("image/") and stored.mimetype != "image/svg+xml"
    response = Response(stored.content, mimetype=stored.mimetype if inline else "application/octet-stream")
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename=\"{_header_safe(stored.name)}\""
    return response


@sandbox_routes.get("/sandbox/scan/<public_id>")
def scan(public_id: str) -> Response:
    """What a phone's camera does with the door screen: open the check-in page of the code shown now."""
    if sandbox().badgebot is None:
        abort(503)
    bot = badgebot()
    try:
        state = display_state(bot.ctx, bot.signer, public_id)
    except NotFound:
        abort(404)
    if state.code is None:  # check-in is not open: the door screen says when it is
        return _redirect(bot.urls.paths.event_display(public_id))
    return _redirect(bot.urls.paths.checkin(state.code))


@sandbox_routes.get("/sandbox/open")
def open_signed_in() -> Response:
    """A sidebar link opened as the chosen person: the emulated Slack hears that this browser is signed in as
    them (its Sign in with Slack offers them first), then the page opens on the address this browser uses."""
    user, target, provider = _person(), request.args.get("next", ""), sandbox().oidc
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        raise Refused("next must be a path on this site, e.g. /admin")
    page = urljoin(request.host_url, target)
    return _redirect(provider.signed_in_url(user, page) if provider is not None else page)


# -- reading -------------------------------------------------------------------------------------


@sandbox_routes.get("/sandbox/api/workspace")
def workspace() -> Response:
    emulator, catalog, paths = sandbox().emulator, badgebot().catalog, badgebot().urls.paths
    names = {u.id: u.real_name for u in emulator.users()}
    everyone = []
    for person in demo.people(catalog):
        everyone.append({"id": person.id, "name": person.name, "handle": person.handle,
                         "roles": demo.roles_of(person.id, catalog), "about": person.about,
                         "grants": [s.name for s in catalog.credentials if person.id in s.grantors]})
    links = [{"label": "Block Kit gallery", "url": paths.sandbox_gallery, "roles": [], "user_param": ""},
             {"label": "Issuer profile (public)", "url": paths.issuer, "roles": [], "user_param": ""}]
    for link in sandbox().links:
        if isinstance(link, Mapping) and link.get("label") and link.get("url"):
            links.append({"label": str(link["label"]), "url": str(link["url"]),
                          "roles": list(link.get("roles") or []), "user_param": str(link.get("user_param") or "")})
    return jsonify(team=catalog.issuer.name, bot={"id": emulator.bot_user_id, "name": "Badgebot"},
                   people=everyone, users=names, links=links,
                   channels={c.id: c.name for c in emulator.channels() if not c.is_im})


@sandbox_routes.get("/sandbox/api/snapshot")
def snapshot() -> Response:
    """What one person sees now: their conversations, the open one, a thread, home, the top modal."""
    user, emulator = _person(), sandbox().emulator
    names = {u.id: u.real_name for u in emulator.users()}
    conversations = [c for c in emulator.channels()
                     if not c.is_im and not c.is_mpim and c.has_member(user)]
    dm = emulator.dm_channel_of(user)
    channel = request.args.get("channel") or dm
    if channel != dm and channel not in {c.id for c in conversations}:
        channel = dm
    everything = emulator.messages(channel, include_replies=True)
    replies: dict[str, list[Message]] = {}
    for m in everything:
        if m.is_reply:
            replies.setdefault(m.thread_ts or "", []).append(m)
    mine = emulator.ephemerals(user, channel)
    top = [m for m in everything if not m.is_reply or m.reply_broadcast] + [m for m in mine if not m.is_reply]
    top.sort(key=ts_key)
    thread_ts = request.args.get("thread") or ""
    thread = None
    if thread_ts:
        parent = emulator.message(channel, thread_ts)
        if parent is not None and not parent.deleted:
            found = emulator.thread(channel, thread_ts) + [m for m in mine if m.thread_ts == thread_ts
                                                           and m.ts != thread_ts]
            found.sort(key=ts_key)
            thread = {"ts": thread_ts, "messages": [message_json(m, names, replies) for m in found]}
    views = emulator.views_of(user)
    home = next((v for v in views if v.type == "home"), None)
    modal = next((v for v in reversed(views) if v.type == "modal"), None)
    return jsonify(
        me=user, dm=dm, channel=channel,
        conversations=[{"id": c.id, "name": c.name, "is_private": c.is_private} for c in conversations],
        messages=[message_json(m, names, replies) for m in top],
        thread=thread, home=view_json(home) if home else None, modal=view_json(modal) if modal else None,
        activity={"calls": emulator.call_count(), "requests": _last_request_id(sandbox())},
    )


@sandbox_routes.get("/sandbox/api/requests")
def requests_log() -> Response:
    """The Requests panel: Slack -> bot requests (with the bot's answers) and bot -> Web API calls."""
    emulator = sandbox().emulator
    after_call = request.args.get("after_call", default=0, type=int)
    after_request = request.args.get("after_request", default=0, type=int)
    total = emulator.call_count()
    start = max(after_call, total - MAX_REQUEST_ENTRIES)
    calls = [call_json(start + i, c) for i, c in enumerate(emulator.calls_since(start))]
    sent = [r.to_json() for r in list(sandbox().requests) if r.id > after_request][-MAX_REQUEST_ENTRIES:]
    return jsonify(calls=calls, requests=sent, call_count=total, request_id=_last_request_id(sandbox()))


@sandbox_routes.get("/sandbox/api/gallery")
def gallery() -> Response:
    """Every distinct Block Kit payload the bot produced: Web API calls, response URLs and acks."""
    emulator = sandbox().emulator
    return jsonify(items=gallery_items(emulator.calls(), list(sandbox().requests)),
                   users={u.id: u.real_name for u in emulator.users()})


# -- doing ---------------------------------------------------------------------------------------


@sandbox_routes.post("/sandbox/api/command")
def command() -> Response:
    data = _json_body()
    user, channel = _person(data), _conversation(data)
    line = str(data.get("text") or "").strip()
    if not line.startswith("/") or len(line) < 2:
        return _refuse("A command starts with /, e.g. /badges help")
    try:
        sent = sandbox().command(user, channel, line)
    except UnknownCommand as refused:  # as Slack: a note to the person, nothing sent to the bot
        return jsonify(ok=False, refused=str(refused))
    return _sent(sent)


@sandbox_routes.post("/sandbox/api/action")
def action() -> Response:
    emulator = sandbox().emulator
    data = _json_body()
    user = _person(data)
    action_id = str(data.get("action_id") or "")
    if not action_id:
        return _refuse("action_id is required")
    where: dict[str, Any] = {}
    if data.get("view_id"):
        view = emulator.view(str(data["view_id"]))
        if view is None or view.user != user or not view.open:
            return _refuse("that view is not open for this person")
        where["view"] = view.id
    else:
        channel = _conversation(data)
        where["message"] = (channel, str(data.get("ts") or ""))
    try:
        sent = sandbox().action(user, action_id, data.get("value"), block_id=data.get("block_id") or None,
                              action_type=data.get("type") or None, **where)
    except ValueError as exc:
        return _refuse(str(exc))
    return _sent(sent)


@sandbox_routes.post("/sandbox/api/view/submit")
def submit_view() -> Response:
    emulator = sandbox().emulator
    _allow_uploads()
    user = _person(request.form)
    view = emulator.view(request.form.get("view_id", ""))
    if view is None or view.user != user or not view.open:
        return _refuse("that view is not open for this person")
    try:
        values = json.loads(request.form.get("values") or "{}")
    except ValueError:
        return _refuse("values must be JSON")
    if not isinstance(values, dict):
        return _refuse("values must be a JSON object")
    for key in request.files:
        _, block_id, action_id = (key.split(":", 2) + ["", ""])[:3]
        if key.startswith("files:") and block_id and action_id:
            uploaded = [emulator.add_file(f.read(), f.filename or "file", f.mimetype or None, user)
                        for f in request.files.getlist(key)]
            values.setdefault(block_id, {})[action_id] = uploaded
    try:
        sent = sandbox().submit_view(user, view.id, values)
    except ValueError as exc:
        return _refuse(str(exc))
    ack = sent.to_json()["response"]
    errors = ack.get("errors") if isinstance(ack, dict) and ack.get("response_action") == "errors" else None
    return _sent(sent, errors=errors or None)


@sandbox_routes.post("/sandbox/api/view/close")
def close_view() -> Response:
    emulator = sandbox().emulator
    data = _json_body()
    user = _person(data)
    view = emulator.view(str(data.get("view_id") or ""))
    if view is None or view.user != user:
        return _refuse("that view is not this person's")
    sent = sandbox().close_view(user, view.id)
    return _sent(sent) if sent else jsonify(ok=True)


@sandbox_routes.post("/sandbox/api/message")
def message() -> Response:
    emulator = sandbox().emulator
    _allow_uploads()
    user, channel = _person(request.form), _conversation(request.form)
    text = request.form.get("text", "").strip()
    files = [emulator.add_file(f.read(), f.filename or "file", f.mimetype or None, user)
             for f in request.files.getlist("files") if f.filename]
    if not text and not files:
        return _refuse("write something or attach a file")
    sent = sandbox().say(user, channel, text, files, request.form.get("thread_ts") or None)
    return _sent(sent)


@sandbox_routes.post("/sandbox/api/home")
def home_opened() -> Response:
    return _sent(sandbox().home_opened(_person(_json_body())))


# -- request helpers -----------------------------------------------------------------------------


def _person(source: Mapping[str, Any] | None = None) -> str:
    user = str((source if source is not None else request.args).get("as") or "")
    if user not in {p.id for p in demo.people(badgebot().catalog)}:
        raise Refused("pick who you are: ?as=<a person's Slack id>")
    return user


def _conversation(source: Mapping[str, Any]) -> str:
    emulator = sandbox().emulator
    channel = str(source.get("channel") or "")
    found = next((c for c in emulator.channels() if c.id == channel), None)
    user = _person(source)
    if found is None or not (found.has_member(user) if not found.is_im else found.user == user):
        raise Refused("not a conversation this person is in", 403)
    return channel


def _last_request_id(box: Sandbox) -> int:
    latest = box.requests[-1] if box.requests else None
    return latest.id if latest else 0


def _page(name: str) -> Response:
    return send_from_directory(UI, name)


def _redirect(location: str) -> Response:
    return cast(Response, redirect(location, code=303))


def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Refused("send a JSON object")
    return data


def _refuse(message: str, status: int = 400) -> Response:
    response = jsonify(ok=False, error=message)
    response.status_code = status
    return response


def _sent(sent: BotRequest, **extra: Any) -> Response:
    return jsonify(ok=200 <= sent.status < 300, status=sent.status, request=sent.to_json(), **extra)


def _allow_uploads() -> None:
    """Artifacts come through the sandbox's own upload, so raise the web app's small Slack-payload limit here."""
    try:
        request.max_content_length = badgebot().settings.max_artifact_bytes * 10 + 1024 * 1024
    except AttributeError:  # Flask < 3.1 cannot set it per request; the app-wide limit applies
        pass


def _header_safe(name: str) -> str:
    return "".join(ch for ch in name if ch.isprintable() and ch not in '"\\\r\n')[:200] or "file"
