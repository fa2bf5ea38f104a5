"""The catalog file: every problem reported at once, each naming its credential, field and line."""
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
        "line 17: credential 'sql', field 'grantors': name at least one grantor",
        "line 18: credential 'sql', field 'review_channel': required",
        "line 21: credential 'sql', field 'id': duplicate id",
        "line 28: credential 'sql', field 'approvals_required': needs 3 approvals but names only 1",
        "line 36: credential 'party', field 'grantors': souvenirs are issued by event hosts",
        "line 44: credential 'cert', field 'requires': unknown credential 'nope'",
        "line 44: credential 'cert', field 'requires': 'party' is a Souvenir",
        "line 45: credential 'cert', field 'expires_after': 'forever' is not a duration",
        "credential 'Bad Id', field 'id': must be a slug",
        "credential 'Bad Id', field 'type': must be one of",
        "credential 'Bad Id', field 'name': required",
    ]
    for want in expected:
        assert any(want in p for p in found), f"{want!r} not in {found}"
    assert len(found) >= len(expected) + 2  # description and criteria of the last one are missing too


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
    assert any("[issuer], field 'url'" in p for p in found)
    assert any("[issuer], field 'email'" in p for p in found)
    assert any("[issuer], field 'color': unknown field" in p for p in found)
    assert any("[roles], field 'admins'" in p for p in found)


def test_toml_syntax_errors_name_the_line():
    [problem] = problems_of(ISSUER + "\n[[credentials]]\nid = \n")
    assert "not valid TOML" in problem and "line" in problem
