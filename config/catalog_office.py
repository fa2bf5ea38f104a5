"""The program office's part of a catalog: issuers (`[issuer]`, `[[issuers]]`), `[governance]` with its
stages, and a credential's `alignment` entries; each problem at its line, as config/catalog.py does."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from bot.domain.alignment import Framework, code_problem
from config.catalog_locations import START, Lines, Location
from config.catalog_types import (
    UNIVERSITY,
    Alignment,
    Governance,
    Issuer,
    Problem,
    Stage,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
USER_OR_GROUP = re.compile(r"^[UWS][A-Z0-9]{2,31}$")
CHANNEL = re.compile(r"^[CG][A-Z0-9]{2,31}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
IDS_MESSAGE = "must be a list of Slack user ids (U…/W…) or user-group ids (S…)"

_ISSUER_KEYS = ("id", "name", "url", "email", "image", "linkedin_organization_id", "admins")
_ALIGNMENT_KEYS = ("framework", "code", "name", "url")

# Reports a problem: (field, message, where it is in the file or None for the table's own header).
Report = Callable[[str, str, Location | None], None]


def text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def id_list(value: Any, pattern: re.Pattern[str]) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and pattern.match(v) for v in value)


def is_http_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def first_wrong(value: Any, pattern: re.Pattern[str]) -> str | None:
    """The first entry of a list that does not match, for pointing at it."""
    if not isinstance(value, list):
        return None
    wrong = next((v for v in value if not (isinstance(v, str) and pattern.match(v))), None)
    return wrong if isinstance(wrong, str) else None


def issuer(raw: dict[str, Any], report: Report, at: Callable[[str, str | None], Location | None],
           *, university: bool) -> Issuer:
    """One issuer table: the university's `[issuer]` (its id optional) or an `[[issuers]]` entry."""
    for key in ("name", "url", "email"):
        if not text(raw.get(key)):
            report(key, "required", at(key, None))
    if text(raw.get("url")) and not is_http_url(raw["url"]):
        report("url", f"{raw['url']!r} is not an http(s) URL", at("url", None))
    if text(raw.get("email")) and not EMAIL.match(raw["email"]):
        report("email", f"{raw['email']!r} is not an email address", at("email", None))
    org = raw.get("linkedin_organization_id")
    if org is not None and not re.fullmatch(r"\d{1,20}", str(org)):
        report("linkedin_organization_id", "must be the numeric LinkedIn organization id",
               at("linkedin_organization_id", None))
    slug = raw.get("id", UNIVERSITY if university else None)
    if not isinstance(slug, str) or not SLUG.match(slug):
        report("id", "required: a slug of lowercase letters, digits and dashes, 2-63 characters"
               if slug is None else "must be a slug: lowercase letters, digits and dashes, 2-63 characters",
               at("id", None))
        slug = ""
    admins = raw.get("admins", [])
    if not id_list(admins, USER_OR_GROUP):
        wrong = first_wrong(admins, USER_OR_GROUP)
        report("admins", IDS_MESSAGE + (f"; {wrong!r} is neither" if wrong else ""), at("admins", wrong))
        admins = []
    for key in sorted(set(raw) - set(_ISSUER_KEYS)):
        report(key, "unknown field", at(key, None))
    return Issuer(
        id=slug,
        name=text(raw.get("name")),
        url=text(raw.get("url")),
        email=text(raw.get("email")),
        image=text(raw.get("image")) or None,
        linkedin_organization_id=str(org) if org is not None else None,
        admins=tuple(admins),
    )


def issuers(raw_list: Any, university: Issuer | None, lines: Lines,
            problems: list[Problem]) -> tuple[Issuer, ...]:
    """The `[[issuers]]` entries: the colleges, offices and departments under the university."""
    if raw_list is None:
        return ()
    if not isinstance(raw_list, list) or not all(isinstance(i, dict) for i in raw_list):
        problems.append(Problem("[[issuers]]", "issuers", "must be an array of tables [[issuers]]",
                                *lines.of_top("issuers")))
        return ()
    found: list[Issuer] = []
    seen: dict[str, int] = {university.id: -1} if university and university.id else {}
    for index, raw in enumerate(raw_list):
        slug = raw.get("id")
        where = f"issuer '{slug}'" if isinstance(slug, str) and slug else f"issuer #{index + 1}"

        def at(key: str, value: str | None, index: int = index) -> Location | None:
            return lines.of_entry("issuers", index, key, value) or lines.of_top("issuers")

        def report(key: str, message: str, location: Location | None, where: str = where) -> None:
            problems.append(Problem(where, key, message, *(location or START)))

        entry = issuer(raw, report, at, university=False)
        if entry.id in seen:
            other = seen[entry.id]
            also = (f"line {lines.of_table('issuer', 'id')[0]} ([issuer])" if other < 0
                    else f"line {(lines.of_entry('issuers', other, 'id') or START)[0]}")
            report("id", f"duplicate issuer id; also used on {also}", at("id", None))
        elif entry.id:
            seen[entry.id] = index
        found.append(entry)
    return tuple(found)


