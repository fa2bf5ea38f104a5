"""The composition root: builds every part of Badgebot from settings, and nothing else does.

Nothing in the project connects to a database, reads the environment or talks to Slack at import
time; entry points (CLI, web server, tests) call `build()` and use what it returns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters import migrate
from bot.clock import Clock, system_clock
from bot.adapters.db import (
    make_engine,
    make_read_session_factory,
    make_session_factory,
    writer_lock,
)
from bot.adapters.directory import Directory, StaticDirectory
from bot.usecases import catalog as catalog_usecases
from bot.usecases.context import SYSTEM_ACTOR, Context
from config.catalog import Catalog, load_catalog
from config.settings import Settings


@dataclass
class Badgebot:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalog: Catalog
    ctx: Context
    # Where people reach this bot's web pages: BADGEBOT_PUBLIC_URL, or the local server's address.
    public_url: str = "http://127.0.0.1:3000"
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def upgrade_database(self) -> tuple[str | None, str | None]:
        return migrate.upgrade(self.engine)

    def load_catalog(self, actor: str = SYSTEM_ACTOR) -> catalog_usecases.CatalogChanges:
        return catalog_usecases.load_catalog(self.ctx, self.catalog, actor)

    def close(self) -> None:
        self.engine.dispose()


def build(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    directory: Directory | None = None,
    catalog: Catalog | None = None,
) -> Badgebot:
    """Wire the engine, session factory and use-case context. Connects lazily (first use)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    sessions = make_session_factory(engine)
    catalog = catalog or load_catalog(settings.catalog)
    ctx = Context(sessions=sessions, clock=clock, directory=directory or StaticDirectory(), roles=catalog.roles,
                  read_sessions=make_read_session_factory(engine), write_lock=writer_lock(engine))
    return Badgebot(settings=settings, engine=engine, sessions=sessions, catalog=catalog, ctx=ctx,
                    public_url=(settings.public_url or "http://127.0.0.1:3000").rstrip("/"))
