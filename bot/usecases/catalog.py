"""Loading the catalog file into the database: idempotent, and never deleting history."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from bot.errors import InvalidInput
from bot.usecases.context import Context, audit
from config.catalog import Catalog, CredentialSpec
from models import CertificateRequirement, Credential


@dataclass
class CatalogChanges:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored)

    def summary(self) -> str:
        parts = [f"{len(v)} {k}" for k, v in (("added", self.added), ("updated", self.updated),
                                               ("retired", self.retired), ("restored", self.restored)) if v]
        return ", ".join(parts + [f"{self.unchanged} unchanged"])


def _fields(spec: CredentialSpec) -> dict[str, object]:
    return {
        "type": spec.type, "name": spec.name, "description": spec.description, "criteria": spec.criteria,
        "skills": list(spec.skills), "image": spec.image, "grantors": list(spec.grantors),
        "review_channel": spec.review_channel, "approvals_required": spec.approvals_required,
        "distinction_allowed": spec.distinction, "expires_after": spec.expires_after,
    }


def load_catalog(ctx: Context, catalog: Catalog, actor: str) -> CatalogChanges:
    """Make the database's credentials match the catalog; safe to run at every start."""
    now = ctx.clock()
    changes = CatalogChanges()
    with ctx.transaction() as session:
        existing = {c.slug: c for c in session.scalars(select(Credential))}
        in_file = {spec.id for spec in catalog.credentials}
        for spec in catalog.credentials:
            wanted = _fields(spec)
            credential = existing.get(spec.id)
            if credential is None:
                credential = Credential(slug=spec.id, created_at=now, updated_at=now, **wanted)
                session.add(credential)
                session.flush()
                existing[spec.id] = credential
                changes.added.append(spec.id)
                audit(session, now, actor, "credential.added", credential)
                continue
            before = credential.as_catalog_fields()
            diff = sorted(k for k, v in wanted.items() if before[k] != v)
            if diff:
                for key in diff:
                    setattr(credential, key, wanted[key])
                credential.updated_at = now
                changes.updated.append(spec.id)
                audit(session, now, actor, "credential.updated", credential, fields=diff)
            if credential.retired_at is not None:
                credential.retired_at = None
                changes.restored.append(spec.id)
                audit(session, now, actor, "credential.restored", credential)
            if not diff and spec.id not in changes.restored:
                changes.unchanged += 1
        for slug, credential in existing.items():
            if slug not in in_file and credential.retired_at is None:
                credential.retired_at = now
                changes.retired.append(slug)
                audit(session, now, actor, "credential.retired", credential)

        # Stacks: certificate -> badges, replaced as the file says (awards already made stand).
        for spec in catalog.credentials:
            certificate = existing[spec.id]
            wanted_ids = {existing[r].id for r in spec.requires}
            current_ids = {r.badge_id for r in certificate.requires}
            if wanted_ids == current_ids:
                continue
            certificate.requires = [r for r in certificate.requires if r.badge_id in wanted_ids] + [
                CertificateRequirement(certificate_id=certificate.id, badge_id=b)
                for b in sorted(wanted_ids - current_ids)
            ]
            if spec.id not in changes.added and spec.id not in changes.updated:
                changes.updated.append(spec.id)
                changes.unchanged -= 1
            audit(session, now, actor, "credential.requirements", certificate, requires=sorted(spec.requires))
    return changes


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
