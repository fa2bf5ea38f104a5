"""`badgebot catalog ...`: the catalog file and the live catalog.

    badgebot catalog check FILE          every problem at FILE:LINE:COL, and (when the database is
                                         reachable) each conflict with a change approved since
    badgebot catalog load [FILE]         the file into the database (idempotent; approved changes stay)
    badgebot catalog export [--output F] the live catalog (the file plus every approved change) as TOML
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.wording import plural
from bot.usecases.catalog import Conflict
from bot.usecases.catalog import load_catalog as load_into_db
from bot.usecases.context import CLI_ACTOR
from bot.usecases.live_catalog import catalog_in_force
from config.catalog import Catalog, Problem, check_catalog, load_catalog
from config.catalog_locations import Lines
from config.catalog_tables import dump_catalog
from config.settings import SettingsError, load_settings
from handlers.bootstrap import bootstrap
from handlers.cli.common import migrated, settings_for


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `catalog check|load|export` to the badgebot command line."""
    catalog = subparsers.add_parser("catalog", help="the credential catalog").add_subparsers(
        dest="catalog_command", required=True)
    check = catalog.add_parser("check", help="validate a catalog file and list every problem (and every conflict "
                                             "with an approved change, when the database is reachable)")
    check.add_argument("file", type=Path, help="the catalog file (TOML), e.g. config/catalog.example.toml")
    check.set_defaults(func=cmd_catalog_check)
    load = catalog.add_parser("load", help="load a catalog file into the database (idempotent)")
    load.add_argument("file", type=Path, nargs="?", help="the catalog file (default: BADGEBOT_CATALOG)")
    load.set_defaults(func=cmd_catalog_load)
    export = catalog.add_parser("export", help="the live catalog (BADGEBOT_CATALOG plus every approved change) "
                                               "as TOML")
    export.add_argument("--output", "-o", type=Path, help="write it to this file (default: standard output)")
    export.set_defaults(func=cmd_catalog_export)


def cmd_catalog_check(args: argparse.Namespace) -> int:
    problems = check_catalog(args.file)
    conflicts: list[Problem] = []
    note = ""
    if not problems:
        catalog = load_catalog(args.file)
        found = approved_conflicts(catalog)
        if found is None:
            note = "not compared with approved changes: no database to ask (DATABASE_URL)"
        else:
            conflicts = conflict_problems(found, catalog, args.file.read_text(encoding="utf-8"))
    problems = problems + conflicts
    if problems:
        print(f"{args.file}: {plural(len(problems), 'problem')}", file=sys.stderr)
        for problem in problems:
            print(f"  {problem.located(args.file)}", file=sys.stderr)
        return 1
    print(f"{args.file}: ok ({plural(len(catalog.credentials), 'credential')})")
    if note:
        print(f"{args.file}: {note}", file=sys.stderr)
    return 0


def approved_conflicts(catalog: Catalog) -> list[Conflict] | None:
    """The file's conflicts with the approved changes in the settings' database; None when there is no
    database to ask (not configured, not there, unreachable, or from before the live catalog)."""
    try:
        settings = load_settings()
    except SettingsError:
        return None
    url = make_url(settings.effective_database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
        return None  # checking a file must not create a database
    app = bootstrap(settings, catalog=catalog)
    try:
        with app.ctx.reading() as session:
            return catalog_in_force(session, catalog)[1]
    except SQLAlchemyError:
        return None
    finally:
        app.close()


def conflict_problems(conflicts: list[Conflict], catalog: Catalog, text: str) -> list[Problem]:
    """Each conflict as a problem at the credential's `id` in the file (the file's start for one the
    file no longer holds)."""
    lines = Lines(text)
    index = {spec.id: i for i, spec in enumerate(catalog.credentials)}
    return [Problem(f"credential '{c.slug}'", "id", f"conflict: {c}",
                    *((lines.of(index[c.slug], "id") if c.slug in index else None) or (1, 1)))
            for c in conflicts]


def cmd_catalog_load(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    catalog = load_catalog(args.file or settings.catalog)
    app, _ = migrated(settings, catalog=catalog)
    with app:
        changes = load_into_db(app.ctx, catalog, CLI_ACTOR)
    print(f"catalog loaded: {changes.summary()}")
    for label, slugs in (("added", changes.added), ("updated", changes.updated),
                         ("retired", changes.retired), ("restored", changes.restored)):
        for slug in slugs:
            print(f"  {label}: {slug}")
    for conflict in changes.conflicts:
        print(f"  conflict: {conflict}", file=sys.stderr)
    return 0


def cmd_catalog_export(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    app, _ = migrated(settings)
    with app, app.ctx.reading() as session:
        live, conflicts, latest = catalog_in_force(session, app.catalog.file)
    header = (f"The live catalog: {settings.catalog} with the changes approved since (up to change #{latest}),\n"
              "exported by `badgebot catalog export`. Check it with `badgebot catalog check FILE`.")
    text = dump_catalog(live, header)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"{args.output}: {plural(len(live.credentials), 'credential')} exported", file=sys.stderr)
    else:
        sys.stdout.write(text)
    for conflict in conflicts:
        print(f"badgebot: conflict: {conflict}", file=sys.stderr)
    return 0
