"""The live catalog: an approved change is in force at once, without a restart or a file edit, and
a restart with the old file neither loses nor alters it."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.errors import InvalidInput, NotFound
from bot.usecases.catalog import load_catalog
from bot.usecases.live_catalog import LiveCatalog, record_approved_change
from bot.usecases.submissions import submit
from config.catalog import check_credential
from config.settings import load_settings
from handlers.bootstrap import bootstrap
from models import AuditEntry, CatalogChange, Credential
from tests.helpers import artifact

NEW_BADGE = {
    "id": "python-foundations",
    "type": "badge_level_1",
    "name": "Python Foundations",
    "description": "Writes small Python programs that read, transform and summarize data.",
    "criteria": "Submit a notebook that loads the given CSV, cleans it and prints three summaries.",
    "skills": ["Python", "data cleaning"],
    "grantors": ["U0GRANT001"],
    "review_channel": "C0REVIEWS1",
    "issuer": "computing",
    "review_every": "1y",
    "alignment": [{"framework": "O*NET", "code": "15-2051.00", "name": "Data Scientists",
                   "url": "https://www.onetonline.org/link/summary/15-2051.00"}],
}


def approvals(at: dt.datetime) -> list[dict[str, str]]:
    return [{"stage": stage, "user": user, "at": (at + dt.timedelta(hours=i)).isoformat()}
            for i, (stage, user) in enumerate((("career services", "U0CAREER01"), ("unit leader", "U0LEADER01"),
                                               ("committee", "U0COMMIT01")))]


def approve(ctx, action: str, credential: dict, proposal_id: int | None = None) -> CatalogChange:
    with ctx.transaction() as session:
        change = record_approved_change(session, ctx.clock(), action=action, credential=credential,
                                        proposal_id=proposal_id, approvals=approvals(ctx.clock()))
        session.expunge(change)
    return change


def offered(ctx, slug: str) -> bool:
    with ctx.reading() as session:
        row = session.scalar(select(Credential).where(Credential.slug == slug))
        return row is not None and row.retired_at is None


def test_an_approved_credential_is_live_at_once_and_submittable(badgebot, ctx):
    assert badgebot.catalog.get("python-foundations") is None
    approve(ctx, "add", NEW_BADGE, proposal_id=7)

    spec = badgebot.catalog.get("python-foundations")  # the same bot: no restart, no reload
    assert spec is not None and spec.name == "Python Foundations" and spec.grantors == ("U0GRANT001",)
    assert badgebot.intake.catalog.get("python-foundations") == spec
    assert badgebot.open_badges.catalog.issuer_of(spec).id == "computing"
    submission = submit(ctx, "U0LEARN001", "python-foundations", [artifact()])
    assert (submission.credential, submission.created) == ("python-foundations", True)


def test_the_approved_table_is_one_the_catalog_accepts(catalog):
    assert check_credential(NEW_BADGE, catalog)[1] == []


def test_every_approval_is_in_the_audit_log_with_its_stage(ctx):
    change = approve(ctx, "add", NEW_BADGE, proposal_id=7)
    with ctx.reading() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ["credential.added", "credential.approved"])).order_by(AuditEntry.id)).all()
        mine = [e for e in entries if e.detail.get("change") == change.id]
    assert [(e.action, e.actor, e.detail.get("stage")) for e in mine] == [
        ("credential.added", "U0COMMIT01", None),
        ("credential.approved", "U0CAREER01", "career services"),
        ("credential.approved", "U0LEADER01", "unit leader"),
        ("credential.approved", "U0COMMIT01", "committee"),
    ]


def test_a_replayed_final_approval_records_the_change_once(ctx):
    first = approve(ctx, "add", NEW_BADGE, proposal_id=7)
    again = approve(ctx, "add", NEW_BADGE, proposal_id=7)
    assert again.id == first.id
    with ctx.reading() as session:
        assert len(session.scalars(select(CatalogChange)).all()) == 1


def test_adding_a_credential_already_offered_or_changing_a_missing_one_is_refused(ctx):
    with pytest.raises(InvalidInput, match="already has a credential 'sql-basics'"):
        approve(ctx, "add", NEW_BADGE | {"id": "sql-basics"})
    with pytest.raises(NotFound, match="no credential 'python-foundations'"):
        approve(ctx, "change", NEW_BADGE)
    with ctx.reading() as session:
        assert session.scalars(select(CatalogChange)).all() == []


def test_a_restart_with_the_original_file_keeps_what_was_approved(badgebot, ctx, catalog, clock):
    approve(ctx, "add", NEW_BADGE, proposal_id=1)
    clock.advance(days=1)
    retired = next(c for c in catalog.credentials if c.id == "business-writing")
    approve(ctx, "retire", {"id": retired.id, "type": retired.type.value, "name": retired.name,
                            "description": retired.description, "criteria": retired.criteria}, proposal_id=2)
    approve(ctx, "change", {**NEW_BADGE, "name": "Python for Data"}, proposal_id=3)

    clock.advance(days=1)
    changes = load_catalog(ctx, catalog, "test")  # what every start does, with the file as it was
    assert not changes.changed and changes.conflicts == []
    assert offered(ctx, "python-foundations") and not offered(ctx, "business-writing")
    badgebot.catalog.refresh(force=True)
    assert badgebot.catalog.get("python-foundations").name == "Python for Data"
    assert badgebot.catalog.get("business-writing") is None
    with pytest.raises(NotFound):
        submit(ctx, "U0LEARN002", "business-writing", [artifact()])


def test_a_second_replica_sees_the_change_without_a_restart(badgebot, ctx, database_url, catalog, clock, directory,
                                                            tmp_path):
    settings = load_settings(database_url=database_url, data_dir=tmp_path / "replica-b",
                             public_url="https://badges.test.example.edu")
    with bootstrap(settings, clock=clock, directory=directory, catalog=catalog) as other:
        other.load_catalog("test")  # what its start does
        assert other.catalog.get("python-foundations") is None
        assert other.web.test_client().get("/achievements/python-foundations").status_code == 404

        approve(ctx, "add", NEW_BADGE, proposal_id=11)
        assert badgebot.catalog.get("python-foundations") is not None  # the recording replica: at once
        # The other looks again within its interval (a second): wait for it, bounded.
        deadline = time.monotonic() + 10
        while other.catalog.get("python-foundations") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert other.catalog.get("python-foundations").name == "Python Foundations"
        page = other.web.test_client().get("/achievements/python-foundations", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Python Foundations" in page.get_data(as_text=True)


class Counted:
    """The bot's read transactions, counted, on a clock the test moves (seconds, as time.monotonic)."""

    def __init__(self, ctx):
        self.ctx, self.reads, self.now = ctx, 0, 100.0

    def reading(self):
        self.reads += 1
        return self.ctx.reading()


