"""Migrations: the schema they build is the models' schema, and upgrading twice is harmless."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.adapters import migrate
from models import Base


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": False}), Base.metadata)
    assert diff == [], "models changed without a migration: run `badgebot db revision -m ...`"


def test_upgrade_is_idempotent(engine):
    head = migrate.head_revision(engine)
    assert migrate.current_revision(engine) == head
    assert migrate.upgrade(engine) == (head, head)
