"""The live catalog: credential changes approved through governance, and periodic evaluations.

The catalog file stays the versionable record; these rows are what was approved since, applied
over the file in id order (bot/usecases/live_catalog.py). Their ids only grow, so "the latest
change id" tells every replica whether its catalog is current.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, intpk


class CatalogChange(Base):
    """One approved change to one credential: added, changed or retired."""

    __tablename__ = "catalog_changes"

    id: Mapped[intpk]
    action: Mapped[str] = mapped_column(String(16))  # "add" | "change" | "retire"
    slug: Mapped[str] = mapped_column(String(64), index=True)
    # The [[credentials]] table as the catalog file would hold it (for a retirement: as it was).
    credential: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The credential's catalog fields in the database just before the change (None: not offered),
    # and just after (None: retired): a file holding neither has changed it since, a conflict.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The governance proposal that was approved: at most one change each (a replayed final
    # approval records nothing twice). No foreign key: changes may also come from elsewhere.
    proposal_id: Mapped[int | None] = mapped_column(unique=True)
    # [{"stage": name, "user": id, "at": iso}, ...], in the order the stages approved.
    approvals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    approved_at: Mapped[dt.datetime]


class Evaluation(Base):
    """A periodic evaluation of one credential (its `review_every` came due): opened in the
    governance channel with the figures since the last one, decided keep / change / retire."""

    __tablename__ = "evaluations"
    __table_args__ = (
        # One evaluation per credential and due date: a second scheduler run opens nothing new.
        UniqueConstraint("credential_id", "due_at", name="uq_evaluations_credential_due"),
        Index("ix_evaluations_open", "decided_at"),
    )

    id: Mapped[intpk]
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id"))
    due_at: Mapped[dt.datetime]
    opened_at: Mapped[dt.datetime]
    # The period the figures cover: since the approval or the last evaluation, up to opening.
    since: Mapped[dt.datetime]
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The card in the governance channel (its thread holds the decision), once posted.
    channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    decision: Mapped[str | None] = mapped_column(String(16))  # "keep" | "change" | "retire"
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None]
