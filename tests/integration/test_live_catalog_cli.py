"""`badgebot catalog export` writes the live catalog as a file that loads back to it, and `catalog check`
reports where a file and an approved change disagree."""
from __future__ import annotations

import re

from bot.usecases.catalog import load_catalog as load_into_db
from config.catalog import parse_catalog
from config.settings import EXAMPLE_CATALOG
from tests.integration.test_live_catalog import NEW_BADGE, approve


def test_export_without_changes_is_the_file_again(cli, catalog, tmp_path, capsys):
    out = tmp_path / "live.toml"
    assert cli(["catalog", "export", "--output", str(out)]) == 0
    assert parse_catalog(out.read_text(), out) == catalog
    assert cli(["catalog", "check", str(out)]) == 0
    assert f"{out}: ok (14 credentials)" in capsys.readouterr().out


def test_export_round_trips_the_live_catalog(cli, badgebot, ctx, catalog, tmp_path, capsys):
    approve(ctx, "add", NEW_BADGE, proposal_id=1)
    sql = next(c for c in catalog.credentials if c.id == "sql-basics")
    approve(ctx, "change", {"id": sql.id, "type": sql.type.value, "name": "SQL Fundamentals",
                            "description": sql.description, "criteria": sql.criteria, "skills": list(sql.skills),
                            "grantors": ["U0GRANT001", "U0GRANT002"], "review_channel": "C0REVIEWS1",
                            "approvals_required": 2}, proposal_id=2)
    badgebot.catalog.refresh(force=True)

    assert cli(["catalog", "export"]) == 0
    text = capsys.readouterr().out
    exported = parse_catalog(text)
    assert exported == badgebot.catalog.current
    assert exported.get("python-foundations").name == "Python Foundations"
    assert exported.get("sql-basics").approvals_required == 2 and not exported.get("sql-basics").distinction

    out = tmp_path / "live.toml"
    out.write_text(text)
    assert cli(["catalog", "check", str(out)]) == 0  # the exported file agrees with every approved change
    # Loaded as the new catalog file, it changes nothing in the database.
    assert not load_into_db(ctx, exported, "test").changed


def test_check_reports_a_file_that_changed_an_approved_credential(cli, ctx, catalog, tmp_path, capsys):
    sql = next(c for c in catalog.credentials if c.id == "sql-basics")
    approve(ctx, "change", {"id": sql.id, "type": sql.type.value, "name": "SQL Fundamentals",
                            "description": sql.description, "criteria": sql.criteria,
                            "grantors": list(sql.grantors), "review_channel": sql.review_channel}, proposal_id=9)
    # The original file knew nothing of the change: no conflict (the change is simply in force).
    assert cli(["catalog", "check", str(EXAMPLE_CATALOG)]) == 0

    # Someone edits the same credential in the file since: a conflict, at its id's line.
    text = EXAMPLE_CATALOG.read_text()
    edited = text.replace('name = "SQL Basics"', 'name = "Intro to SQL"')
    path = tmp_path / "catalog.toml"
    path.write_text(edited)
    line = next(i for i, row in enumerate(edited.splitlines(), 1) if row == 'id = "sql-basics"')
    assert cli(["catalog", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"{re.escape(str(path))}:{line}:1: credential 'sql-basics', field 'id': conflict: .*"
                     r"approved change #\d+ \(proposal 9\)", err), err

    # A start with that file keeps the approved change and says so.
    changes = load_into_db(ctx, parse_catalog(edited), "test")
    assert [c.slug for c in changes.conflicts] == ["sql-basics"] and not changes.changed
