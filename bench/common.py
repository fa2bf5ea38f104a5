"""Helpers shared by the benches in bench/: peak memory, fresh-process runs, throwaway databases,
statistics and plain-text tables. Standard library plus the project's own code; nothing to install.
"""
from __future__ import annotations

import json
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/, not the project root, on sys.path
    sys.path.insert(0, str(ROOT))

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MB = 1024 * 1024


# --------------------------------------------------------------------------- memory (resident set)


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_bytes() -> int | None:
    """The process's resident set size now (Linux), or None where /proc is not available."""
    kb = _status_kb("VmRSS")
    return None if kb is None else kb * 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS, so a later `peak_rss_bytes()`
    covers only what ran in between. Linux >= 4.0 (writing 5 to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes() -> int:
    """The process's peak resident set size: VmHWM where Linux has it, else getrusage's ru_maxrss
    (the peak since the process started; kilobytes on Linux, bytes on macOS)."""
    kb = _status_kb("VmHWM")
    if kb is not None:
        return kb * 1024
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024


# --------------------------------------------------------------------------- fresh processes


class ChildFailed(RuntimeError):
    pass


def run_child(argv: Sequence[str], env: dict[str, str] | None = None, timeout: float = 900) -> dict[str, Any]:
    """Run `python argv...` in a fresh interpreter; it must print one JSON object as its last stdout
    line. Secrets (a database URL with a password) go through `env`, not argv, to stay out of `ps`."""
    completed = subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})}, cwd=ROOT,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise ChildFailed(f"{' '.join(argv)} exited with {completed.returncode}:\n{completed.stderr.strip()}")
    return json.loads(lines[-1])


# --------------------------------------------------------------------------- throwaway databases


@contextmanager
def sqlite_database(name: str = "bench.sqlite3") -> Iterator[str]:
    """A SQLite URL for a file in a new temporary directory, deleted afterwards (with its WAL)."""
    directory = tempfile.mkdtemp(prefix="badgebot-bench-")
    try:
        yield f"sqlite:///{Path(directory) / name}"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def postgres_url_for_schema(url: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    return (make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False))


@contextmanager
def postgres_schema(admin_url: str, prefix: str = "bbbench") -> Iterator[str]:
    """A new, empty PostgreSQL schema; yields a URL whose search_path is that schema. Dropped
    (CASCADE) on the way out, even on error or Ctrl-C."""
    from sqlalchemy import text

    from bot.adapters.db import make_engine

    schema = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(admin_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield postgres_url_for_schema(admin_url, schema)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Stats:
    median: float
    min: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> "Stats":
        return cls(statistics.median(values), min(values), max(values))


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 100 else f"{seconds:.1f} s"


def fmt_mb(n_bytes: float | None) -> str:
    return "n/a" if n_bytes is None else f"{n_bytes / MB:.0f} MB"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def analyze(engine: Any, postgres: bool, tables: str = "") -> None:
    """Fresh planner statistics after a bulk load. PostgreSQL also VACUUMs: a live table has been
    autovacuumed, so index-only scans see a visibility map."""
    from sqlalchemy import text  # noqa: PLC0415 - as the helpers above: only benches that load a database need it

    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM (ANALYZE) {tables}".strip()))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
