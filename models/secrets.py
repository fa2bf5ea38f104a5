"""What every replica must agree on, kept in the database: the server secret and the issuer's keys.

Each is created once, race-safe (INSERT ... ON CONFLICT DO NOTHING, then read back what won), so
replicas started together end up with the same values whatever their data directories hold.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, intpk


class StoredSecret(Base):
    """A named random secret (hex): "server" (check-in codes, artifact links, cookies), "subject-ids"."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class IssuerKey(Base):
    """One of the issuer's signing keys. The newest generation of an algorithm signs; every
    generation stays published (JWKS, issuer profile, DID document) so what it signed still verifies."""

    __tablename__ = "issuer_keys"
    # (alg, generation) is the race: two replicas making generation 1 (or rotating to the same next
    # one) insert the same pair, and the loser reads the winner's key.
    __table_args__ = (UniqueConstraint("alg", "generation", name="uq_issuer_keys_alg_generation"),)

    id: Mapped[intpk]
    alg: Mapped[str] = mapped_column(String(16))
    generation: Mapped[int]
    private_pem: Mapped[str] = mapped_column(Text)
    thumbprint: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime]
