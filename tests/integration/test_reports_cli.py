"""`badgebot report ...` as an administrator runs it: the same figures as the use cases, as text, CSV, JSON."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from bot.usecases.campus_events.checkin import award_at_event
from bot.usecases.campus_events.hosting import EventDraft, create_event
from handlers.cli.main import main
from tests.integration.test_reports import program  # noqa: F401 - the shared data set (a fixture)


@pytest.fixture
def env(monkeypatch, tmp_path, badgebot, program):  # noqa: F811 - the fixture imported above
    """The CLI pointed at the test's database, as an administrator's environment would be."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", badgebot.settings.effective_database_url)
    monkeypatch.setenv("BADGEBOT_DATA_DIR", str(tmp_path / "data"))
    return program


def test_csv_of_the_funnel_is_one_row_per_step(env, capsys):
    assert main(["report", "funnel", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["step"], r["submissions"]) for r in rows][:4] == [
        ("submitted", "8"), ("approved first time", "2"), ("changes requested", "2"), ("resubmitted", "1")]
    assert rows[0]["conversion"] == ""  # the first step has nothing to convert from


def test_json_carries_the_headline_and_every_table(env, capsys):
    assert main(["report", "awards", "--since", "2026-04-01", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["filter"] == {"since": "2026-04-01", "until": None, "issuer": None}
    assert doc["headline"]["awards"] == 2
    assert doc["tables"]["credential"]["rows"] == [
        {"credential": "data-viz-meetup", "name": "Data Visualization Meetup", "type": "Souvenir", "awards": 2,
         "with distinction": 0, "distinction share": 0.0}]


def test_the_table_format_reads_as_a_report(env, capsys):
    assert main(["report", "decisions"]) == 0
    out = capsys.readouterr().out
    # (The CLI runs on the system clock: only figures fixed in the past are checked, not open ages.)
    assert out.startswith("Time to decision (the start to today, every issuer)")
    assert "  decided within target  100%" in out
    assert "sql-basics                SQL Basics                2          6       9.2  100%" in out


def test_a_chosen_table_and_a_wrong_one(env, capsys):
    assert main(["report", "decisions", "--format", "csv", "--table", "grantor"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "U0GRANT001,4,2.5,5.1,1.0"
    assert main(["report", "decisions", "--format", "csv", "--table", "nope"]) == 1
    assert "The decisions report has no table 'nope'; it has: credential, grantor, histogram, open." in \
        capsys.readouterr().err


def test_bad_dates_and_issuers_are_one_line(env, capsys):
    assert main(["report", "awards", "--since", "last week"]) == 1
    assert capsys.readouterr().err.strip() == \
        "badgebot: 'last week' is not a date; write it as YYYY-MM-DD (e.g. 2026-09-01)."
    assert main(["report", "events", "--issuer", "law-school"]) == 1
    assert capsys.readouterr().err.strip() == \
        "badgebot: There is no issuer 'law-school'; the issuers are: university, computing, career-services."


def test_one_issuers_figures(env, capsys):
    assert main(["report", "awards", "--issuer", "computing", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["filter"]["issuer"] == "computing"
    assert doc["headline"]["awards"] == 3  # its badges; the souvenirs are the university's
    assert [row["issuer"] for row in doc["tables"]["issuer"]["rows"]] == ["computing"]


def test_csv_guards_names_against_spreadsheet_formulas(env, capsys):
    now = env.clock()
    event = create_event(env, "U0HOST0001", EventDraft(
        name='=HYPERLINK("http://evil")', souvenir="hackathon-2026", starts_at=now + dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1), opens_at=now))
    award_at_event(env, "U0HOST0001", event.id, [("U0LEARN009", None)])
    assert main(["report", "events", "--format", "csv"]) == 0
    names = [row["event"] for row in csv.DictReader(io.StringIO(capsys.readouterr().out))]
    assert "'=HYPERLINK(\"http://evil\")" in names
