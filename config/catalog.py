"""The catalog file: the program's issuer, roles and credentials, as an administrator writes them.

`parse_catalog` reports every problem at once, each at FILE:LINE:COL with its credential and field
(the way compilers do, so editors jump to it), so an administrator fixes a broken catalog in one pass
rather than one error per run.
"""
from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from bot.domain.validity import parse_validity
from bot.domain.vocabulary import CredentialType
from bot.domain.wording import plural
from config import catalog_office as office
from config.catalog_locations import START, Lines, syntax_error_at
from config.catalog_office import CHANNEL, EMAIL, SLUG, USER_OR_GROUP
from config.catalog_types import (
    UNIVERSITY,
    Alignment,
    Catalog,
    CatalogError,
    CredentialSpec,
    Governance,
    Issuer,
    Problem,
    Roles,
    Stage,
)

__all__ = [
    "CHANNEL", "EMAIL", "SLUG", "UNIVERSITY", "USER_OR_GROUP", "Alignment", "Catalog", "CatalogError",
    "CredentialSpec", "Governance", "Issuer", "Problem", "Roles", "Stage", "check_catalog", "check_credential",
    "load_catalog", "parse_catalog",
]

_TOP = {"issuer", "issuers", "roles", "governance", "credentials"}
_COMMON = {"id", "type", "name", "description", "criteria", "skills", "image", "expires_after", "issuer",
           "alignment", "review_every"}
_BADGE = {"grantors", "review_channel", "approvals_required", "distinction"}
_CERTIFICATE = {"requires"}


def _syntax_problem(exc: tomllib.TOMLDecodeError, text: str) -> Problem:
    message, (line, column) = syntax_error_at(exc, text)
    return Problem("", "syntax", f"not valid TOML: {message}", line, column)


