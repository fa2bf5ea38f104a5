"""Loading the catalog file into the database: idempotent, and never deleting history."""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.errors import InvalidInput
from bot.usecases.context import Context, audit
from config.catalog import Catalog, CredentialSpec
from config.catalog_tables import credential_spec
from models import CatalogChange, CertificateRequirement, Credential


@dataclass
class CatalogChanges:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored)

    def summary(self) -> str:
        parts = [f"{len(v)} {k}" for k, v in (("added", self.added), ("updated", self.updated),
                                               ("retired", self.retired), ("restored", self.restored)) if v]
        conflicts = [f"{len(self.conflicts)} in conflict with approved changes (`badgebot catalog check`)"] \
            if self.conflicts else []
        return ", ".join(parts + [f"{self.unchanged} unchanged"] + conflicts)


def _fields(spec: CredentialSpec) -> dict[str, object]:
    return {
        "type": spec.type, "name": spec.name, "description": spec.description, "criteria": spec.criteria,
        "skills": list(spec.skills), "image": spec.image, "grantors": list(spec.grantors),
        "review_channel": spec.review_channel, "approvals_required": spec.approvals_required,
        "distinction_allowed": spec.distinction, "expires_after": spec.expires_after,
        "issuer": spec.issuer, "review_every": spec.review_every,
        "alignment": [{"framework": str(a.framework), "code": a.code, "name": a.name, "url": a.url}
                      for a in spec.alignment],
    }


def load_catalog(ctx: Context, catalog: Catalog, actor: str) -> CatalogChanges:
    """Make the database's credentials match the catalog in force (the file with the changes approved
    since applied over it); safe to run at every start. An approved change is never undone by an older
    file; where the file changed a credential an approved change also changed, the approved change
    stays in force and the conflict is reported (`changes.conflicts`, `badgebot catalog check`)."""
    now = ctx.clock()
    changes = CatalogChanges()
    with ctx.transaction() as session:
        catalog, changes.conflicts = apply_changes(
            catalog, session.scalars(select(CatalogChange).order_by(CatalogChange.id)).all())
        existing = {c.slug: c for c in session.scalars(select(Credential))}
        in_force = {spec.id for spec in catalog.credentials}
        for spec in catalog.credentials:
            credential = existing.get(spec.id)
            if credential is None:
                credential = Credential(slug=spec.id, created_at=now, updated_at=now, **_fields(spec))
                session.add(credential)
                session.flush()
                existing[spec.id] = credential
                changes.added.append(spec.id)
                audit(session, now, actor, "credential.added", credential)
                continue
            diff = write_fields(credential, spec, now)
            if diff:
                changes.updated.append(spec.id)
                audit(session, now, actor, "credential.updated", credential, fields=diff)
            if credential.retired_at is not None:
                credential.retired_at = None
                changes.restored.append(spec.id)
                audit(session, now, actor, "credential.restored", credential)
            if not diff and spec.id not in changes.restored:
                changes.unchanged += 1
        for slug, credential in existing.items():
            if slug not in in_force and credential.retired_at is None:
                credential.retired_at = now
                changes.retired.append(slug)
                audit(session, now, actor, "credential.retired", credential)

        # Stacks: certificate -> badges, replaced as the catalog says (awards already made stand).
        ids = {slug: c.id for slug, c in existing.items()}
        for spec in catalog.credentials:
            certificate = existing[spec.id]
            if not write_requirements(certificate, spec, ids):
                continue
            if spec.id not in changes.added and spec.id not in changes.updated:
                changes.updated.append(spec.id)
                changes.unchanged -= 1
            audit(session, now, actor, "credential.requirements", certificate, requires=sorted(spec.requires))
    return changes


def write_fields(credential: Credential, spec: CredentialSpec, now: dt.datetime) -> list[str]:
    """Set the credential's columns as the spec says; the names of those that changed."""
    wanted = _fields(spec)
    before = credential.as_catalog_fields()
    diff = sorted(k for k, v in wanted.items() if before[k] != v)
    for key in diff:
        setattr(credential, key, wanted[key])
    if diff:
        credential.updated_at = now
    return diff


def write_requirements(certificate: Credential, spec: CredentialSpec, ids: dict[str, int]) -> bool:
    """Make the badges a certificate stacks those the spec names (by slug -> id); whether they changed."""
    wanted_ids = {ids[r] for r in spec.requires}
    current_ids = {r.badge_id for r in certificate.requires}
    if wanted_ids == current_ids:
        return False
    certificate.requires = [r for r in certificate.requires if r.badge_id in wanted_ids] + [
        CertificateRequirement(certificate_id=certificate.id, badge_id=b) for b in sorted(wanted_ids - current_ids)
    ]
    return True


