"""The catalog's program office: issuers under the university, governance stages, skills alignment,
periodic evaluation; every problem at its line, and one proposed credential checked the same way."""
from __future__ import annotations

import pytest

from bot.adapters.directory import StaticDirectory
from bot.domain.alignment import Framework
from bot.usecases.context import Context
from config.catalog import (
    Alignment,
    CatalogError,
    Governance,
    Stage,
    check_credential,
    load_catalog,
    parse_catalog,
)
from config.settings import EXAMPLE_CATALOG

UNIVERSITY = """\
[issuer]
name = "Test U"
url = "https://test.example.edu"
email = "badges@test.example.edu"

[roles]
admins = ["U0ADMIN001"]
"""

COMPUTING = """
[[issuers]]
id = "computing"
name = "College of Computing"
url = "https://computing.test.example.edu"
email = "computing@test.example.edu"
admins = ["U0DEAN0001", "S0COMPUTE1"]
"""

BADGE = """
[[credentials]]
id = "sql"
type = "badge_level_1"
name = "SQL"
description = "Writes queries."
criteria = "Submit five queries."
grantors = ["U0GRANT001"]
review_channel = "C0REVIEWS1"
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text)
    return [str(p) for p in caught.value.problems]


def line_of(text: str, snippet: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if snippet in line)


def test_a_catalog_with_only_the_university_is_unchanged_and_its_credentials_are_the_universitys():
    catalog = parse_catalog(UNIVERSITY + BADGE)
    assert catalog.issuer.id == "university" and catalog.issuers == () and catalog.governance is None
    spec = catalog.get("sql")
    assert spec.issuer == "university" and catalog.issuer_of(spec) == catalog.issuer
    assert spec.alignment == () and spec.review_every is None
    assert catalog.all_issuers == (catalog.issuer,)


def test_issuers_sit_under_the_university_and_credentials_name_theirs():
    catalog = parse_catalog(UNIVERSITY.replace("[issuer]\n", '[issuer]\nid = "test-u"\n') + COMPUTING
                            + BADGE + 'issuer = "computing"\nreview_every = "2y"\n')
    computing = catalog.issuer_by_id("computing")
    assert computing.name == "College of Computing" and computing.admins == ("U0DEAN0001", "S0COMPUTE1")
    assert [i.id for i in catalog.all_issuers] == ["test-u", "computing"]
    spec = catalog.get("sql")
    assert catalog.issuer_of(spec) is computing and spec.review_every == "2y"
    assert catalog.issuer_by_id("nope") is None


def test_a_credential_without_an_issuer_belongs_to_the_universitys_own_id():
    catalog = parse_catalog(UNIVERSITY.replace("[issuer]\n", '[issuer]\nid = "test-u"\n') + BADGE)
    assert catalog.get("sql").issuer == "test-u"


def test_alignment_entries_parse_in_any_spelling_of_the_framework():
    catalog = parse_catalog(UNIVERSITY + BADGE + """alignment = [
  { framework = "onet", code = "15-2051.00", name = "Data Scientists", url = "https://www.onetonline.org/link/summary/15-2051.00" },
  { framework = "esco", code = "598de5b0", name = "SQL", url = "http://data.europa.eu/esco/skill/598de5b0" },
]
""")
    assert catalog.get("sql").alignment == (
        Alignment(Framework.ONET, "15-2051.00", "Data Scientists", "https://www.onetonline.org/link/summary/15-2051.00"),
        Alignment(Framework.ESCO, "598de5b0", "SQL", "http://data.europa.eu/esco/skill/598de5b0"),
    )


def test_alignment_as_sub_tables_parses_too():
    catalog = parse_catalog(UNIVERSITY + BADGE + """
[[credentials.alignment]]
framework = "Lightcast"
code = "KS440W865GC4VRBW6LJP"
name = "SQL (Programming Language)"
url = "https://lightcast.io/open-skills/skills/KS440W865GC4VRBW6LJP"
""")
    [entry] = catalog.get("sql").alignment
    assert entry.framework is Framework.LIGHTCAST and entry.code == "KS440W865GC4VRBW6LJP"


def test_governance_stages_keep_their_order():
    catalog = parse_catalog(UNIVERSITY + """
[governance]
channel = "C0GOVERN01"

[[governance.stages]]
name = "Career services"
approvers = ["S0CAREERS1"]