def governance(raw: Any, lines: Lines, problems: list[Problem]) -> Governance | None:
    """`[governance]`: the channel where proposals are reviewed and its `[[governance.stages]]`, in order."""
    if raw is None:
        return None

    def report(key: str, message: str, location: Location | None, where: str = "[governance]") -> None:
        problems.append(Problem(where, key, message, *(location or lines.of_table("governance", None))))

    if not isinstance(raw, dict):
        problems.append(Problem("[governance]", "governance", "must be a table with a channel and stages",
                                *lines.of_top("governance")))
        return None
    for key in sorted(set(raw) - {"channel", "stages"}):
        report(key, "unknown field; expected channel and stages", lines.of_table("governance", key))
    channel = raw.get("channel")
    if not isinstance(channel, str) or not CHANNEL.match(channel):
        report("channel", "required: the Slack channel id (C… or G…) where proposals are reviewed",
               lines.of_table("governance", "channel"))
    raw_stages = raw.get("stages", [])
    if not isinstance(raw_stages, list) or not all(isinstance(s, dict) for s in raw_stages):
        report("stages", "must be an array of tables [[governance.stages]]", lines.of_table("governance", "stages"))
        raw_stages = []
    if not raw_stages and isinstance(raw.get("stages", []), list):
        report("stages", "name at least one stage: [[governance.stages]] with a name and approvers", None)
    stages: list[Stage] = []
    first_seen: dict[str, int] = {}
    for index, stage in enumerate(raw_stages):
        name = text(stage.get("name"))
        where = f"stage '{name}'" if name else f"stage #{index + 1}"

        def at(key: str, value: str | None = None, index: int = index) -> Location | None:
            return lines.of_entry("governance.stages", index, key, value) or lines.of_table("governance", "stages")

        if not name:
            report("name", "required, as text", at("name"), where)
        elif name.lower() in first_seen:
            other = lines.of_entry("governance.stages", first_seen[name.lower()], "name")
            also = f"line {other[0]}" if other else f"stage #{first_seen[name.lower()] + 1}"
            report("name", f"duplicate stage name; also used on {also}", at("name"), where)
        else:
            first_seen[name.lower()] = index
        approvers = stage.get("approvers", [])
        if not id_list(approvers, USER_OR_GROUP) or not approvers:
            wrong = first_wrong(approvers, USER_OR_GROUP)
            report("approvers", "name at least one approver: Slack user ids (U…/W…) or user-group ids (S…)"
                   + (f"; {wrong!r} is neither" if wrong else ""), at("approvers", wrong), where)
            approvers = []
        for key in sorted(set(stage) - {"name", "approvers"}):
            report(key, "unknown field; expected name and approvers", at(key), where)
        stages.append(Stage(name=name, approvers=tuple(approvers)))
    if not isinstance(channel, str) or not CHANNEL.match(channel):
        return None
    return Governance(channel=channel, stages=tuple(stages))


def alignment(raw_list: Any, problem: Callable[[str, str, str | None], None]) -> tuple[Alignment, ...]:
    """A credential's `alignment`: each entry a framework, a code, a name and the url that defines it.

    `problem(field, message, value)` reports at the value's spelling in the file when it has one."""
    if not isinstance(raw_list, list) or not all(isinstance(a, dict) for a in raw_list):
        problem("alignment", "must be a list of tables, each with framework, code, name and url", None)
        return ()
    found: list[Alignment] = []
    for number, raw in enumerate(raw_list, 1):
        anchor = next((v for v in (raw.get("code"), raw.get("name"), raw.get("url"), raw.get("framework"))
                       if isinstance(v, str) and v), None)
        label = f"alignment #{number}"
        try:
            framework = Framework.parse(raw.get("framework"))
        except ValueError as exc:
            spelled = raw.get("framework")
            problem("alignment", f"{label}: " + (str(exc) if "framework" in raw else
                                                 f"framework required; one of {', '.join(f.value for f in Framework)}"),
                    spelled if isinstance(spelled, str) and spelled else anchor)
            framework = None
        for key in ("code", "name", "url"):
            if not text(raw.get(key)):
                problem("alignment", f"{label}: {key} required, as text", anchor)
        url = text(raw.get("url"))
        if url and not is_http_url(url):
            problem("alignment", f"{label}: {url!r} is not an http(s) URL", url)
        code = text(raw.get("code"))
        wrong_code = code_problem(framework, code) if framework and code else None
        if wrong_code:
            problem("alignment", f"{label}: {wrong_code}", code)
        for key in sorted(set(raw) - set(_ALIGNMENT_KEYS)):
            problem("alignment", f"{label}: unknown field {key!r}; expected framework, code, name and url", anchor)
        if framework and code and text(raw.get("name")) and url and is_http_url(url) and not wrong_code:
            found.append(Alignment(framework=framework, code=code, name=text(raw["name"]), url=url))
    return tuple(found)
