"""What a catalog is made of, as config/catalog.py parses it: issuers, roles, governance, credentials.

Field names are the catalog file's keys (`badgebot catalog export` writes the file back from them).
`config.catalog` re-exports every name here; import them from there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.domain.alignment import Framework
from bot.domain.vocabulary import CredentialType
from bot.domain.wording import plural

UNIVERSITY = "university"
"""The id of the catalog's `[issuer]` (the parent of every other issuer) when it names none."""


@dataclass(frozen=True)
class Problem:
    where: str  # "credential 'sql-basics'" or "[issuer]"; "" for the file itself
    field: str
    message: str
    line: int | None = None  # None for no text to point into (an unreadable file, one proposed credential)
    column: int = 1

    def __str__(self) -> str:
        at = f"{self.line}:{self.column}: " if self.line else ""
        what = f"{self.where}, field '{self.field}': " if self.where else ""
        return f"{at}{what}{self.message}"

    def located(self, path: Path | str) -> str:
        """`FILE:LINE:COL: credential 'x', field 'y': message` (`FILE: message` without a line)."""
        return f"{path}:{self}" if self.line else f"{path}: {self}"


class CatalogError(Exception):
    def __init__(self, path: Path | str, problems: list[Problem]):
        self.path, self.problems = path, problems
        super().__init__(f"{path}: {plural(len(problems), 'problem')}\n" + "\n".join(f"  {p.located(path)}" for p in problems))


@dataclass(frozen=True)
class Issuer:
    """The university (`[issuer]`) or one of its colleges, offices or departments (`[[issuers]]`)."""

    name: str
    url: str
    email: str
    image: str | None = None
    linkedin_organization_id: str | None = None
    id: str = UNIVERSITY
    admins: tuple[str, ...] = ()  # users (U…/W…) or groups (S…) who propose and watch its credentials


@dataclass(frozen=True)
class Roles:
    admins: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alignment:
    """A skill, occupation or competency in a published framework that a credential aligns to."""

    framework: Framework
    code: str
    name: str
    url: str


@dataclass(frozen=True)
class Stage:
    name: str
    approvers: tuple[str, ...]  # users (U…/W…) or groups (S…); any one of them decides for the stage


@dataclass(frozen=True)
class Governance:
    """Where proposals are reviewed (`channel`) and by whom, stage after stage, in order."""

    channel: str
    stages: tuple[Stage, ...]


@dataclass(frozen=True)
class CredentialSpec:
    id: str
    type: CredentialType
    name: str
    description: str
    criteria: str
    skills: tuple[str, ...] = ()
    image: str | None = None
    expires_after: str | None = None
    grantors: tuple[str, ...] = ()
    review_channel: str | None = None
    approvals_required: int = 1
    distinction: bool = False
    requires: tuple[str, ...] = ()
    issuer: str = UNIVERSITY  # an issuer's id
    alignment: tuple[Alignment, ...] = ()
    review_every: str | None = None  # a duration ("2y") between periodic evaluations


@dataclass(frozen=True)
class Catalog:
    issuer: Issuer  # the university: the parent of every issuer in `issuers`
    roles: Roles
    credentials: tuple[CredentialSpec, ...] = field(default=())
    issuers: tuple[Issuer, ...] = ()
    governance: Governance | None = None

    def get(self, credential_id: str) -> CredentialSpec | None:
        return next((c for c in self.credentials if c.id == credential_id), None)

    @property
    def all_issuers(self) -> tuple[Issuer, ...]:
        """The university first, then its issuers in the file's order."""
        return (self.issuer, *self.issuers)

    def issuer_by_id(self, issuer_id: str) -> Issuer | None:
        return next((i for i in self.all_issuers if i.id == issuer_id), None)

    def issuer_of(self, spec: CredentialSpec) -> Issuer:
        """The credential's issuer; the university for one whose issuer is no longer in the catalog."""
        return self.issuer_by_id(spec.issuer) or self.issuer