[[governance.stages]]
name = "Committee"
approvers = ["U0CHAIR001", "U0MEMBER01"]
""")
    assert catalog.governance == Governance("C0GOVERN01", (
        Stage("Career services", ("S0CAREERS1",)), Stage("Committee", ("U0CHAIR001", "U0MEMBER01"))))


def test_the_example_catalog_has_two_issuers_governance_alignment_and_evaluations():
    catalog = load_catalog(EXAMPLE_CATALOG)
    assert len(catalog.issuers) >= 2
    used = {spec.issuer for spec in catalog.credentials}
    assert {i.id for i in catalog.issuers} <= used and all(i.admins for i in catalog.issuers)
    assert catalog.governance is not None and len(catalog.governance.stages) >= 3
    assert any(spec.review_every for spec in catalog.credentials)
    frameworks = {a.framework for spec in catalog.credentials for a in spec.alignment}
    assert {Framework.ESCO, Framework.ONET} <= frameworks


def test_bad_issuers_are_reported_at_their_lines():
    text = UNIVERSITY.replace("[issuer]\n", '[issuer]\nid = "Test U"\nadmins = ["nobody"]\n') + COMPUTING + """
[[issuers]]
id = "computing"
name = "Computing again"
url = "ftp://computing"
email = "not an email"
motto = "x"

[[issuers]]
name = "No id"
url = "https://x.example.edu"
email = "x@x.example.edu"
admins = ["U0OK000001", "bad"]
""" + BADGE + 'issuer = "library"\n'
    found = problems_of(text)
    first_id = line_of(text, 'id = "computing"')
    second = [n for n, ln in enumerate(text.splitlines(), 1) if ln == 'id = "computing"'][1]
    at_bad_id, at_nobody = line_of(text, 'id = "Test U"'), line_of(text, 'admins = ["nobody"]')
    at_no_id, at_bad = line_of(text, 'name = "No id"') - 1, line_of(text, '"bad"')
    at_library = line_of(text, 'issuer = "library"')
    assert found == [
        (f"{at_bad_id}:1: [issuer], field 'id': must be a slug: lowercase letters, digits and "
         "dashes, 2-63 characters"),
        (f"{at_nobody}:11: [issuer], field 'admins': must be a list of Slack user ids "
         "(U…/W…) or user-group ids (S…); 'nobody' is neither"),
        f"{line_of(text, 'ftp://')}:1: issuer 'computing', field 'url': 'ftp://computing' is not an http(s) URL",
        f"{line_of(text, 'not an email')}:1: issuer 'computing', field 'email': 'not an email' is not an email address",
        f"{line_of(text, 'motto')}:1: issuer 'computing', field 'motto': unknown field",
        f"{second}:1: issuer 'computing', field 'id': duplicate issuer id; also used on line {first_id}",
        (f"{at_no_id}:1: issuer #3, field 'id': required: a slug of lowercase letters, "
         "digits and dashes, 2-63 characters"),
        (f"{at_bad}:25: issuer #3, field 'admins': must be a list of Slack user ids (U…/W…) or "
         "user-group ids (S…); 'bad' is neither"),
        (f"{at_library}:10: credential 'sql', field 'issuer': unknown issuer 'library'; "
         "the catalog's issuers are computing"),
    ]


def test_an_issuer_cannot_take_the_universitys_id():
    text = UNIVERSITY + COMPUTING.replace('id = "computing"', 'id = "university"')
    at_university = line_of(text, 'id = "university"')
    assert problems_of(text) == [
        (f"{at_university}:1: issuer 'university', field 'id': duplicate issuer id; also "
         "used on line 1 ([issuer])")]


def test_bad_alignment_is_reported_at_the_value():
    text = UNIVERSITY + BADGE + """review_every = "sometimes"
alignment = [
  { framework = "SFIA", code = "PROG", name = "Programming", url = "https://sfia-online.org/en/skillcode/9/PROG" },
  { framework = "O*NET", code = "152051", name = "Data Scientists", url = "onetonline.org/15-2051.00" },
  { framework = "ESCO", url = "http://data.europa.eu/esco/skill/598de5b0" },
]
"""
    found = problems_of(text)
    where = "credential 'sql', field"
    assert found == [
        (f"{line_of(text, 'sometimes')}:1: {where} 'review_every': how often the credential is evaluated: "
         "'sometimes' is not a duration; use a positive number and a unit: 2y, 18m, 6w or 90d"),
        (f"{line_of(text, 'SFIA')}:17: {where} 'alignment': alignment #1: 'SFIA' is not a framework; use one of "
         "ESCO, O*NET, Lightcast, CTDL, other"),
        (f"{line_of(text, '152051')}:75: {where} 'alignment': alignment #2: 'onetonline.org/15-2051.00' is not an "
         "http(s) URL"),
        (f"{line_of(text, '152051')}:33: {where} 'alignment': alignment #2: '152051' is not an O*NET-SOC code "
         "such as 15-2051.00"),
        f"{line_of(text, 'esco/skill')}:31: {where} 'alignment': alignment #3: code required, as text",
        f"{line_of(text, 'esco/skill')}:31: {where} 'alignment': alignment #3: name required, as text",
    ]
    assert problems_of(UNIVERSITY + BADGE + 'alignment = "SQL"\n') == [
        (f"{line_of(UNIVERSITY + BADGE, 'review_channel') + 1}:1: {where} 'alignment': must be a list of tables, "
         "each with framework, code, name and url")]


def test_bad_governance_is_reported_at_its_lines():
    text = UNIVERSITY + """
