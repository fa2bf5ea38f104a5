"""The emulator's HTTP face: a Flask app, served by waitress the way the bot serves its own.

Routes; each request is logged once (see `Workspace.calls()`):
- `/api/<method>`: the Web API. Params come from the query string and a form or JSON body, the
  bot token from `Authorization: Bearer` or a `token` param (not_authed / invalid_auth otherwise);
- `/upload/v1/<id>`, logged as "files.upload": the bytes of an external upload, on the files host only;
- `/files-pri/<team>-<file>/...`, logged as "files.download": a download that needs the bot token,
  on the files host only (`Workspace.files_url`, as Slack serves files from files.slack.com);
- `/response/<team>/<token>`, logged as "response_url": a response_url;
- the routes other modules add (`SlackEmulator.add_route`), matched before all of these.

A Web API method the token's scopes do not allow answers `missing_scope` with `needed` and `provided`,
as Slack does; every authenticated answer carries the token's scopes in `X-OAuth-Scopes`.

Every answer goes through `_answer`: a planned fault first (after its delay), otherwise the real
answer under the workspace lock; then one entry in the call log.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from bot.sandbox.emulator.faults import Answer, Fault
from bot.sandbox.emulator.records import ApiCall, JsonDict, SlackError

if TYPE_CHECKING:
    from bot.sandbox.emulator.server import SlackEmulator

RouteView = Callable[..., ResponseReturnValue]
_EXTENSION = "slack_emulator"

blueprint = Blueprint("slack_emulator", __name__)


def create_app(emulator: SlackEmulator) -> Flask:
    app = Flask(__name__, static_folder=None)
    # Slack's limits are on blocks and text, and the bot's Block Kit builders check those; a byte cap
    # on form fields here would fail a test for a reason Slack would not give.
    app.config["MAX_FORM_MEMORY_SIZE"] = None
    app.extensions[_EXTENSION] = emulator
    app.register_blueprint(blueprint)
    app.before_request(_extension_route)
    app.register_error_handler(HTTPException, _not_served)
    app.register_error_handler(Exception, _emulator_error)
    return app


class ExtensionRoutes:
    """Routes other modules add (the OIDC pages, a bench's stats), kept in a werkzeug Map of their own.

    Not Flask rules: Flask refuses new rules once it has served a request, and these are added to
    a running emulator. They are matched before the emulator's own routes, so one may take a path
    under /api/ (OIDC's token endpoint authenticates with client credentials, not the bot token).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # werkzeug's Map is not safe to change while another thread matches
        self._map = Map()
        self._views: dict[str, RouteView] = {}

    def add(self, rule: str, view: RouteView, methods: Iterable[str]) -> None:
        name = rule.strip("/")  # also the call log's name for the route
        with self._lock:
            self._map.add(Rule(f"/{name}", endpoint=name, methods=list(methods)))
            self._views[name] = view

    def match(self, environ: dict[str, Any]) -> tuple[str, RouteView, dict[str, Any]] | None:
        with self._lock:
            try:
                name, args = self._map.bind_to_environ(environ).match()
            except HTTPException:
                return None
            return str(name), self._views[str(name)], args


# --------------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------------


@blueprint.route("/api/<method>", methods=["GET", "POST"])
def api_method(method: str) -> Response:
    emulator = _emulator()
    try:
        params = _api_params()
    except ValueError:
        return _logged(method, {}, json_reply({"ok": False, "error": "invalid_json"}))
    form_token, bearer = params.pop("token", None), _bearer_token()
    error = emulator.token_error(bearer if bearer is not None else form_token)
    if error is not None and emulator.web_api.needs_token(method):
        return _logged(method, params, json_reply({"ok": False, "error": error}))
    return _answer(method, params, lambda: _run_method(emulator, method, params))


@blueprint.post("/upload/v1/<upload_id>")
def upload(upload_id: str) -> Response:
    content = _uploaded_bytes()

    def receive() -> Response:
        if not _on_files_host():
            return text_reply("not found", 404)
        stored = _emulator().receive_upload(upload_id, content)
        if stored is None:
            return text_reply("upload_url_not_found", 404)
        return text_reply(f"OK - {len(stored.content)}")

    return _answer("files.upload", {"upload": upload_id}, receive)


@blueprint.get("/files-pri/<team_file>/<path:name>")
def download(team_file: str, name: str) -> Response:
    file_id = team_file.rpartition("-")[2]
    return _answer("files.download", {"file": file_id}, lambda: _file_download(file_id))


@blueprint.post("/response/<team>/<token>")
def response_url(team: str, token: str) -> Response:
    payload = request.get_json(force=True, silent=True)  # Slack reads the body as JSON, whatever its type
    payload = payload if isinstance(payload, dict) else {}

    def respond() -> Response:
        try:
            _emulator().respond(token, payload)
        except SlackError as exc:
            return text_reply(exc.code, 400 if exc.code == "no_text" else 404)
        return json_reply({"ok": True})

    return _answer("response_url", payload, respond)


def _extension_route() -> Response | None:
    found = _emulator().routes.match(request.environ)
    if found is None:
        return None  # on to the emulator's own routes
    name, view, args = found
    return _answer(name, {"target": _target()}, lambda: view(**args))


def _not_served(exc: HTTPException) -> Response:
    """A path or verb the emulator does not serve answers 404, whatever the verb."""
    if exc.code in (404, 405):
        return text_reply("not found", 404)
    return exc.get_response()


def _emulator_error(exc: Exception) -> Response:
    """A bug in the emulator answers 500 with the exception named (and logged as "emulator.error"),
    rather than a dropped connection that would look like a network fault to the client."""
    reply = json_reply({"ok": False, "error": "emulator_error", "detail": repr(exc)}, 500)
    return _logged("emulator.error", {"target": _target()}, reply)


# --------------------------------------------------------------------------------------------------
# Answering
# --------------------------------------------------------------------------------------------------


def _answer(method: str, params: JsonDict, answer: Callable[[], ResponseReturnValue]) -> Response:
    emulator = _emulator()
    fault = emulator.faults.take(method, params)
    if fault is not None and fault.delay:
        time.sleep(fault.delay)  # outside the lock: one slow call must not hold up the others
    planned = fault.answer() if fault is not None else None
    if planned is not None and not (fault is not None and fault.applied):
        reply = _planned_reply(planned)
    else:
        with emulator.lock:
            reply = current_app.make_response(answer())
        if planned is not None:  # it took effect; only its answer is lost
            reply = _planned_reply(planned)
    return _logged(method, params, reply, fault)


def _run_method(emulator: SlackEmulator, method: str, params: JsonDict) -> Response:
    limited = emulator.faults.rate_limited(method, str(params.get("channel") or ""))
    if limited is not None:
        return _planned_reply(limited)
    web_api = emulator.web_api
    # The bot token's scopes; a method called with other credentials (apps.connections.open) is not told them.
    granted = {"X-OAuth-Scopes": ",".join(web_api.scopes)} if web_api.needs_token(method) else {}
    needed = web_api.missing_scope(method, params)
    if needed is not None:
        refusal = {"ok": False, "error": "missing_scope", "needed": needed, "provided": ",".join(web_api.scopes)}
        return json_reply(refusal, headers=granted | {"X-Accepted-OAuth-Scopes": needed})
    try:
        return json_reply({"ok": True, **web_api.call(method, params)}, headers=granted)
    except SlackError as exc:
        return json_reply({"ok": False, "error": exc.code}, headers=granted)


def _file_download(file_id: str) -> Response:
    emulator, token = _emulator(), _bearer_token()
    if not _on_files_host():
        return text_reply("not found", 404)  # files.slack.com serves files, slack.com does not
    if token is None:
        return text_reply("not_authed", 401)
    if token != emulator.bot_token:
        return text_reply("invalid_auth", 403)
    try:
        stored = emulator.stored_file(file_id)
    except SlackError:
        return text_reply("file_not_found", 404)
    return Response(stored.content, 200, content_type=stored.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{stored.name}"'})


def _logged(method: str, params: JsonDict, reply: Response, fault: Fault | None = None) -> Response:
    _emulator().log(ApiCall(method, params, reply.status_code, _summary(reply),
                            fault.describe() if fault is not None else None, time.time()))
    return reply


def _summary(reply: Response) -> JsonDict:
    """What the call log keeps of a reply: the JSON itself, the text, or a note of its size and type."""
    if reply.mimetype == "application/json":
        data = reply.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    if reply.mimetype == "text/plain":
        return {"text": reply.get_data(as_text=True)}
    return {"bytes": len(reply.get_data()), "content_type": reply.content_type or ""}


def json_reply(data: JsonDict, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status, headers=dict(headers or {}),
                    content_type="application/json; charset=utf-8")


def text_reply(text: str, status: int = 200) -> Response:
    return Response(text, status, content_type="text/plain; charset=utf-8")


def _planned_reply(planned: Answer) -> Response:
    status, data, headers = planned
    return json_reply(data, status, headers)


# --------------------------------------------------------------------------------------------------
# Reading the request
# --------------------------------------------------------------------------------------------------


def _emulator() -> SlackEmulator:
    emulator: SlackEmulator = current_app.extensions[_EXTENSION]
    return emulator


def _api_params() -> JsonDict:
    """Params as slack_sdk sends them: the query string, then a JSON or form body (ValueError if the
    JSON is not an object)."""
    params: JsonDict = request.args.to_dict()
    if request.is_json:
        if request.get_data().strip():
            data = request.get_json(silent=True)
            if not isinstance(data, dict):
                raise ValueError("a JSON body must be an object")
            params.update(data)
    else:
        params.update(request.form.to_dict())
    return params


def _on_files_host() -> bool:
    return request.host == urlsplit(_emulator().files_url).netloc


def _bearer_token() -> str | None:
    authorization = request.headers.get("Authorization", "")
    return authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else None


def _uploaded_bytes() -> bytes:
    """The raw body (slack_sdk's way), or the file part of a multipart form.

    The body is read before any form parsing: slack_sdk posts raw bytes under urllib's default
    form content type, and parsing those as a form would lose them.
    """
    body = request.get_data()
    if request.mimetype == "multipart/form-data":
        part = next(iter(request.files.values()), None)  # parsed from the body read above
        if part is not None:
            return part.read()
    return body


def _target() -> str:
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")