def test_the_live_catalog_asks_the_database_at_most_once_a_second(ctx, catalog, engine):
    db = Counted(ctx)
    live = LiveCatalog(catalog, db.reading, monotonic=lambda: db.now).watch(ctx.sessions)
    for _ in range(100):
        assert live.get("sql-basics") is not None and live.credentials
    assert db.reads == 1

    # Another replica approves (its own sessions, not ours): seen once the second has passed.
    with sessionmaker(engine).begin() as session:
        record_approved_change(session, ctx.clock(), action="add", credential=NEW_BADGE, proposal_id=None,
                               approvals=[])
    db.now += 0.5
    assert live.get("python-foundations") is None and db.reads == 1
    db.now += 0.5
    assert live.get("python-foundations") is not None and db.reads == 2


def test_a_change_committed_here_is_seen_at_once(ctx, catalog):
    db = Counted(ctx)
    live = LiveCatalog(catalog, db.reading, monotonic=lambda: db.now).watch(ctx.sessions)
    assert live.get("python-foundations") is None
    approve(ctx, "add", NEW_BADGE)
    assert live.get("python-foundations") is not None  # the clock has not moved
    reads = db.reads
    with pytest.raises(RuntimeError), ctx.transaction() as session:  # a change rolled back: nothing to look for
        record_approved_change(session, ctx.clock(), action="add", proposal_id=None, approvals=[],
                               credential=NEW_BADGE | {"id": "python-advanced", "name": "Python Advanced"})
        raise RuntimeError("the caller's transaction fails after recording")
    assert live.get("python-advanced") is None and db.reads == reads