[governance]
channel = "program-office"
quorum = 2

[[governance.stages]]
name = "Committee"
approvers = []

[[governance.stages]]
name = "committee"
approvers = ["U0CHAIR001", "chair"]

[[governance.stages]]
approvers = ["U0CHAIR001"]
"""
    found = problems_of(text)
    at_lower, at_chair = line_of(text, 'committee"'), line_of(text, '"chair"')
    assert found == [
        f"{line_of(text, 'quorum')}:1: [governance], field 'quorum': unknown field; expected channel and stages",
        (f"{line_of(text, 'program-office')}:1: [governance], field 'channel': required: the Slack channel id "
         "(C… or G…) where proposals are reviewed"),
        (f"{line_of(text, 'approvers = []')}:1: stage 'Committee', field 'approvers': name at least one approver: "
         "Slack user ids (U…/W…) or user-group ids (S…)"),
        (f"{at_lower}:1: stage 'committee', field 'name': duplicate stage name; also used on "
         f"line {line_of(text, 'Committee')}"),
        (f"{at_chair}:28: stage 'committee', field 'approvers': name at least one approver: "
         "Slack user ids (U…/W…) or user-group ids (S…); 'chair' is neither"),
        f"{len(text.splitlines()) - 1}:1: stage #3, field 'name': required, as text",
    ]


def test_governance_without_stages_says_so():
    text = UNIVERSITY + '\n[governance]\nchannel = "C0GOVERN01"\n'
    assert problems_of(text) == [
        (f"{line_of(text, '[governance]')}:1: [governance], field 'stages': name at least one stage: "
         "[[governance.stages]] with a name and approvers")]


def test_a_proposed_credential_is_checked_against_the_catalog_with_the_file_check_messages():
    catalog = parse_catalog(UNIVERSITY + COMPUTING + BADGE)
    spec, problems = check_credential({
        "id": "sql-cert", "type": "certificate_practiced", "name": "SQL Certificate", "description": "d",
        "criteria": "c", "requires": ["sql"], "issuer": "computing", "review_every": "2y",
    }, catalog)
    assert problems == [] and spec.requires == ("sql",) and spec.issuer == "computing"

    spec, problems = check_credential({
        "id": "sql", "type": "certificate_expert", "name": "", "description": "d", "criteria": "c",
        "requires": ["sql", "nope"], "issuer": "library", "review_every": "soon",
    }, catalog)
    assert spec is None
    assert [str(p) for p in problems] == [
        "credential 'sql', field 'id': duplicate id; already in the catalog",
        "credential 'sql', field 'name': required, as text",
        ("credential 'sql', field 'review_every': how often the credential is evaluated: 'soon' is not a duration; "
         "use a positive number and a unit: 2y, 18m, 6w or 90d"),
        "credential 'sql', field 'issuer': unknown issuer 'library'; the catalog's issuers are university, computing",
        ("credential 'sql', field 'requires': 'sql' is a Digital Certificate (Expert); a Digital Certificate (Expert) stacks only "
         "Badge Level II badges"),
        "credential 'sql', field 'requires': unknown credential 'nope'",
    ]
    assert all(p.line is None for p in problems)
    # A change to an existing credential is not a duplicate of itself.
    spec, problems = check_credential({**_raw(catalog, "sql"), "name": "SQL, revised"}, catalog, new=False)
    assert problems == [] and spec.name == "SQL, revised"


def _raw(catalog, credential_id):
    spec = catalog.get(credential_id)
    return {"id": spec.id, "type": spec.type.value, "name": spec.name, "description": spec.description,
            "criteria": spec.criteria, "grantors": list(spec.grantors), "review_channel": spec.review_channel}


def test_issuer_admins_act_for_their_own_issuers_and_program_admins_for_all():
    catalog = parse_catalog(UNIVERSITY + COMPUTING + COMPUTING.replace('"computing"', '"library"')
                            .replace("U0DEAN0001", "U0LIBRARY1").replace("S0COMPUTE1", "S0LIBRARY1"))
    ctx = Context(sessions=None, roles=catalog.roles,  # type: ignore[arg-type] - never opened here
                  issuer_admins={i.id: i.admins for i in catalog.all_issuers},
                  directory=StaticDirectory({"S0COMPUTE1": {"U0MEMBER01"}}))
    assert ctx.is_issuer_admin("U0DEAN0001", "computing") and not ctx.is_issuer_admin("U0DEAN0001", "library")
    assert ctx.is_issuer_admin("U0MEMBER01", "computing")  # through the computing admins' user group
    assert ctx.administered_issuers("U0MEMBER01") == {"computing"}
    assert ctx.administered_issuers("U0LIBRARY1") == {"library"}
    assert ctx.administered_issuers("U0STRANGER") == set()
    assert ctx.administered_issuers("U0ADMIN001") is None and ctx.is_issuer_admin("U0ADMIN001", "library")
