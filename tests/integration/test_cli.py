"""The administrators' command line, run as they run it (environment in, text out, exit codes)."""
from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from bot.usecases.progress import learner_progress
from handlers.cli.main import main
from tests.helpers import earn

BROKEN = """
[issuer]
name = "Test U"
url = "https://test.example.edu"
email = "badges@test.example.edu"

[roles]
admins = ["U0ADMIN001"]

[[credentials]]
id = "sql"
type = "badge_level_1"
name = "SQL"
description = "d"
criteria = "c"

[[credentials]]
id = "cert"
type = "certificate_practiced"
name = "Cert"
description = "d"
criteria = "c"
requires = ["sql", "missing-badge"]
"""


@pytest.fixture
def env(monkeypatch, tmp_path, badgebot):
    """Point the CLI at the test's database, as an administrator's environment would."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", badgebot.settings.effective_database_url)
    monkeypatch.setenv("BADGEBOT_DATA_DIR", str(tmp_path / "data"))
    return badgebot


def test_catalog_check_lists_every_problem(tmp_path, capsys):
    path = tmp_path / "catalog.toml"
    path.write_text(BROKEN)
    assert main(["catalog", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: 3 problems" in err
    # A missing field points at its entry's [[credentials]] line; a wrong value at its column.
    assert f"{path}:10:1: credential 'sql', field 'grantors'" in err
    assert f"{path}:10:1: credential 'sql', field 'review_channel'" in err
    assert f"{path}:23:20: credential 'cert', field 'requires': unknown credential 'missing-badge'" in err


def test_catalog_check_accepts_the_example(capsys):
    assert main(["catalog", "check", "config/catalog.example.toml"]) == 0
    assert "ok (14 credentials)" in capsys.readouterr().out


def test_the_console_script_is_installed_and_exits_non_zero_on_errors(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text(BROKEN)
    done = subprocess.run([sys.executable, "-m", "handlers.cli.main", "catalog", "check", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "missing-badge" in done.stderr


def test_db_upgrade_is_repeatable(env, capsys):
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0
    from bot.adapters import migrate

    head = migrate.head_revision(env.engine)
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"database at revision {head}"


def test_awards_export_is_one_row_per_award(env, capsys):
    earn(env.ctx, "U0LEARN001", "sql-basics")
    earn(env.ctx, "U0LEARN002", "sql-analytics-professional")
    assert main(["awards", "export"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["learner_slack_id"], r["credential_id"], r["type"]) for r in rows] == [
        ("U0LEARN001", "sql-basics", "badge_level_1"),
        ("U0LEARN002", "sql-analytics-professional", "badge_level_2"),
    ]
    assert rows[1]["expires"] == "2029-03-02" and rows[0]["expires"] == ""
    assert rows[0]["issued"] == "2026-03-02" and len(rows[0]["public_id"]) == 16


def test_revoke_and_learner_show(env, capsys):
    earn(env.ctx, "U0LEARN001", "sql-basics")
    public_id = learner_progress(env.ctx, "U0LEARN001").holdings[0].public_id
    assert main(["learner", "show", "U0LEARN001"]) == 0
    out = capsys.readouterr().out
    assert "sql-basics" in out and "data-analytics-practiced" in out and "1/3" in out
    with pytest.raises(SystemExit):  # argparse: --reason is required
        main(["awards", "revoke", public_id])
    assert main(["awards", "revoke", public_id, "--reason", "Duplicate record"]) == 0
    assert main(["awards", "revoke", public_id, "--reason", "again"]) == 1
    assert "already revoked" in capsys.readouterr().err
    assert main(["learner", "show", "U0NOBODY01"]) == 1


def test_bad_settings_are_one_line_each(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "oracle://db")
    assert main(["db", "upgrade"]) == 1
    assert "DATABASE_URL: unsupported database 'oracle'" in capsys.readouterr().err


def test_export_neutralizes_spreadsheet_formulas_in_names(env, capsys):
    from bot.usecases.context import ensure_learner

    with env.ctx.transaction() as session:
        ensure_learner(session, "U0LEARN001", "=HYPERLINK(\"http://evil\")")
    earn(env.ctx, "U0LEARN001", "sql-basics")
    assert main(["awards", "export"]) == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["learner_name"].startswith("'=")