def load_catalog(path: Path | str) -> Catalog:
    """Read and validate a catalog file; raise CatalogError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(path, [Problem("", "path", f"cannot read the catalog: {exc.strerror}")]) from None
    return parse_catalog(text, path)


def parse_catalog(text: str, path: Path | str = "<catalog>") -> Catalog:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(path, [_syntax_problem(exc, text)]) from None
    catalog, problems = _validate(data, Lines(text))
    if problems:
        raise CatalogError(path, problems)
    assert catalog is not None
    return catalog


def check_catalog(path: Path | str) -> list[Problem]:
    try:
        load_catalog(path)
    except CatalogError as exc:
        return exc.problems
    return []


def _validate(data: dict[str, Any], lines: Lines) -> tuple[Catalog | None, list[Problem]]:
    problems: list[Problem] = []

    def table_problem(table: str, key: str, message: str, value: str | None = None) -> None:
        problems.append(Problem(f"[{table}]", key, message, *lines.of_table(table, key, value)))

    def top_problem(where: str, key: str, message: str) -> None:
        problems.append(Problem(where, key, message, *lines.of_top(key)))

    for key in sorted(set(data) - _TOP):
        top_problem("catalog", key, "unknown top-level key; expected [issuer], [[issuers]], [roles], "
                                    "[governance], [[credentials]]")

    raw_issuer = data.get("issuer")
    issuer = None
    if not isinstance(raw_issuer, dict):
        top_problem("[issuer]", "issuer", "missing: name, url and email of the issuing institution")
    else:
        issuer = office.issuer(
            raw_issuer, lambda key, message, at: problems.append(Problem("[issuer]", key, message, *(at or START))),
            lambda key, value: lines.of_table("issuer", key, value), university=True)
    issuers = office.issuers(data.get("issuers"), issuer, lines, problems)
    governance = office.governance(data.get("governance"), lines, problems)

    raw_roles = data.get("roles", {})
    roles = Roles()
    if not isinstance(raw_roles, dict):
        top_problem("[roles]", "roles", "must be a table with admins and hosts")
    else:
        for key in sorted(set(raw_roles) - {"admins", "hosts"}):
            table_problem("roles", key, "unknown field; expected admins and hosts")
        ids = {}
        for key in ("admins", "hosts"):
            value = raw_roles.get(key, [])
            if not _id_list(value, USER_OR_GROUP):
                wrong = next((v for v in value if not (isinstance(v, str) and USER_OR_GROUP.match(v))), None) \
                    if isinstance(value, list) else None
                table_problem("roles", key, "must be a list of Slack user ids (U…/W…) or user-group ids (S…)"
                              + (f"; {wrong!r} is neither" if isinstance(wrong, str) else ""),
                              wrong if isinstance(wrong, str) else None)
                value = []
            ids[key] = tuple(value)
        if not ids["admins"] and "admins" not in {p.field for p in problems}:
            table_problem("roles", "admins", "name at least one administrator")
        roles = Roles(**ids)

    raw_credentials = data.get("credentials", [])
    if not isinstance(raw_credentials, list) or not all(isinstance(c, dict) for c in raw_credentials):
        top_problem("[[credentials]]", "credentials", "must be an array of tables [[credentials]]")
        raw_credentials = []

    types: dict[str, CredentialType] = {}
    first_seen: dict[str, int] = {}
    for index, raw in enumerate(raw_credentials):
        slug = raw.get("id")
        if isinstance(slug, str) and SLUG.match(slug):
            if slug in first_seen:
                first = lines.of(first_seen[slug], "id")
                also = f"line {first[0]}" if first else f"credential #{first_seen[slug] + 1}"
                problems.append(Problem(f"credential '{slug}'", "id", f"duplicate id; also used on {also}",
                                        *(lines.of(index, "id") or START)))
            else:
                first_seen[slug] = index
            try:
                types.setdefault(slug, CredentialType(raw.get("type")))
            except ValueError:
                pass

    issuer_ids = list(dict.fromkeys(i.id for i in (issuer, *issuers) if i is not None and i.id))
    specs: list[CredentialSpec] = []
    for index, raw in enumerate(raw_credentials):
        spec, found = _credential(index, raw, types, issuer_ids, lines)
        problems.extend(found)
        if spec:
            specs.append(spec)

    if problems:
        return None, problems
    assert issuer is not None
    return Catalog(issuer=issuer, roles=roles, credentials=tuple(specs), issuers=issuers,
                   governance=governance), []


def check_credential(raw: dict[str, Any], catalog: Catalog, *, new: bool = True
                     ) -> tuple[CredentialSpec | None, list[Problem]]:
    """One `[[credentials]]` table (as a dict, e.g. from a proposal form) checked as the catalog file's
    credentials are, against `catalog` (its credentials for `requires`, its issuers), with the same
    messages; the problems carry no line (there is no file). `new`: its id must not be taken yet."""
    types = {c.id: c.type for c in catalog.credentials}
    slug = raw.get("id")
    problems: list[Problem] = []
    if isinstance(slug, str) and SLUG.match(slug):
        if new and slug in types:
            problems.append(Problem(f"credential '{slug}'", "id", "duplicate id; already in the catalog"))
        try:
            types[slug] = CredentialType(raw.get("type"))
        except ValueError:
            types.pop(slug, None)
    spec, found = _credential(0, raw, types, [i.id for i in catalog.all_issuers], Lines(""))
    problems += [dataclasses.replace(p, line=None, column=1) for p in found]
    return (None if problems else spec), problems


def _credential(
    index: int, raw: dict[str, Any], types: dict[str, CredentialType], issuer_ids: list[str], lines: Lines
) -> tuple[CredentialSpec | None, list[Problem]]:
    problems: list[Problem] = []
    slug = raw.get("id")
    where = f"credential '{slug}'" if isinstance(slug, str) and slug else f"credential #{index + 1}"

    def problem(key: str, message: str, value: str | None = None) -> None:
        problems.append(Problem(where, key, message, *(lines.of(index, key, value) or START)))

    if not isinstance(slug, str) or not SLUG.match(slug):
        problem("id", "must be a slug: lowercase letters, digits and dashes, 2-63 characters")
    try:
        ctype = CredentialType(raw.get("type"))
    except ValueError:
        problem("type", f"must be one of {', '.join(t.value for t in CredentialType)}")
        ctype = None
    for key in ("name", "description", "criteria"):
        if not _text(raw.get(key)):
            problem(key, "required, as text")
    skills = raw.get("skills", [])
    if not (isinstance(skills, list) and all(isinstance(s, str) and s.strip() for s in skills)):
        problem("skills", "must be a list of words or phrases")
        skills = []
    if "image" in raw and not _text(raw.get("image")):
        problem("image", "must be a path or URL to the badge image")
    expires_after = raw.get("expires_after")
    if expires_after is not None:
        try:
            parse_validity(str(expires_after))
        except ValueError as exc:
            problem("expires_after", str(exc))

    review_every = raw.get("review_every")
    if review_every is not None:
        try:
            parse_validity(str(review_every))
        except ValueError as exc:
            problem("review_every", f"how often the credential is evaluated: {exc}")
    issuer = raw.get("issuer", issuer_ids[0] if issuer_ids else UNIVERSITY)
    if not isinstance(issuer, str) or (issuer_ids and issuer not in issuer_ids):
        problem("issuer", f"unknown issuer {issuer!r}; the catalog's issuers are {', '.join(issuer_ids)}",
                issuer if isinstance(issuer, str) else None)
    alignment = office.alignment(
        raw.get("alignment", []),
        lambda key, message, value: problems.append(Problem(
            where, key, message, *((value and lines.value_in(index, value)) or lines.of(index, key) or START))))

    allowed = set(_COMMON)
    if ctype is not None and ctype.is_badge:
        allowed |= _BADGE
    if ctype is not None and ctype.is_certificate:
        allowed |= _CERTIFICATE
    for key in sorted(set(raw) - allowed):
        if ctype is not None and key in _BADGE | _CERTIFICATE:
            if ctype is CredentialType.SOUVENIR:
                problem(key, "souvenirs are issued by event hosts and need no artifact or grantor; remove it")
            elif key in _BADGE:
                problem(key, f"only badges are assessed; a {ctype.label} is awarded automatically")
            else:
                problem(key, "only certificates stack other credentials")
        elif ctype is not None:
            problem(key, "unknown field")

    grantors: list[str] = []
    approvals = 1
    if ctype is not None and ctype.is_badge:
        grantors = raw.get("grantors", [])
        if not _id_list(grantors, USER_OR_GROUP) or not grantors:
            problem("grantors", "name at least one grantor: Slack user ids (U…/W…) or user-group ids (S…)")
            grantors = []
        channel = raw.get("review_channel")
        if not isinstance(channel, str) or not CHANNEL.match(channel):
            problem("review_channel", "required: the Slack channel id (C… or G…) where grantors review")
        approvals = raw.get("approvals_required", 1)
        if not isinstance(approvals, int) or isinstance(approvals, bool) or approvals < 1:
            problem("approvals_required", "must be a whole number, 1 or more")
            approvals = 1
        elif grantors and all(g[0] in "UW" for g in grantors) and approvals > len(set(grantors)):
            problem("approvals_required",
                    f"needs {approvals} approvals but names only {plural(len(set(grantors)), 'grantor')}")
        if not isinstance(raw.get("distinction", False), bool):
            problem("distinction", "must be true or false")

    requires: list[str] = []
    if ctype is not None and ctype.is_certificate:
        requires = raw.get("requires", [])
        if not isinstance(requires, list) or not requires or not all(isinstance(r, str) for r in requires):
            problem("requires", "list the ids of the badges this certificate stacks")
            requires = []
        if len(set(requires)) != len(requires):
            problem("requires", "lists the same badge twice")
        wanted = ctype.stacks
        for required in requires:
            found = types.get(required)
            if found is None:
                problem("requires", f"unknown credential '{required}'", required)
            elif found is not wanted:
                assert wanted is not None
                problem("requires", f"'{required}' is a {found.label}; a {ctype.label} stacks only "
                                    f"{wanted.label} badges", required)

    if problems or ctype is None:
        return None, problems
    return CredentialSpec(
        id=slug,
        type=ctype,
        name=raw["name"].strip(),
        description=raw["description"].strip(),
        criteria=raw["criteria"].strip(),
        skills=tuple(s.strip() for s in skills),
        image=_text(raw.get("image")) or None,
        expires_after=str(expires_after) if expires_after is not None else None,
        grantors=tuple(grantors),
        review_channel=raw.get("review_channel"),
        approvals_required=approvals,
        distinction=bool(raw.get("distinction", False)),
        requires=tuple(requires),
        issuer=issuer,
        alignment=alignment,
        review_every=str(review_every) if review_every is not None else None,
    ), []


_text = office.text
_id_list = office.id_list
