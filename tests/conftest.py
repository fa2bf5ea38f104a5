"""Test fixtures. Every database test runs twice: on SQLite (the embedded default) and on
PostgreSQL (production), each in its own throwaway schema, migrated with the real migrations.

PostgreSQL comes from BADGEBOT_TEST_POSTGRES (default: the machine's server at 127.0.0.1:5432,
database `test`). A missing server fails the run rather than skipping half the suite; set
BADGEBOT_TEST_DATABASES=sqlite to run on SQLite only, on purpose.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bot.adapters import migrate
from handlers.bootstrap import Badgebot, bootstrap
from bot.clock import FixedClock
from bot.adapters.db import make_engine
from bot.adapters.directory import StaticDirectory
from bot.usecases.context import Context
from config.catalog import Catalog, load_catalog
from config.settings import EXAMPLE_CATALOG, load_settings
from models import Base

ROOT = Path(__file__).resolve().parent.parent
STANDARDS = ROOT.parent / "shared" / "standards"
POSTGRES = os.environ.get("BADGEBOT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASES = os.environ.get("BADGEBOT_TEST_DATABASES", "sqlite,postgresql").split(",")

# A Monday morning, well inside any program's working hours.
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


def standards(*parts: str) -> Path:
    """A file from ../shared/standards, skipping (with the reason) only where the folder is absent."""
    if not STANDARDS.is_dir():
        pytest.skip(f"third-party standards not found at {STANDARDS} (a clone outside the workspace)")
    return STANDARDS.joinpath(*parts)


def _postgres_url_for_schema(schema: str) -> str:
    url = make_url(POSTGRES)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database for this test session, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'badgebot.sqlite3'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url
        return
    schema = f"bbtest_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(POSTGRES)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means the same thing here
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES} ({exc.__class__.__name__}); start it, "
                    "or set BADGEBOT_TEST_DATABASES=sqlite to test SQLite alone", pytrace=False)
    url = _postgres_url_for_schema(schema)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    # Each test starts from empty tables; the schema (and its migration) is shared.
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def backend(engine: Engine) -> str:
    return engine.dialect.name


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(EXAMPLE_CATALOG)


@pytest.fixture
def directory() -> StaticDirectory:
    return StaticDirectory({"S0FACULTY1": {"U0GRANT001", "U0GRANT009"}})


@pytest.fixture
def badgebot(database_url: str, engine: Engine, clock: FixedClock, directory: StaticDirectory, catalog: Catalog,
             tmp_path: Path) -> Iterator[Badgebot]:
    """The whole bot, built by the composition root (as in production) on this test's database and a
    fresh data dir, with the clock and the user-group directory faked."""
    settings = load_settings(database_url=database_url, data_dir=tmp_path / "data",
                             public_url="https://badges.test.example.edu")
    app = bootstrap(settings, clock=clock, directory=directory, catalog=catalog)
    app.load_catalog("test")
    yield app
    app.close()


@pytest.fixture
def ctx(badgebot: Badgebot) -> Context:
    """The use-case context of the bootstrapped bot, on a database holding the example catalog."""
    return badgebot.ctx
