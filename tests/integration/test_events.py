"""The campus-event use cases (hosting, check-in, attendance) on a real database (SQLite and PostgreSQL)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from bot.adapters.signing import Signer
from bot.domain import checkin as rules
from bot.domain.checkin import QrMode, Refusal
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.urls import PublicUrls
from bot.usecases.awards import award_souvenir
from bot.usecases.campus_events import attendance as attendance_uc
from bot.usecases.campus_events import checkin as checkin_uc
from bot.usecases.campus_events import hosting as hosting_uc
from bot.usecases.campus_events.checkin import CheckInRefused
from bot.usecases.campus_events.hosting import EventDraft
from bot.usecases.progress import learner_progress
from handlers.cli.main import main
from models import AuditEntry, Award, CheckIn, Event, OutboxMessage
from tests.helpers import overlapping, run_together

HOST, OTHER_HOST, ADMIN, LEARNER, OUTSIDER = "U0HOST0001", "U0HOST0002", "U0ADMIN001", "U0LEARN001", "U0OUTSIDE1"
SIGNER = Signer(b"s" * 32)
UTC = dt.timezone.utc
URLS = PublicUrls.of("https://badges.test.example.edu")
# What hosting.poster takes from the running bot; a poster draws even without the souvenir's image.
POSTER_PARTS = {"souvenir_image": lambda credential: b"", "urls": URLS, "tz": UTC, "issuer": "Test University"}


def draft(clock, **changes) -> EventDraft:
    """An event starting 15 minutes from the clock, check-in open from now for two hours."""
    now = clock()
    values = {"name": "Data Viz Meetup", "souvenir": "data-viz-meetup", "starts_at": now + dt.timedelta(minutes=15),
              "ends_at": now + dt.timedelta(hours=2), "opens_at": now}
    return EventDraft(**(values | changes))


def code_now(ctx, event) -> str:
    return rules.make_code(SIGNER, event.rules, ctx.clock())


def refusal(call: Callable[[], object]) -> CheckInRefused:
    with pytest.raises(CheckInRefused) as caught:
        call()
    return caught.value


def held(ctx, learner: str = LEARNER) -> list[str]:
    return sorted(h.credential for h in learner_progress(ctx, learner).holdings)


def count_rows(ctx, model, **where) -> int:
    with ctx.transaction() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query)


# -- hosts ------------------------------------------------------------------------------------------


def test_a_host_picks_the_souvenir_from_the_catalog_s_souvenirs(ctx):
    choices = hosting_uc.souvenir_choices(ctx, HOST)
    assert ("data-viz-meetup", "Data Visualization Meetup") in choices
    assert "sql-basics" not in {slug for slug, _ in choices}  # a badge, not a souvenir


def test_a_host_creates_an_event_with_an_unguessable_link(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock, location="Library 204", capacity=40))
    assert (created.host, created.souvenir, created.capacity, created.qr_mode) == (HOST, "data-viz-meetup", 40,
                                                                                   QrMode.ROTATING)
    assert len(created.public_id) >= 16 and created.checkin_count == 0
    assert created.state_at(clock()) == "open"
    assert [e.id for e in hosting_uc.list_events(ctx, HOST)] == [created.id]
    assert count_rows(ctx, AuditEntry, action="event.created") == 1


def test_check_in_opens_fifteen_minutes_before_the_start_by_default(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock, opens_at=None, closes_at=None))
    assert created.opens_at == created.starts_at - dt.timedelta(minutes=15)
    assert created.closes_at == created.ends_at


def test_non_hosts_cannot_create_or_manage_events(ctx, clock):
    with pytest.raises(NotAllowed, match="Only event hosts"):
        hosting_uc.create_event(ctx, LEARNER, draft(clock))
    created = hosting_uc.create_event(ctx, HOST, draft(clock))
    for call in (lambda: hosting_uc.event_for_host(ctx, LEARNER, created.id),
                 lambda: hosting_uc.close_event(ctx, LEARNER, created.id),
                 lambda: hosting_uc.list_events(ctx, LEARNER),
                 lambda: hosting_uc.souvenir_choices(ctx, LEARNER),
                 lambda: hosting_uc.poster_event(ctx, LEARNER, created.id),
                 lambda: hosting_uc.poster(ctx, SIGNER, LEARNER, created.id, **POSTER_PARTS),
                 lambda: checkin_uc.award_at_event(ctx, LEARNER, created.id, [(LEARNER, None)])):
        with pytest.raises(NotAllowed):
            call()
    assert hosting_uc.event_for_host(ctx, ADMIN, created.id).id == created.id  # administrators may
    with pytest.raises(NotFound):
        hosting_uc.event_for_host(ctx, HOST, created.id + 100)


def test_events_award_souvenirs_only_and_need_sane_times(ctx, clock):
    with pytest.raises(InvalidInput, match="not a souvenir") as caught:
        hosting_uc.create_event(ctx, HOST, draft(clock, souvenir="sql-basics"))
    assert caught.value.field == "souvenir"
    with pytest.raises(InvalidInput) as caught:
        hosting_uc.create_event(ctx, HOST, draft(clock, ends_at=clock() - dt.timedelta(hours=1)))
    assert caught.value.field == "ends"
    with pytest.raises(InvalidInput) as caught:
        hosting_uc.create_event(ctx, HOST, draft(clock, name="   "))
    assert caught.value.field == "name"
    with pytest.raises(NotAllowed, match="another host"):
        hosting_uc.create_event(ctx, HOST, draft(clock, host="U0SOMEONE1"))
    assert hosting_uc.create_event(ctx, ADMIN, draft(clock, host=HOST)).host == HOST


# -- checking in ------------------------------------------------------------------------------------


def test_a_learner_checks_in_once_and_holds_the_souvenir(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock))
    code = code_now(ctx, created)
    result = checkin_uc.check_in(ctx, SIGNER, code, LEARNER, "Ana")
    assert (result.new, result.awarded, result.checkin_count, result.souvenir) == (True, True, 1, "data-viz-meetup")
    assert held(ctx) == ["data-viz-meetup"]
    with ctx.transaction() as session:
        award = session.scalars(select(Award)).one()
        assert (award.event_id, award.issued_by) == (created.id, HOST)
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "award")) == 1

    clock.advance(minutes=4, seconds=12)
    again = checkin_uc.check_in(ctx, SIGNER, code_now(ctx, created), LEARNER)
    assert (again.new, again.awarded, again.checked_in_at) == (False, False, result.checked_in_at)
    assert f"already checked in at {result.checked_in_at:%H:%M}" in again.message()
    assert count_rows(ctx, CheckIn) == 1 and hosting_uc.event_for_host(ctx, HOST, created.id).checkin_count == 1


def test_a_code_good_when_its_request_reached_the_busy_server_is_good_and_no_longer(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock, period_seconds=30))
    clock.advance(seconds=(20 - clock().timestamp() % 30) % 30)  # 20 s into a period: 40 s of it and the next left
    code = code_now(ctx, created)
    arrived = clock()
    clock.advance(seconds=41)  # the code's period and its grace are over by the time a thread takes it up
    assert refusal(lambda: checkin_uc.preview_code(ctx, SIGNER, code)).refusal is Refusal.EXPIRED
    preview = checkin_uc.preview_code(ctx, SIGNER, code, user=LEARNER, received_at=arrived)
    assert preview.judged_at == arrived and preview.already is None
    result = checkin_uc.check_in(ctx, SIGNER, code, LEARNER, "Ana", scanned_at=preview.judged_at)
    assert result.new and hosting_uc.event_for_host(ctx, HOST, created.id).checkin_count == 1
    # An arrival the server does not vouch for (later than now, or longer ago than any request waits) is not one.
    for odd in (clock() + dt.timedelta(seconds=1), clock() - rules.MAX_SERVER_WAIT - dt.timedelta(seconds=1)):
        assert refusal(lambda odd=odd: checkin_uc.preview_code(ctx, SIGNER, code, received_at=odd)).refusal \
            is Refusal.EXPIRED
    # A code good now is judged now, whenever the request arrived.
    fresh = code_now(ctx, created)
    assert checkin_uc.preview_code(ctx, SIGNER, fresh, received_at=arrived).judged_at == clock()


def test_a_learner_who_holds_the_souvenir_still_checks_in(ctx, clock):
    award_souvenir(ctx, HOST, "data-viz-meetup", [(LEARNER, "Ana")])
    created = hosting_uc.create_event(ctx, HOST, draft(clock))
    result = checkin_uc.check_in(ctx, SIGNER, code_now(ctx, created), LEARNER)
    assert (result.new, result.awarded) == (True, False)
    assert "already hold" in result.message()
    assert hosting_uc.event_for_host(ctx, HOST, created.id).checkin_count == 1


def test_refusals_say_which_rule(ctx, clock):
    here = hosting_uc.create_event(ctx, HOST, draft(clock, name="Here"))
    there = hosting_uc.create_event(ctx, HOST, draft(clock, name="There"))
    code = code_now(ctx, here)

    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert refusal(lambda: checkin_uc.check_in(ctx, SIGNER, tampered, LEARNER)).refusal is Refusal.FORGED
    assert refusal(lambda: checkin_uc.check_in(ctx, SIGNER, "not a code", LEARNER)).refusal is Refusal.FORGED
    assert refusal(lambda: checkin_uc.check_in(ctx, Signer(b"x" * 32), code, LEARNER)).refusal is Refusal.FORGED

    theirs = code_now(ctx, there)
    spliced = f"{rules.event_ref(here.id)}-{theirs.split('-')[1]}"
    other = refusal(lambda: checkin_uc.check_in(ctx, SIGNER, spliced, LEARNER))
    assert other.refusal is Refusal.OTHER_EVENT and "“There”" in str(other)

    clock.advance(seconds=61)
    expired = refusal(lambda: checkin_uc.check_in(ctx, SIGNER, code, LEARNER))
    assert expired.refusal is Refusal.EXPIRED and "expired" in str(expired)
    assert count_rows(ctx, CheckIn) == 0 and held(ctx) == []


def test_the_window_is_enforced(ctx, clock):
    later = hosting_uc.create_event(ctx, HOST, draft(clock, opens_at=clock() + dt.timedelta(minutes=10)))
    early = refusal(lambda: checkin_uc.check_in(ctx, SIGNER, code_now(ctx, later), LEARNER))
    assert early.refusal is Refusal.NOT_OPEN_YET and "opens at 09:10" in str(early)

    clock.advance(hours=3)
    code = code_now(ctx, later)
    closed = refusal(lambda: checkin_uc.check_in(ctx, SIGNER, code, LEARNER))
    assert closed.refusal is Refusal.WINDOW_CLOSED and "closed at 11:00" in str(closed)


def test_closing_an_event_ends_check_in(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock))
    code = code_now(ctx, created)
    hosting_uc.close_event(ctx, HOST, created.id)
    assert refusal(lambda: checkin_uc.check_in(ctx, SIGNER, code, LEARNER)).refusal is Refusal.EVENT_CLOSED
    assert hosting_uc.list_events(ctx, HOST) == [] and len(hosting_uc.list_events(ctx, HOST, include_over=True)) == 1


def test_a_poster_code_works_all_window_long(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock, qr_mode=QrMode.POSTER))
    _, code = hosting_uc.current_code(ctx, SIGNER, HOST, created.id)
    clock.advance(minutes=90)
    assert checkin_uc.check_in(ctx, SIGNER, code, LEARNER).new
    clock.advance(minutes=31)
    assert refusal(lambda: checkin_uc.check_in(ctx, SIGNER, code, "U0LEARN002")).refusal is Refusal.WINDOW_CLOSED


def test_a_poster_shows_the_code_that_checks_in_and_the_souvenir(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock, qr_mode=QrMode.POSTER))
    drawn = []

    def souvenir_image(credential) -> bytes:
        drawn.append(credential.slug)
        buffer = io.BytesIO()
        Image.new("RGBA", (600, 600), "#13294b").save(buffer, format="PNG")
        return buffer.getvalue()

    event, png = hosting_uc.poster(ctx, SIGNER, HOST, created.id, **(POSTER_PARTS | {"souvenir_image": souvenir_image}))
    assert event.id == created.id and drawn == ["data-viz-meetup"]
    [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert qr.text == URLS.checkin(hosting_uc.current_code(ctx, SIGNER, HOST, created.id)[1])
    assert checkin_uc.check_in(ctx, SIGNER, qr.text.rsplit("/", 1)[1], LEARNER).new


def test_a_rotating_event_has_no_poster(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock))
    for call in (lambda: hosting_uc.poster_event(ctx, HOST, created.id),
                 lambda: hosting_uc.poster(ctx, SIGNER, HOST, created.id, **POSTER_PARTS)):
        with pytest.raises(InvalidInput, match="rotating code"):
            call()
    printed = hosting_uc.create_event(ctx, HOST, draft(clock, qr_mode=QrMode.POSTER))
    assert hosting_uc.poster_event(ctx, HOST, printed.id).id == printed.id


def test_signing_in_may_take_a_few_minutes_but_not_more(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock))
    code, scanned = code_now(ctx, created), clock()
    clock.advance(minutes=4)
    assert checkin_uc.check_in(ctx, SIGNER, code, LEARNER, scanned_at=scanned).new
    clock.advance(minutes=7)
    late = refusal(lambda: checkin_uc.check_in(ctx, SIGNER, code, "U0LEARN002", scanned_at=scanned))
    assert late.refusal is Refusal.EXPIRED


def test_capacity_is_exact_when_everyone_arrives_at_once(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock, capacity=3))
    code = code_now(ctx, created)
    people = [f"U0CROWD{i:03d}" for i in range(8)]
    with overlapping(ctx, CheckIn, len(people), timeout=2):
        results = run_together(*[lambda p=p: checkin_uc.check_in(ctx, SIGNER, code, p) for p in people])
    admitted = [r for r in results if isinstance(r, checkin_uc.CheckInResult)]
    full = [r for r in results if isinstance(r, CheckInRefused) and r.refusal is Refusal.FULL]
    assert (len(admitted), len(full)) == (3, 5), results
    assert sorted(r.checkin_count for r in admitted) == [1, 2, 3]
    assert hosting_uc.event_for_host(ctx, HOST, created.id).checkin_count == 3
    assert count_rows(ctx, CheckIn) == 3 and count_rows(ctx, Award) == 3  # refused ones left nothing behind
    assert refusal(lambda: checkin_uc.preview_code(ctx, SIGNER, code)).refusal is Refusal.FULL


def test_two_phones_of_one_learner_check_in_once(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock))
    code = code_now(ctx, created)
    with overlapping(ctx, CheckIn, 2, timeout=2):
        results = run_together(lambda: checkin_uc.check_in(ctx, SIGNER, code, LEARNER),
                               lambda: checkin_uc.check_in(ctx, SIGNER, code, LEARNER))
    assert sorted(r.new for r in results) == [False, True], results
    assert count_rows(ctx, CheckIn) == 1 and count_rows(ctx, Award) == 1
    assert hosting_uc.event_for_host(ctx, HOST, created.id).checkin_count == 1


def test_hosts_award_by_hand_and_export_attendance(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock, capacity=1))
    checkin_uc.check_in(ctx, SIGNER, code_now(ctx, created), LEARNER, "Ana")
    clock.advance(minutes=5)
    result = checkin_uc.award_at_event(ctx, HOST, created.id, [(LEARNER, None), ("U0LEARN002", "=HYPERLINK(bo)")])
    assert (result.checked_in, result.already) == (["U0LEARN002"], [LEARNER])
    assert hosting_uc.event_for_host(ctx, HOST, created.id).checkin_count == 2  # the host's list may pass capacity
    assert held(ctx, "U0LEARN002") == ["data-viz-meetup"]

    event, people = attendance_uc.attendance(ctx, HOST, created.id)
    assert [(p.learner, p.method) for p in people] == [(LEARNER, "qr"), ("U0LEARN002", "bulk")]
    out = io.StringIO()
    assert attendance_uc.write_attendance_csv(event, people, out) == 2
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(attendance_uc.ATTENDANCE_COLUMNS)
    assert lines[1].startswith(f"{LEARNER},Ana,2026-03-02T09:00:00+00:00,2026-03-02 09:00:00,qr")
    assert "'=HYPERLINK(bo)" in lines[2]  # names go through the formula guard (tests/unit/test_spreadsheet.py)
    assert attendance_uc.attendance(ctx, None, public_id=created.public_id)[1] == people
    with pytest.raises(NotFound):
        attendance_uc.attendance(ctx, None, public_id="nope")


def test_the_door_screen_shows_a_code_only_while_check_in_is_open(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock, opens_at=clock() + dt.timedelta(minutes=1)))
    assert checkin_uc.display_state(ctx, SIGNER, created.public_id).state == "upcoming"
    assert checkin_uc.display_state(ctx, SIGNER, created.public_id).code is None
    clock.advance(minutes=1, seconds=5)
    first = checkin_uc.display_state(ctx, SIGNER, created.public_id)
    assert first.state == "open" and first.changes_at == clock() + dt.timedelta(seconds=25)
    assert checkin_uc.check_in(ctx, SIGNER, first.code, LEARNER).new
    clock.advance(seconds=30)
    second = checkin_uc.display_state(ctx, SIGNER, created.public_id)
    assert second.code != first.code and second.event.checkin_count == 1
    clock.advance(hours=3)
    assert checkin_uc.display_state(ctx, SIGNER, created.public_id).state == "over"
    with pytest.raises(NotFound):
        checkin_uc.display_state(ctx, SIGNER, "not-an-event")


def test_preview_names_the_event_before_sign_in(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock, location="Library 204"))
    code = code_now(ctx, created)
    preview = checkin_uc.preview_code(ctx, SIGNER, code.lower())
    assert (preview.code, preview.event_name, preview.souvenir_name, preview.location) == (
        code, "Data Viz Meetup", "Data Visualization Meetup", "Library 204")
    assert checkin_uc.checkin_status(ctx, created.id, LEARNER) is None
    checkin_uc.check_in(ctx, SIGNER, code, LEARNER)
    assert checkin_uc.checkin_status(ctx, created.id, LEARNER).checked_in_at == clock()


def test_events_are_stored_as_the_model_says(ctx, clock):
    created = hosting_uc.create_event(ctx, HOST, draft(clock, period_seconds=20, qr_mode=QrMode.POSTER))
    with ctx.transaction() as session:
        row = session.get(Event, created.id)
        assert (row.code_period_seconds, row.qr_mode, row.checkin_count) == (20, "poster", 0)


# -- the command line -------------------------------------------------------------------------------


def test_administrators_run_an_event_from_the_command_line(badgebot, clock, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", badgebot.settings.effective_database_url)
    monkeypatch.setenv("BADGEBOT_DATA_DIR", str(badgebot.settings.data_dir))
    monkeypatch.setenv("BADGEBOT_PUBLIC_URL", "https://badges.test.example.edu")
    create = ["event", "create", "--name", "Data Viz Meetup", "--host", HOST, "--starts", "2026-03-02T18:00",
              "--ends", "2026-03-02T20:00", "--location", "Library 204", "--capacity", "80", "--mode", "poster"]

    assert main([*create, "--souvenir", "sql-basics"]) == 1
    assert "not a souvenir" in capsys.readouterr().err
    assert main([*create, "--souvenir", "data-viz-meetup", "--ends", "2026-03-02T17:00"]) == 1
    assert "must end after it starts" in capsys.readouterr().err

    assert main([*create, "--souvenir", "data-viz-meetup"]) == 0
    out = capsys.readouterr().out
    number = int(re.search(r"^#(\d+) Data Viz Meetup$", out, re.MULTILINE).group(1))
    assert "check-in:   Mon 2 Mar, 17:45–20:00 (UTC)" in out  # 15 minutes before the start, by default
    assert "checked in: 0 of 80" in out and "QR code:    printed poster" in out
    public_id = hosting_uc.event_for_host(badgebot.ctx, HOST, number).public_id
    assert f"door screen (host only): https://badges.test.example.edu/events/{public_id}/display" in out
    assert re.search(rf"attendance \(host only\):  https://badges.test.example.edu/events/{public_id}/"
                     r"\d{4}-\d\d-\d\d/[\w-]+/attendance\.csv$", out, re.MULTILINE)  # the host's signed link

    # The poster's QR code opens a check-in that works during the window.
    assert main(["event", "poster", str(number), "-o", str(tmp_path / "poster.png")]) == 0
    capsys.readouterr()
    [qr] = zxingcpp.read_barcodes(Image.open(tmp_path / "poster.png"))
    assert qr.text.startswith("https://badges.test.example.edu/checkin/")
    clock.advance(hours=8, minutes=50)  # 17:50
    assert checkin_uc.check_in(badgebot.ctx, badgebot.signer, qr.text.rsplit("/", 1)[1], LEARNER, "Ana").new

    assert main(["event", "award", str(number), LEARNER, "U0LEARN002"]) == 0
    out = capsys.readouterr().out
    assert "checked in and awarded: U0LEARN002" in out and f"already checked in:     {LEARNER}" in out
    assert main(["event", "attendance", str(number)]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert [(r["learner_slack_id"], r["learner_name"], r["method"]) for r in rows] == [
        (LEARNER, "Ana", "qr"), ("U0LEARN002", "U0LEARN002", "bulk")]
    assert "2 check-ins" in captured.err
    assert main(["event", "list", "--all"]) == 0
    assert re.search(rf"^#{number}\s.*\s2 in  Data Viz Meetup$", capsys.readouterr().out, re.MULTILINE)
    assert main(["event", "close", str(number)]) == 0
    assert f"closed #{number} Data Viz Meetup: 2 checked in" in capsys.readouterr().out
    assert main(["event", "show", str(number + 1000)]) == 1
    assert f"There is no event #{number + 1000}" in capsys.readouterr().err
