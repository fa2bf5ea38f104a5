"""Issue 16, the rough edges a new user meets in the CLI (2, 3, 7, 8, 9, 12, 18, 19, 20): each as the
user meets it, through `main([...])` or a real `badgebot` process, and what they expect instead."""
from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import load_settings
from handlers.bootstrap import bootstrap
from handlers.cli.main import build_parser, main
from handlers.sandbox.run import sandbox_database_url
from tests.conftest import ROOT
from tests.helpers import earn

CREATE = ["event", "create", "--name", "Welcome Week mixer", "--souvenir", "welcome-week-2026",
          "--starts", "2026-03-02T18:00", "--ends", "2026-03-02T20:00"]


def badgebot_process(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`badgebot ARGS` as a user runs it: its own process, only the environment given (no Slack)."""
    return subprocess.run([sys.executable, "-m", "handlers.cli.main", *args], check=False, capture_output=True,
                          text=True, timeout=120, cwd=cwd, env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **env})


@pytest.fixture
def fresh(monkeypatch, tmp_path, database_url, engine) -> Iterator[Path]:
    """An administrator's shell on a migrated database that nothing has used yet: no catalog loaded."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BADGEBOT_DATA_DIR", str(tmp_path / "data"))
    yield tmp_path


# -- 2: a busy port ----------------------------------------------------------------------------------


def test_serve_on_a_busy_port_says_so_in_one_line_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = badgebot_process("serve", "--port", str(port), cwd=tmp_path,
                                env={"BADGEBOT_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 1
    assert done.stderr == f"badgebot: 127.0.0.1:{port} is in use; try --port\n" and done.stdout == ""
    assert not (tmp_path / "data").exists()  # no database, no sandbox, no scheduler: nothing was started


# -- 3: an unreachable PostgreSQL --------------------------------------------------------------------


def test_an_unreachable_postgresql_is_one_line_naming_host_port_and_cause(tmp_path):
    with socket.socket() as closed:  # bound but not listening: connections to it are refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        done = badgebot_process("db", "upgrade", cwd=tmp_path, env={
            "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{port}/test",
            "BADGEBOT_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (f"badgebot: cannot connect to PostgreSQL at 127.0.0.1:{port} (DATABASE_URL): "
                           "Connection refused\n")


# -- 7: the sandbox's own database -------------------------------------------------------------------


def _sandbox_with_a_learner(data_dir: Path) -> None:
    """What `badgebot serve` without credentials leaves behind: its own SQLite database, with people."""
    settings = load_settings(data_dir=data_dir / "sandbox", database_url=sandbox_database_url(
        load_settings(data_dir=data_dir)))
    app = bootstrap(settings)
    try:
        app.upgrade_database()
        app.load_catalog("sandbox")
        earn(app.ctx, "U0LEARN001", "sql-basics")
    finally:
        app.close()


def test_learner_show_points_at_the_sandbox_and_reads_it_with_sandbox(fresh, capsys):
    assert main(["--sandbox", "learner", "show", "U0LEARN001"]) == 1
    assert "There is no sandbox in" in capsys.readouterr().err

    _sandbox_with_a_learner(fresh / "data")
    assert main(["learner", "show", "U0LEARN001"]) == 1
    err = capsys.readouterr().err.splitlines()[-1]  # after the note that the catalog was loaded
    assert err.startswith("badgebot: no learner U0LEARN001 in this database (no awards or submissions yet); "
                          "the sandbox keeps its own database (")
    assert "add --sandbox to look there" in err

    for argv in (["--sandbox", "learner", "show", "U0LEARN001"], ["learner", "show", "U0LEARN001", "--sandbox"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "sql-basics" in out and "holds 1 credential:" in out


# -- 8, 9, 20: events from the shell -----------------------------------------------------------------


def test_event_create_before_any_catalog_load_finds_the_souvenir(fresh, capsys):
    assert main([*CREATE, "--host", "U0HOST0001"]) == 0
    captured = capsys.readouterr()
    assert re.search(r"^#\d+ Welcome Week mixer$", captured.out, re.MULTILINE)
    assert "souvenir:   welcome-week-2026 (Welcome Week 2026)" in captured.out
    # It says it loaded the catalog, once: the second command finds nothing new to load.
    assert "loaded: 14 added" in captured.err
    assert main(["event", "list", "--all"]) == 0
    assert capsys.readouterr().err == "1 event\n"


def test_cli_errors_name_the_cli_command_not_the_slack_one(fresh, capsys):
    assert main(["event", "show", "999"]) == 1
    err = capsys.readouterr().err.splitlines()[-1]
    assert err == "badgebot: There is no event #999. `badgebot event list` shows yours."
    assert "/badges" not in err


@pytest.mark.parametrize(("host", "said"), [
    ("UNOTAHOST", ("badgebot: --host: UNOTAHOST is not an event host; hosts are named under [roles] hosts in "
                   "the catalog (")),
    ("U0LEARN001", "badgebot: --host: U0LEARN001 is not an event host"),
    ("somebody", "badgebot: --host: expected a Slack user id such as U012ABCDEF, got 'somebody'"),
])
def test_event_create_refuses_a_host_who_is_not_one(fresh, capsys, host, said):
    assert main([*CREATE, "--host", host]) == 1
    assert capsys.readouterr().err.splitlines()[-1].startswith(said)
    assert main(["event", "list", "--all"]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == "0 events"  # nothing was created


# -- 18: quiet logs ----------------------------------------------------------------------------------


def test_logs_are_quiet_by_default_and_verbose_on_request(tmp_path):
    env = {"BADGEBOT_DATA_DIR": str(tmp_path / "data")}
    quiet = badgebot_process("db", "upgrade", cwd=tmp_path, env=env)
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert re.fullmatch(r"database at revision \w+ \(was empty\)\n", quiet.stdout)
    (tmp_path / "data" / "badgebot.sqlite3").unlink()
    verbose = badgebot_process("-v", "db", "upgrade", cwd=tmp_path, env=env)
    assert verbose.returncode == 0 and "alembic.runtime.migration" in verbose.stderr


# -- 19: help ----------------------------------------------------------------------------------------


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser, str]]:
    """(command words, its parser, its help line) for every command and subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*path, name), sub, helps.get(name) or ""
                yield from _commands(sub, (*path, name))


def test_every_command_and_argument_has_help_worded_alike():
    for words, parser, text in _commands(build_parser()):
        # Lower case like the rest (an acronym such as CSV aside), no full stop (an ellipsis is not one).
        full_stop = text.endswith(".") and not text.endswith("...")
        assert text and (text[0].islower() or text.split()[0].isupper()) and not full_stop, (words, text)
        for action in parser._actions:
            if not action.option_strings and not isinstance(action, argparse._SubParsersAction):
                assert action.help, f"`badgebot {' '.join(words)}`: {action.dest} has no help"


def test_serve_help_shows_its_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "the address to listen on (default: 127.0.0.1)" in out
    assert "the port to listen on (default: 3000)" in out and "--verbose" in out


def test_the_readme_command_table_lists_every_command():
    table = (ROOT / "README.md").read_text().split("## Command line", 1)[1].split("\n## ", 1)[0]
    leaves = {words for words, parser, _ in _commands(build_parser())
              if not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)}
    for words in leaves:
        top, *rest = words
        # A row names the command: `badgebot jobs scheduler`, or beside its group (`/ jobs list`, create|list).
        assert re.search(rf"`(badgebot )?{top}( [^`]*)?`", table), f"{' '.join(words)} missing from the README"
        if rest:
            assert re.search(rf"`(badgebot )?{top} [^`]*\b{rest[0]}\b", table), \
                f"{' '.join(words)} missing from the README"
