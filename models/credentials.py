"""The catalog as loaded into the database: credentials and the badges each certificate stacks."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.vocabulary import CredentialType
from models.base import Base, intpk, now_default


def enum_column(enum_cls: type, name: str) -> Enum:
    """A portable enum: VARCHAR plus CHECK, storing the values (not the Python names)."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class Credential(Base):
    __tablename__ = "credentials"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[CredentialType] = mapped_column(enum_column(CredentialType, "credential_type"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    image: Mapped[str | None] = mapped_column(String(500))
    # Badges only: who assesses, where, and how.
    grantors: Mapped[list[str]] = mapped_column(JSON, default=list)
    review_channel: Mapped[str | None] = mapped_column(String(32))
    approvals_required: Mapped[int] = mapped_column(default=1, server_default="1")
    distinction_allowed: Mapped[bool] = mapped_column(default=False, server_default=false())
    expires_after: Mapped[str | None] = mapped_column(String(16))
    # The program office: which issuer (an id of the catalog's issuers) answers for it, the skills
    # frameworks it aligns to ([{framework, code, name, url}]), and how often it is evaluated ("2y").
    issuer: Mapped[str] = mapped_column(String(64), default="university", server_default="university")
    alignment: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    review_every: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=now_default)
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=now_default)
    # Removed from the catalog file: no longer offered, but its awards stay valid.
    retired_at: Mapped[dt.datetime | None]

    requires: Mapped[list["CertificateRequirement"]] = relationship(
        foreign_keys="CertificateRequirement.certificate_id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def required_slugs(self) -> list[str]:
        return sorted(r.badge.slug for r in self.requires)

    def as_catalog_fields(self) -> dict[str, Any]:
        """The fields the catalog file controls, for change detection on reload."""
        return {
            "type": self.type,
            "name": self.name,
            "description": self.description,
            "criteria": self.criteria,
            "skills": list(self.skills or []),
            "image": self.image,
            "grantors": list(self.grantors or []),
            "review_channel": self.review_channel,
            "approvals_required": self.approvals_required,
            "distinction_allowed": self.distinction_allowed,
            "expires_after": self.expires_after,
            "issuer": self.issuer,
            "alignment": list(self.alignment or []),
            "review_every": self.review_every,
        }

    def __repr__(self) -> str:
        return f"<Credential {self.slug}>"


class CertificateRequirement(Base):
    """One badge that a certificate stacks."""

    __tablename__ = "certificate_requirements"

    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True
    )
    badge_id: Mapped[int] = mapped_column(ForeignKey("credentials.id"), primary_key=True, index=True)

    badge: Mapped[Credential] = relationship(foreign_keys=[badge_id], lazy="joined")
