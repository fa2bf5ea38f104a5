"""bench/live_catalog.py: what the live catalog costs the requests that read it (issue 13, part 4).

The running bot reads its catalog through a LiveCatalog (bot/usecases/live_catalog.py) instead of a
fixed Catalog: every read checks a monotonic clock, and at most once a second one indexed query asks
the database for the latest approved change id; only when it moved is the snapshot rebuilt. Measured,
against the plain Catalog as the baseline, on a database holding `--changes` approved changes:

  * one `get(slug)` and one `/badges catalog` listing (`search_catalog(catalog, "")`), plain vs live;
  * the once-a-second check (MAX of catalog_changes' primary key), on its own;
  * a full rebuild (every approved change applied over the file), which happens once per new change.

The check-in path reads no catalog at all (bot/usecases/campus_events/checkin.py), so it pays nothing.

    python bench/live_catalog.py [--db sqlite|postgresql|both] [--changes 200] [--reads 200000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import common
from common import DEFAULT_POSTGRES, postgres_schema, sqlite_database, table

from bot.usecases.catalog import search_catalog
from bot.usecases.live_catalog import latest_change_id, record_approved_change
from config.catalog import load_catalog
from config.settings import EXAMPLE_CATALOG, load_settings
from handlers.bootstrap import bootstrap


def per_call(fn: Callable[[], object], n: int) -> float:
    """Median over 5 rounds of the seconds one call takes."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        rounds.append((time.perf_counter() - start) / n)
    return statistics.median(rounds)


def table_of(i: int) -> dict[str, object]:
    return {"id": f"bench-badge-{i:04d}", "type": "badge_level_1", "name": f"Bench Badge {i}",
            "description": "A badge made by the bench.", "criteria": "Submit anything.",
            "grantors": ["U0GRANT001"], "review_channel": "C0REVIEWS1", "issuer": "computing"}


def measure(url: str, changes: int, reads: int) -> list[list[str]]:
    catalog = load_catalog(EXAMPLE_CATALOG)
    with tempfile.TemporaryDirectory(prefix="badgebot-bench-") as data:
        settings = load_settings(database_url=url, data_dir=Path(data))
        with bootstrap(settings, catalog=catalog) as bot:
            bot.upgrade_database()
            bot.load_catalog("bench")
            for i in range(changes):
                with bot.ctx.transaction() as session:
                    record_approved_change(session, bot.ctx.clock(), action="add", credential=table_of(i),
                                           proposal_id=None, approvals=[])
            live = bot.catalog
            live.refresh(force=True)
            plain = live.current
            assert len(plain.credentials) == len(catalog.credentials) + changes

            def check() -> int:
                with bot.ctx.reading() as session:
                    return latest_change_id(session)

            rows = []
            for label, fn_plain, fn_live, n in (
                ("get(slug)", lambda: plain.get("sql-basics"), lambda: live.get("sql-basics"), reads),
                ("/badges catalog listing", lambda: search_catalog(plain, ""), lambda: search_catalog(live, ""),
                 max(1, reads // 1000)),
            ):
                base, mine = per_call(fn_plain, n), per_call(fn_live, n)
                rows.append([label, f"{base * 1e6:.2f} µs", f"{mine * 1e6:.2f} µs", f"{mine / base:.2f}x"])
            rows.append(["check for a new change (once a second)", "-", f"{per_call(check, 200) * 1e6:.0f} µs", "-"])
            rows.append(["rebuild after a change", "-",
                         f"{per_call(lambda: live.refresh(force=True), 20) * 1e3:.2f} ms", "-"])
            return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--changes", type=int, default=200, help="approved changes in the database")
    parser.add_argument("--reads", type=int, default=200_000, help="get() calls per round")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES", DEFAULT_POSTGRES))
    args = parser.parse_args()
    assert common.ROOT
    for db in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        where = sqlite_database() if db == "sqlite" else postgres_schema(args.postgres_url)
        with where as url:
            rows = measure(url, args.changes, args.reads)
        print(f"\n{db}: {args.changes} approved changes; baseline: the plain Catalog")
        print(table(["read", "Catalog", "LiveCatalog", "ratio"], rows))


if __name__ == "__main__":
    main()
