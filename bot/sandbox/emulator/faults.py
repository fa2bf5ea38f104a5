"""Misbehaviour on purpose: injected faults (errors, HTTP statuses, delays) and per-channel rate limits.

Slack fails in ways a bot must survive: 429 with Retry-After, 5xx, ok:false, slow answers. The
tests plan them here; the HTTP layer asks before answering each call. Nothing here knows about HTTP
beyond status codes and header names.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from bot.sandbox.emulator.records import JsonDict

# What a planned fault answers instead of the call: (status, JSON body, headers).
Answer = tuple[int, JsonDict, dict[str, str]]


@dataclass
class Fault:
    """A planned misbehaviour for the next `times` calls of `method` ("*" matches every method).

    `channel`: only calls with that `channel` param (one review channel, not the learner's DM).
    `applied`: the call takes effect and only its answer is the fault's, as when Slack stores a
    message and the answer is lost (a 5xx from a proxy, a reset): what a careful retry must look for.
    """

    method: str
    status: int | None = None
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1
    channel: str | None = None
    applied: bool = False

    def describe(self) -> JsonDict:
        return {k: v for k, v in {"status": self.status, "error": self.error, "retry_after": self.retry_after,
                                  "delay": self.delay or None, "channel": self.channel,
                                  "applied": self.applied or None}.items() if v is not None}

    def matches(self, method: str, params: JsonDict) -> bool:
        return self.method in (method, "*") and (self.channel is None or params.get("channel") == self.channel)

    def answer(self) -> Answer | None:
        """What the call gets instead of its real answer; None for a delay alone."""
        if self.status is not None:
            code = self.error or ("ratelimited" if self.status == 429 else "internal_error")
            headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
            return self.status, {"ok": False, "error": code}, headers
        if self.error is not None:
            return 200, {"ok": False, "error": self.error}, {}
        return None


class Faults:
    """The planned faults and the rate limits of one emulator; safe from any server thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._planned: list[Fault] = []
        self._rate_limits: dict[str, float] = {}  # method -> seconds between calls to one channel
        self._last_accepted: dict[tuple[str, str], float] = {}

    def plan(self, fault: Fault) -> None:
        with self._lock:
            self._planned.append(fault)

    def take(self, method: str, params: JsonDict | None = None) -> Fault | None:
        """The first planned fault for this call of `method`, counted as used once."""
        with self._lock:
            for fault in self._planned:
                if fault.matches(method, params or {}):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._planned.remove(fault)
                    return fault
            return None

    def limit_rate(self, method: str, per_channel_interval: float) -> None:
        with self._lock:
            self._rate_limits[method] = per_channel_interval

    def rate_limited(self, method: str, channel: str) -> Answer | None:
        """429 with Retry-After (whole seconds) if `channel` had an accepted call of `method` within the
        interval; otherwise None, and this call counts as the channel's latest accepted one."""
        with self._lock:
            interval = self._rate_limits.get(method)
            if not interval:
                return None
            key, now = (method, channel), time.monotonic()
            last = self._last_accepted.get(key)
            if last is not None and now - last < interval:
                retry_after = max(1, int(interval - (now - last) + 0.999))
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
            self._last_accepted[key] = now
            return None