def catalog_fields(spec: CredentialSpec) -> dict[str, Any]:
    """What the database holds of a credential spec, as plain JSON (for CatalogChange.before/after)."""
    return _json({**_fields(spec), "requires": sorted(spec.requires)})


def credential_fields(credential: Credential) -> dict[str, Any]:
    """What the database holds of a credential, in the form of `catalog_fields`."""
    return _json({**credential.as_catalog_fields(), "requires": credential.required_slugs})


def _json(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _json(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return value


@dataclass(frozen=True)
class Conflict:
    """A credential the file changed after an approved change to it: the approved change is in force."""

    slug: str
    change_id: int
    proposal_id: int | None
    action: str
    approved_at: dt.datetime

    def __str__(self) -> str:
        proposal = f" (proposal {self.proposal_id})" if self.proposal_id is not None else ""
        verb = {"add": "added", "change": "changed", "retire": "retired"}.get(self.action, self.action)
        return (f"the file changed credential '{self.slug}' since approved change #{self.change_id}{proposal} "
                f"{verb} it on {self.approved_at:%Y-%m-%d}; the approved change stays in force: make the edit in "
                "the output of `badgebot catalog export`, or propose it with `/badges propose`")


def apply_changes(catalog: Catalog, changes: Sequence[CatalogChange],
                  spec_of: Callable[[CatalogChange], CredentialSpec] | None = None) -> tuple[Catalog, list[Conflict]]:
    """The catalog in force: `catalog` (the file) with the approved changes applied in id order, and the
    conflicts: credentials the file holds in a version none of their changes knew of (neither what
    was there before the first, nor what any of them made), so the file was edited since. `spec_of`
    reads a change's table (the live catalog remembers what it read: changes never change)."""
    spec_of = spec_of or (lambda change: credential_spec(change.credential))
    specs = {spec.id: spec for spec in catalog.credentials}
    in_file = {spec.id: catalog_fields(spec) for spec in catalog.credentials}
    chains: dict[str, list[CatalogChange]] = {}
    for change in sorted(changes, key=lambda c: c.id):
        chains.setdefault(change.slug, []).append(change)
        if change.action == "retire":
            specs.pop(change.slug, None)
        else:
            specs[change.slug] = spec_of(change)
    conflicts = []
    for slug, chain in chains.items():
        known = [chain[0].before, *(c.after for c in chain)]
        if in_file.get(slug) not in known:
            last = chain[-1]
            conflicts.append(Conflict(slug, last.id, last.proposal_id, last.action, last.approved_at))
    return dataclasses.replace(catalog, credentials=tuple(specs.values())), conflicts


def find_credential(catalog: Catalog, words: str) -> CredentialSpec:
    """A credential named by id or by name, with a suggestion when nothing matches exactly."""
    words = words.strip().strip("`\"'")
    if not words:
        raise InvalidInput("Name a credential, e.g. `sql-basics`. See `/badges catalog`.")
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")
    for spec in catalog.credentials:
        if spec.id == slug or spec.name.lower() == words.lower():
            return spec
    names = {spec.id: spec.id for spec in catalog.credentials} | {spec.name.lower(): spec.id for spec in catalog.credentials}
    close = difflib.get_close_matches(words.lower(), list(names), n=1, cutoff=0.5) or difflib.get_close_matches(
        slug, list(names), n=1, cutoff=0.5)
    hint = f" Did you mean `{names[close[0]]}`?" if close else " See `/badges catalog`."
    # What the person typed is echoed back: without <, > and & it cannot become a mention or a link.
    echoed = words[:80].translate({ord(c): None for c in "<>&"})
    raise InvalidInput(f"There is no credential “{echoed}”.{hint}")


def credential_in_message(catalog: Catalog, text: str) -> CredentialSpec:
    """The credential a free-form message (a DM with files) names by id or name anywhere in it,
    else the closest match to the whole message."""
    lowered = text.lower()
    named = next((s for s in catalog.credentials if s.id in lowered or s.name.lower() in lowered), None)
    return named or find_credential(catalog, text)


def search_catalog(catalog: Catalog, words: str) -> list[CredentialSpec]:
    """The credentials whose id, name, description, level or skills contain every word (all, for none)."""
    terms = [w for w in re.split(r"\s+", words.lower()) if w]
    return [
        spec for spec in catalog.credentials
        if all(t in " ".join((spec.id, spec.name, spec.description, spec.type.label, *spec.skills)).lower()
               for t in terms)
    ]
