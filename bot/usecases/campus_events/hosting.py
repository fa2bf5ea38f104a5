"""Hosting campus events: a host creates, lists, shows and closes events and prints their poster.

Every event use case reaches an event a host manages through `hosted`, which holds the one host
check; bot/usecases/campus_events/checkin.py and attendance.py use it too.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.adapters.poster import PosterContent, render_poster
from bot.domain import checkin as rules
from bot.domain.checkin import EventRules, QrMode, Refusal, Schedule, Signs
from bot.domain.times import window_text
from bot.domain.vocabulary import CredentialType
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.urls import PublicUrls
from bot.usecases.context import Context, audit, credential_by_slug, new_public_id
from bot.usecases.credentials import CredentialRecord
from models import Credential, Event

MAX_NAME = 200
MAX_LOCATION = 500
CREATE_REFUSAL = ("Only event hosts can create events. Ask a program administrator to add you to the hosts in "
                  "the catalog.")


@dataclass(frozen=True)
class EventView:
    """An event as every event use case returns it."""

    id: int
    public_id: str
    name: str
    souvenir: str
    souvenir_name: str
    host: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    opens_at: dt.datetime
    closes_at: dt.datetime
    location: str
    capacity: int | None
    qr_mode: QrMode
    period_seconds: int
    checkin_count: int
    created_at: dt.datetime
    closed_at: dt.datetime | None

    @property
    def number(self) -> str:
        return f"#{self.id}"

    @property
    def rules(self) -> EventRules:
        return EventRules(id=self.id, name=self.name, opens_at=self.opens_at, closes_at=self.closes_at,
                          qr_mode=self.qr_mode, period_seconds=self.period_seconds, capacity=self.capacity,
                          closed_at=self.closed_at)

    def state_at(self, now: dt.datetime) -> str:
        """upcoming, open or over: what the display page and `/badges event list` show."""
        refusal = rules.window_refusal(self.rules, now)
        return {None: "open", Refusal.NOT_OPEN_YET: "upcoming"}.get(refusal, "over")

    @classmethod
    def of(cls, event: Event) -> EventView:
        return cls(
            id=event.id, public_id=event.public_id, name=event.name, souvenir=event.souvenir.slug,
            souvenir_name=event.souvenir.name, host=event.host, starts_at=event.starts_at, ends_at=event.ends_at,
            opens_at=event.checkin_opens_at, closes_at=event.checkin_closes_at, location=event.location or "",
            capacity=event.capacity, qr_mode=QrMode(event.qr_mode), period_seconds=event.code_period_seconds,
            checkin_count=event.checkin_count, created_at=event.created_at, closed_at=event.closed_at,
        )


@dataclass(frozen=True)
class EventDraft:
    """A new event as a host describes it (the Slack form, the CLI)."""

    name: str
    souvenir: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    opens_at: dt.datetime | None = None  # default: rules.DEFAULT_OPENS_BEFORE before the start
    closes_at: dt.datetime | None = None  # default: the end
    location: str = ""
    capacity: int | None = None
    qr_mode: QrMode = QrMode.ROTATING
    period_seconds: int = rules.DEFAULT_PERIOD_SECONDS
    host: str | None = None  # who runs it; default: whoever creates it


def create_event(ctx: Context, actor: str, draft: EventDraft) -> EventView:
    """A host creates an event that awards a souvenir; the display link is made unguessable here."""
    require_host(ctx, actor, CREATE_REFUSAL)
    host = draft.host or actor
    if host != actor and not ctx.is_admin(actor):
        raise NotAllowed("Only administrators can create an event for another host.")
    name = " ".join(draft.name.split())
    if not name:
        raise InvalidInput("Give the event a name.", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"Keep the name under {MAX_NAME} characters.", field="name")
    if len(draft.location) > MAX_LOCATION:
        raise InvalidInput(f"Keep the location under {MAX_LOCATION} characters.", field="location")
    for value in (draft.starts_at, draft.ends_at, draft.opens_at, draft.closes_at):
        if value is not None and value.tzinfo is None:
            raise ValueError("event times must be timezone-aware")
    schedule = Schedule(draft.starts_at, draft.ends_at, draft.opens_at or draft.starts_at - rules.DEFAULT_OPENS_BEFORE,
                        draft.closes_at or draft.ends_at)
    problems = rules.schedule_problems(schedule, draft.capacity, draft.period_seconds)
    if problems:
        field, message = next(iter(problems.items()))
        raise InvalidInput(message, field=field)
    now = ctx.clock()
    with ctx.transaction() as session:
        souvenir = credential_by_slug(session, draft.souvenir, offered=True)
        if souvenir.type is not CredentialType.SOUVENIR:
            raise InvalidInput(f"{souvenir.name} is a {souvenir.type.label}, not a souvenir; events award "
                               "souvenirs.", field="souvenir")
        event = Event(
            public_id=new_public_id(), name=name, souvenir_id=souvenir.id, host=host,
            starts_at=schedule.starts_at, ends_at=schedule.ends_at, checkin_opens_at=schedule.opens_at,
            checkin_closes_at=schedule.closes_at, location=draft.location.strip(), capacity=draft.capacity,
            qr_mode=draft.qr_mode.value, code_period_seconds=draft.period_seconds, checkin_count=0,
            created_at=now, closed_at=None,
        )
        event.souvenir = souvenir
        session.add(event)
        session.flush()
        audit(session, now, actor, "event.created", event, name=name, souvenir=souvenir.slug, host=host,
              mode=draft.qr_mode.value)
        return EventView.of(event)


def souvenir_choices(ctx: Context, actor: str) -> list[tuple[str, str]]:
    """(slug, name) of the souvenirs a new event can award, for a host about to create one."""
    require_host(ctx, actor, CREATE_REFUSAL)
    with ctx.reading() as session:
        return [(c.slug, c.name) for c in session.scalars(
            select(Credential).where(Credential.type == CredentialType.SOUVENIR, Credential.retired_at.is_(None))
            .order_by(Credential.name))]


def list_events(ctx: Context, actor: str, *, include_over: bool = False) -> list[EventView]:
    """A host's events (every event, for administrators), soonest first."""
    require_host(ctx, actor)
    now = ctx.clock()
    query = select(Event).order_by(Event.starts_at, Event.id)
    if not ctx.is_admin(actor):
        query = query.where(Event.host == actor)
    if not include_over:
        query = query.where(Event.closed_at.is_(None), Event.checkin_closes_at > now - dt.timedelta(days=1))
    with ctx.reading() as session:
        return [EventView.of(e) for e in session.scalars(query.limit(200)).unique()]


