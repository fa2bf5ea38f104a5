"""`/badges stats` and the weekly digest through the emulator: the figures, and the chart uploaded the way
Slack's files API wants it (files.getUploadURLExternal, the upload, files.completeUploadExternal)."""
from __future__ import annotations

import io

from PIL import Image

from bot.domain.scheduling import Cadence
from bot.usecases.reports.summary import queue_digest
from tests.helpers import earn

ADMIN, LEARNER, OFFICE = "U0ADMIN001", "U0LEARN001", "C0OFFICE01"
CAREERS_ADMIN = "U0GRANT003"  # Career Services' admin in the example catalog (and its grantor)
UPLOAD = ["files.getUploadURLExternal", "files.upload", "files.completeUploadExternal"]


def uploads(world) -> list[str]:
    return [c.method for c in world.emulator.calls() if c.method.startswith("files.")]


def png_of(world, message) -> Image.Image:
    stored = world.emulator.file(message.files[0]["id"])
    assert stored.mimetype == "image/png" and stored.complete
    return Image.open(io.BytesIO(stored.content))


def test_an_administrator_gets_the_figures_and_a_chart(world):
    earn(world.bot.ctx, LEARNER, "sql-basics")
    answer = world.slack.command(ADMIN, "stats")
    assert answer.status == 200
    assert "the figures and a chart arrive in your messages with me in a moment" in answer.body
    [posted] = world.settle(lambda: [m for m in world.dm(ADMIN) if m.files])
    assert "*Awards:* 1 (0 with distinction)" in posted.text
    assert "*Submissions:* 1, 100% approved so far" in posted.text
    assert png_of(world, posted).size[0] == 1000
    assert uploads(world)[:3] == UPLOAD


def test_a_learner_gets_a_plain_refusal_and_no_figures(world):
    earn(world.bot.ctx, LEARNER, "sql-basics")
    answer = world.slack.command(LEARNER, "stats")
    assert "Only program administrators and issuer admins can see the program's figures." in answer.body
    world.settle()
    assert not [m for m in world.dm(LEARNER) if m.files] and uploads(world) == []


def test_an_issuer_admin_gets_their_issuers_figures_only(world):
    earn(world.bot.ctx, LEARNER, "sql-basics")  # the College of Computing's
    earn(world.bot.ctx, "U0LEARN002", "business-writing")  # Career Services'
    earn(world.bot.ctx, "U0LEARN003", "business-writing")
    answer = world.slack.command(CAREERS_ADMIN, "stats")
    assert "the figures and a chart arrive in your messages with me in a moment" in answer.body
    [posted] = world.settle(lambda: [m for m in world.dm(CAREERS_ADMIN) if m.files])
    assert "Program figures for career-services" in posted.text
    assert "*Awards:* 2 (0 with distinction)" in posted.text  # not SQL Basics
    assert "*Submissions:* 2, 100% approved so far" in posted.text
    assert png_of(world, posted).size[0] == 1000


def test_bad_dates_get_a_specific_answer(world):
    assert "'yesterday' is not a date; write it as YYYY-MM-DD" in world.slack.command(ADMIN, "stats yesterday").body
    assert "at most two dates" in world.slack.command(ADMIN, "stats 2026-01-01 2026-02-01 2026-03-01").body


def test_the_weekly_digest_posts_once_per_period_to_the_office_channel(world):
    world.emulator.add_channel("program-office", id=OFFICE)
    earn(world.bot.ctx, LEARNER, "sql-basics")
    weekly = Cadence("0 8 * * mon", "UTC")
    first = queue_digest(world.bot.ctx, OFFICE, weekly, scheduled_by="host:1")
    again = queue_digest(world.bot.ctx, OFFICE, weekly, scheduled_by="host:2")
    assert first.queued == {"weekly_digest": 1} and again.already_ran
    [digest] = world.settle(lambda: [m for m in world.emulator.messages(OFFICE) if "Weekly program digest" in m.text])
    assert "*Time to decision:*" in str(digest.blocks)
    [chart] = world.settle(lambda: [m for m in world.emulator.messages(OFFICE, include_replies=True) if m.files])
    assert png_of(world, chart).size[0] == 1000
    assert queue_digest(world.bot.ctx, "", weekly, scheduled_by="host:1").total == 0  # no channel set: nothing
