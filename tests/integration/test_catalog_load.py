"""Loading the catalog into the database: idempotent, and history is never deleted."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.errors import NotFound
from bot.usecases.catalog import load_catalog
from bot.usecases.progress import learner_progress
from bot.usecases.submissions import submit
from models import AuditEntry, Credential
from tests.helpers import artifact, earn


def test_loading_twice_changes_nothing(ctx, catalog):
    changes = load_catalog(ctx, catalog, "test")  # the ctx fixture loaded it once already
    assert not changes.changed and changes.unchanged == len(catalog.credentials)
    with ctx.transaction() as session:
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "credential.added")).all()) == len(
            catalog.credentials)


def test_a_removed_credential_is_retired_and_its_awards_stay_valid(ctx, catalog, clock):
    earn(ctx, "U0LEARN001", "business-writing")
    smaller = replace(catalog, credentials=tuple(c for c in catalog.credentials if c.id != "business-writing"
                                                  and c.id != "professional-communication-practiced"))
    clock.advance(days=1)
    changes = load_catalog(ctx, smaller, "test")
    assert sorted(changes.retired) == ["business-writing", "professional-communication-practiced"]
    assert learner_progress(ctx, "U0LEARN001").holds("business-writing")
    with pytest.raises(NotFound):
        submit(ctx, "U0LEARN002", "business-writing", [artifact()])

    restored = load_catalog(ctx, catalog, "test")
    assert sorted(restored.restored) == ["business-writing", "professional-communication-practiced"]
    with ctx.transaction() as session:
        assert session.scalars(select(Credential).where(Credential.slug == "business-writing")).one().retired_at is None


def test_edits_and_changed_stacks_are_applied(ctx, catalog):
    edited = tuple(
        replace(c, name="SQL Fundamentals") if c.id == "sql-basics"
        else replace(c, requires=("sql-basics", "spreadsheet-fundamentals")) if c.id == "data-analytics-practiced"
        else c
        for c in catalog.credentials
    )
    changes = load_catalog(ctx, replace(catalog, credentials=edited), "test")
    assert sorted(changes.updated) == ["data-analytics-practiced", "sql-basics"]
    with ctx.transaction() as session:
        certificate = session.scalars(select(Credential).where(Credential.slug == "data-analytics-practiced")).one()
        assert certificate.required_slugs == ["spreadsheet-fundamentals", "sql-basics"]
    earn(ctx, "U0LEARN001", "sql-basics")
    assert earn(ctx, "U0LEARN001", "spreadsheet-fundamentals").awarded[-1] == "data-analytics-practiced"
