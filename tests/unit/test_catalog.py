"""The catalog file: every problem reported at once, each at LINE:COL with its credential and field."""
from __future__ import annotations

import pytest

from bot.domain.vocabulary import CredentialType
from config.catalog import CatalogError, load_catalog, parse_catalog
from config.settings import EXAMPLE_CATALOG

ISSUER = """
[issuer]
name = "Test U"
url = "https://test.example.edu"
email = "badges@test.example.edu"

[roles]
admins = ["U0ADMIN001"]
hosts = ["S0HOSTS001"]
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text)
    return [str(p) for p in caught.value.problems]


def test_the_example_catalog_is_a_realistic_program():
    catalog = load_catalog(EXAMPLE_CATALOG)
    count = {t: sum(c.type is t for c in catalog.credentials) for t in CredentialType}
    assert count[CredentialType.SOUVENIR] >= 1
    assert count[CredentialType.BADGE_LEVEL_1] >= 3 and count[CredentialType.BADGE_LEVEL_2] >= 3
    assert count[CredentialType.CERTIFICATE_PRACTICED] >= 1 and count[CredentialType.CERTIFICATE_EXPERT] >= 1
    assert any(c.approvals_required > 1 for c in catalog.credentials)
    assert any(c.expires_after for c in catalog.credentials)


def test_a_broken_catalog_lists_every_problem_with_credential_field_and_line():
    text = ISSUER + """
[[credentials]]
id = "sql"
type = "badge_level_1"
name = "SQL"
description = "d"
criteria = "c"
grantors = []
review_channel = "reviews"

[[credentials]]
id = "sql"
type = "badge_level_2"
name = "SQL again"
description = "d"
criteria = "c"
grantors = ["U0G1"]
review_channel = "C0REV"
approvals_required = 3

[[credentials]]
id = "party"
type = "souvenir"
name = "Party"
description = "d"
criteria = "c"
grantors = ["U0G1"]

[[credentials]]
id = "cert"
type = "certificate_practiced"
name = "Cert"
description = "d"
criteria = "c"
requires = ["sql", "nope", "party"]
expires_after = "forever"

[[credentials]]
id = "Bad Id"
type = "badge_level_3"
name = ""
"""
    found = problems_of(text)
    expected = [
        "17:1: credential 'sql', field 'grantors': name at least one grantor",
        "18:1: credential 'sql', field 'review_channel': required",
        # A duplicate names where the id was first used, not a count of entries to do by hand.
        "21:1: credential 'sql', field 'id': duplicate id; also used on line 12",
        "28:1: credential 'sql', field 'approvals_required': needs 3 approvals but names only 1 grantor",
        "36:1: credential 'party', field 'grantors': souvenirs are issued by event hosts",
        # Within a list, the column of the offending value.
        "44:20: credential 'cert', field 'requires': unknown credential 'nope'",
        "44:28: credential 'cert', field 'requires': 'party' is a Souvenir",
        "45:1: credential 'cert', field 'expires_after': 'forever' is not a duration",
        "48:1: credential 'Bad Id', field 'id': must be a slug",
        "49:1: credential 'Bad Id', field 'type': must be one of",
        "50:1: credential 'Bad Id', field 'name': required",
        # What is missing is reported at its entry's [[credentials]] line.
        "47:1: credential 'Bad Id', field 'description': required",
    ]
    for want in expected:
        assert any(p.startswith(want) for p in found), f"{want!r} not in {found}"
    assert len(found) == len(expected) + 1  # and the last entry's criteria, missing too


def test_a_practiced_certificate_stacks_only_level_one_and_expert_only_level_two():
    badges = """
[[credentials]]
id = "one"
type = "badge_level_1"
name = "One"
description = "d"
criteria = "c"
grantors = ["U0G1"]
review_channel = "C0REV"

[[credentials]]
id = "two"
type = "badge_level_2"
name = "Two"
description = "d"
criteria = "c"
grantors = ["U0G1"]
review_channel = "C0REV"
"""
    cert = """
[[credentials]]
id = "{id}"
type = "{type}"
name = "C"
description = "d"
criteria = "c"
requires = [{requires}]
"""
    ok = ISSUER + badges + cert.format(id="pc", type="certificate_practiced", requires='"one"') + cert.format(
        id="ec", type="certificate_expert", requires='"two"')
    assert [c.id for c in parse_catalog(ok).credentials] == ["one", "two", "pc", "ec"]
    wrong = ISSUER + badges + cert.format(id="pc", type="certificate_practiced", requires='"two"') + cert.format(
        id="ec", type="certificate_expert", requires='"one"')
    found = problems_of(wrong)
    assert any("credential 'pc', field 'requires': 'two' is a Badge Level II" in p for p in found)
    assert any("credential 'ec', field 'requires': 'one' is a Badge Level I" in p for p in found)


def test_issuer_and_roles_are_checked():
    found = problems_of("""
[issuer]
name = "X"
url = "not a url"
email = "nobody"
color = "red"

[roles]
admins = ["alice"]
""")
    assert "4:1: [issuer], field 'url': 'not a url' is not an http(s) URL" in found
    assert "5:1: [issuer], field 'email': 'nobody' is not an email address" in found
    assert "6:1: [issuer], field 'color': unknown field" in found
    assert any(p.startswith("9:11: [roles], field 'admins': must be a list of Slack user ids") and "'alice'" in p
               for p in found)


def test_what_is_missing_altogether_is_reported_at_the_top_and_unknown_keys_where_they_are():
    found = problems_of('title = "Badges"\n\n[roles]\nadmins = ["U0ADMIN001"]\n\n[extras]\nx = 1\n')
    assert "1:1: [issuer], field 'issuer': missing: name, url and email of the issuing institution" in found
    assert ("1:1: catalog, field 'title': unknown top-level key; expected [issuer], [[issuers]], [roles], "
            "[governance], [[credentials]]") in found
    assert ("6:1: catalog, field 'extras': unknown top-level key; expected [issuer], [[issuers]], [roles], "
            "[governance], [[credentials]]") in found
    [missing_roles] = problems_of(ISSUER.split("[roles]")[0])
    assert missing_roles == "1:1: [roles], field 'admins': name at least one administrator"


def test_toml_syntax_errors_name_the_line_and_column():
    [problem] = problems_of(ISSUER + "\n[[credentials]]\nid = \n")
    assert problem == "12:6: not valid TOML: Invalid value"
    [unterminated] = problems_of('[issuer]\nname = "Test U')
    assert unterminated == "2:15: not valid TOML: Unterminated string at the end of the file"


def test_every_problem_is_located_in_its_file(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text(ISSUER + "\n[[credentials]]\nid = \n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert str(caught.value) == f"{path}: 1 problem\n  {path}:12:6: not valid TOML: Invalid value"
    with pytest.raises(CatalogError) as unreadable:
        load_catalog(tmp_path / "nonexistent.toml")
    [problem] = unreadable.value.problems
    assert problem.located(tmp_path / "nonexistent.toml") == (
        f"{tmp_path / 'nonexistent.toml'}: cannot read the catalog: No such file or directory")
