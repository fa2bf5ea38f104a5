"""What the sandbox UI reads, shaped from the emulator's records: messages, views, the Web API call log,
and the Block Kit gallery (every distinct message and view payload the bot produced)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator import ApiCall, JsonDict, Message, View
from bot.urls import PublicUrls

if TYPE_CHECKING:
    from handlers.sandbox.run import BotRequest

# Web API methods whose params carry Block Kit the bot produced (the gallery shows each).
_MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage", "response_url"}
_VIEW_METHODS = {"views.open", "views.push", "views.update", "views.publish"}
_PATHS = PublicUrls("")  # the UI's links stay on the server it came from


def message_json(m: Message, names: Mapping[str, str], replies: Mapping[str, list[Message]]) -> JsonDict:
    thread = replies.get(m.ts, []) if not m.is_reply else []
    return {
        "ts": m.ts, "channel": m.channel, "user": m.user, "name": names.get(m.user or "", m.user or "Slack"),
        "is_bot": bool(m.bot_id), "text": m.text, "blocks": m.blocks, "attachments": m.attachments,
        "thread_ts": m.thread_ts, "is_reply": m.is_reply, "broadcast": m.reply_broadcast,
        "reply_count": len(thread), "reply_users": sorted({r.user or "" for r in thread} - {""}),
        "ephemeral": m.ephemeral_to is not None, "edited": bool(m.edits), "via": m.via,
        "files": [{"id": f.get("id"), "name": f.get("name"), "mimetype": f.get("mimetype"), "size": f.get("size"),
                   "url": _PATHS.sandbox_file(str(f.get("id")))} for f in m.files],
    }


def view_json(v: View) -> JsonDict:
    payload = v.payload
    return {"id": v.id, "hash": v.hash, "type": v.type, "callback_id": v.callback_id,
            "title": payload.get("title"), "submit": payload.get("submit"), "close": payload.get("close"),
            "blocks": payload.get("blocks") or [], "previous_view_id": v.previous_view_id}


def call_json(index: int, call: ApiCall) -> JsonDict:
    return {"id": index + 1, "at": call.at, "method": call.method, "params": call.params, "status": call.status,
            "ok": call.ok, "response": call.response, "fault": call.fault}


def gallery_items(calls: list[ApiCall], sent: list[BotRequest]) -> list[JsonDict]:
    """Each distinct message or view payload, with where it was first seen and how often."""
    items: dict[str, JsonDict] = {}

    def add(kind: str, source: str, blocks: Any, text: str = "", view: JsonDict | None = None) -> None:
        if not isinstance(blocks, list) or not blocks:
            return
        key = json.dumps([kind, blocks, (view or {}).get("title"), (view or {}).get("submit")], sort_keys=True)
        if key in items:
            items[key]["count"] += 1
            return
        items[key] = {"id": len(items) + 1, "kind": kind, "source": source, "text": text, "blocks": blocks,
                      "count": 1, "title": (view or {}).get("title"), "submit": (view or {}).get("submit"),
                      "close": (view or {}).get("close"), "view_type": (view or {}).get("type")}

    for number, call in enumerate(calls, start=1):
        if not call.ok and call.method != "response_url":
            continue
        if call.method in _MESSAGE_METHODS:
            add("message", f"{call.method} #{number}", _decoded(call.params.get("blocks")),
                str(call.params.get("text") or ""))
        elif call.method in _VIEW_METHODS:
            view = _decoded(call.params.get("view"))
            if isinstance(view, dict):
                add(str(view.get("type") or "view"), f"{call.method} #{number}", view.get("blocks"), view=view)
    for r in sent:
        answer = r.to_json()["response"]
        if not isinstance(answer, dict):
            continue
        if isinstance(answer.get("view"), dict):
            add("modal", f"ack to {r.kind} {r.summary}", answer["view"].get("blocks"), view=answer["view"])
        else:
            add("message", f"ack to {r.kind} {r.summary}", answer.get("blocks"), str(answer.get("text") or ""))
    return list(items.values())


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def ts_key(m: Message) -> tuple[int, int]:
    seconds, _, micros = m.ts.partition(".")
    return int(seconds), int(micros or 0)