def event_for_host(ctx: Context, actor: str, number: int) -> EventView:
    """One event, to its host or an administrator."""
    with ctx.reading() as session:
        return EventView.of(hosted(session, ctx, actor, number))


def close_event(ctx: Context, actor: str, number: int) -> EventView:
    """The host ends check-in now (codes stop working; bulk awards still work)."""
    now = ctx.clock()
    with ctx.transaction() as session:
        event = hosted(session, ctx, actor, number)
        if event.closed_at is None:
            event.closed_at = now
            audit(session, now, actor, "event.closed", event)
        return EventView.of(event)


def current_code(ctx: Context, signer: Signs, actor: str, number: int) -> tuple[EventView, str]:
    """The code to print on a poster (or show now, for a rotating event), for its host."""
    with ctx.reading() as session:
        event = EventView.of(hosted(session, ctx, actor, number))
    return event, rules.make_code(signer, event.rules, ctx.clock())


def poster_event(ctx: Context, actor: str, number: int) -> EventView:
    """Event `number`, for its host, if it has a printed poster; refused for a rotating code, before the
    poster is drawn (which is slow)."""
    with ctx.reading() as session:
        event = EventView.of(hosted(session, ctx, actor, number))
    _check_printable(event)
    return event


def _check_printable(event: EventView) -> None:
    if event.qr_mode is not QrMode.POSTER:
        raise InvalidInput(f"#{event.id} uses a rotating code on a screen, which a printed poster would freeze; "
                           "open its door-screen link instead.")


def poster(
    ctx: Context,
    signer: Signs,
    actor: str,
    number: int,
    *,
    souvenir_image: Callable[[CredentialRecord], bytes],
    urls: PublicUrls,
    tz: dt.tzinfo,
    issuer: str,
) -> tuple[EventView, bytes]:
    """The printable check-in poster (PNG) of a poster-mode event, for its host.

    `souvenir_image` draws a credential's badge (OpenBadges.image); times are written in `tz`."""
    with ctx.reading() as session:
        found = hosted(session, ctx, actor, number)
        event, souvenir = EventView.of(found), CredentialRecord.of(found.souvenir)
    _check_printable(event)
    code = rules.make_code(signer, event.rules, ctx.clock())
    try:
        souvenir_png: bytes | None = souvenir_image(souvenir)
    except Exception:  # noqa: BLE001 - a poster without the souvenir's picture is still a poster
        souvenir_png = None
    return event, render_poster(PosterContent(
        event_name=event.name, checkin_url=urls.checkin(code), code=code,
        window=window_text(event.opens_at, event.closes_at, tz), location=event.location,
        souvenir_name=event.souvenir_name, souvenir_png=souvenir_png, issuer=issuer))


# -- the host check, for every event use case ----------------------------------------------------------


def require_host(ctx: Context, actor: str,
                 refusal: str = "Only event hosts can do that. Ask a program administrator to add you to the "
                                "hosts.") -> None:
    """Only hosts (and administrators) run events."""
    if not ctx.is_host(actor):
        raise NotAllowed(refusal)


def hosted(session: Session, ctx: Context, actor: str, number: int) -> Event:
    """Event `number`, for its host or an administrator; anyone else is refused."""
    require_host(ctx, actor)
    event = session.get(Event, number)
    if event is None:
        raise NotFound(f"There is no event #{number}. `/badges event list` shows yours.")
    if event.host != actor and not ctx.is_admin(actor):
        raise NotAllowed(f"Event #{number} is hosted by <@{event.host}>; only they (or an administrator) "
                         "can manage it.")
    return event
