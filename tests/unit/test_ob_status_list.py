"""W3C Bitstring Status List: places from award ids, the encoding, the signed list, and reading a bit.

Pure (no database): the lists are built and signed as the web route does, and a verifier reads them
through a fetch that answers with what the route would serve.
"""
from __future__ import annotations

import base64
import copy
import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from bot.adapters.images import BadgeRenderer
from bot.adapters.openbadges import status_list
from bot.adapters.openbadges.keys import KeyStore
from bot.adapters.openbadges.service import OpenBadges
from bot.adapters.openbadges.spec import check_credential
from bot.adapters.openbadges.status_list import LIST_SIZE, StatusListError
from bot.adapters.openbadges.verify import Fetched, Verifier
from bot.domain.vocabulary import CredentialType
from bot.urls import PublicUrls
from bot.usecases.credentials import AwardRecord, CredentialRecord
from config.catalog import Catalog, Issuer, Roles
from tests.conftest import T0
from tests.unit.test_openbadges import schema_errors

BASE = "https://badges.test.example.edu"
URLS = PublicUrls.of(BASE)
ISSUER = Issuer(name="Office of Micro-Credentials", url="https://example.edu", email="badges@example.edu")
# The all-zero 16 KB list in the spec's own example (W3C Bitstring Status List, section 2.2).
SPEC_EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_an_award_s_place_comes_from_its_database_id() -> None:
    assert status_list.place_of(1) == status_list.Place(0, 1)
    assert status_list.place_of(LIST_SIZE - 1) == status_list.Place(0, LIST_SIZE - 1)
    assert status_list.place_of(LIST_SIZE + 5) == status_list.Place(1, 5)
    assert LIST_SIZE >= 131_072  # the spec's minimum, for herd privacy
    with pytest.raises(ValueError):
        status_list.place_of(-1)


def test_the_entry_is_a_revocation_bit_in_an_issuer_wide_list() -> None:
    assert status_list.entry(LIST_SIZE + 42, URLS) == {
        "id": f"{BASE}/status/lists/1#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": f"{BASE}/status/lists/1",
    }


def test_the_spec_s_example_list_decodes_to_16_kb_of_zeros() -> None:
    bits = status_list.decode(SPEC_EMPTY_LIST)
    assert len(bits) == 16 * 1024 and not any(bits)


def test_encoding_is_gzip_then_multibase_base64url_with_bit_0_first() -> None:
    encoded = status_list.encode([0, 9, LIST_SIZE - 1])
    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) == LIST_SIZE // 8
    assert raw[0] == 0b1000_0000 and raw[1] == 0b0100_0000 and raw[-1] == 0b0000_0001
    assert sum(b.bit_count() for b in raw) == 3
    bits = status_list.decode(encoded)
    assert [i for i in (0, 1, 8, 9, 10, LIST_SIZE - 1) if status_list.bit(bits, i)] == [0, 9, LIST_SIZE - 1]
    assert status_list.encode([]) == status_list.encode([])  # deterministic: no gzip timestamp


@pytest.mark.parametrize("bad, says", [
    ("zNotBase64url", "must start with 'u'"),
    ("u" + base64.urlsafe_b64encode(b"plain, not gzip").decode().rstrip("="), "not GZIP"),
    (42, "must start with 'u'"),
])
def test_a_malformed_list_is_named_as_such(bad: object, says: str) -> None:
    with pytest.raises(StatusListError, match=says):
        status_list.decode(bad)


def test_a_bit_outside_the_list_is_an_error_not_a_zero() -> None:
    with pytest.raises(StatusListError, match="outside"):
        status_list.bit(status_list.decode(SPEC_EMPTY_LIST), LIST_SIZE)


# ------------------------------------------------------------------------------------ verifying


@pytest.fixture
def ob(tmp_path: Path) -> OpenBadges:
    catalog = Catalog(issuer=ISSUER, roles=Roles(), credentials=())
    return OpenBadges(catalog, URLS, KeyStore(tmp_path / "keys"), BadgeRenderer(tmp_path / "images"))


def award(award_id: int) -> AwardRecord:
    credential = CredentialRecord(
        slug="sql-basics", type=CredentialType.BADGE_LEVEL_1, name="SQL Basics", description="Queries.",
        criteria="Submit queries.", skills=("SQL",), image=None, distinction_allowed=False, expires_after=None,
        requires=())
    return AwardRecord(public_id=f"Pub{award_id:013d}", credential=credential, learner_name="Zoë",
                       distinction=False, issued_at=T0, expires_at=None, revoked_at=None, shared=True,
                       assessed_at=T0, approvals=1, learner_slack_id="U0LEARNER1", award_id=award_id)


class Published:
    """What the web app publishes for `ob`: the profile, the keys, and status lists of `revoked` ids."""

    def __init__(self, ob: OpenBadges):
        self.ob = ob
        self.revoked: set[int] = set()
        self.lists: dict[int, dict] = {}  # a served list, to tamper with in a test

    def list_doc(self, number: int) -> dict:
        if number not in self.lists:
            ids = [i for i in self.revoked if i in status_list.ids_in(number)]
            doc = status_list.list_credential(number, ids, self.ob.urls.issuer, self.ob.urls, valid_from=T0)
            return self.ob.add_proof(doc, created=T0)
        return self.lists[number]

    def __call__(self, url: str, accept: str) -> Fetched:
        if url == f"{BASE}/issuer":
            return Fetched(200, "application/ld+json", json.dumps(self.ob.issuer_profile()).encode())
        if url == f"{BASE}/.well-known/jwks.json":
            return Fetched(200, "application/json", json.dumps(self.ob.jwks()).encode())
        if url.startswith(f"{BASE}/keys/"):
            jwk = self.ob.public_jwk(url.rsplit("/", 1)[1])
            return Fetched(200 if jwk else 404, "application/jwk+json", json.dumps(jwk).encode())
        if url.startswith(f"{BASE}/status/lists/"):
            return Fetched(200, "application/vc+ld+json", json.dumps(self.list_doc(int(url.rsplit("/", 1)[1]))).encode())
        return Fetched(404, "text/plain", b"")


def test_a_credential_with_a_bitstring_entry_passes_the_official_schema(ob: OpenBadges) -> None:
    doc = ob.credential(award(LIST_SIZE + 7), proof=True)
    assert doc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert schema_errors(doc) == [] and check_credential(doc) == []


def test_a_credential_is_valid_until_its_bit_is_set(ob: OpenBadges) -> None:
    published = Published(ob)
    credential = ob.credential(award(LIST_SIZE + 7), proof=True)
    assert credential["credentialStatus"]["statusListCredential"] == f"{BASE}/status/lists/1"
    verifier = Verifier(published, lambda: T0 + dt.timedelta(days=1))

    before = verifier.verify_bytes(json.dumps(credential).encode())
    assert before.valid, before.reasons
    assert "not revoked (bitstring status list, index 7)" in before.checks

    published.revoked.add(LIST_SIZE + 8)  # a neighbour's revocation is not ours
    assert verifier.verify_bytes(json.dumps(credential).encode()).valid

    published.revoked.add(LIST_SIZE + 7)
    after = verifier.verify_bytes(json.dumps(credential).encode())
    assert not after.valid and after.status == "revoked"
    assert "revoked by its issuer" in after.reasons


def test_the_list_s_own_signature_is_checked(ob: OpenBadges) -> None:
    """Anyone who could serve a list could otherwise un-revoke a credential: a list that was altered fails."""
    published = Published(ob)
    published.revoked.add(3)
    forged = copy.deepcopy(published.list_doc(0))
    forged["credentialSubject"]["encodedList"] = status_list.encode([])  # "nothing is revoked"
    published.lists[0] = forged
    result = Verifier(published, lambda: T0).verify_bytes(json.dumps(ob.credential(award(3), proof=True)).encode())
    assert not result.valid and result.status == "invalid"
    assert any("status list" in r and "not authentic" in r for r in result.reasons), result.reasons


def test_a_list_from_another_issuer_or_for_another_purpose_is_refused(ob: OpenBadges) -> None:
    published = Published(ob)
    credential = ob.credential(award(3), proof=True)
    for change, says in ((lambda d: d.update(issuer="https://elsewhere.example"), "issued by"),
                         (lambda d: d["credentialSubject"].update(statusPurpose="suspension"), "is for suspension")):
        doc = status_list.list_credential(0, [], ob.urls.issuer, ob.urls, valid_from=T0)
        change(doc)
        published.lists[0] = ob.add_proof(doc, created=T0)
        result = Verifier(published, lambda: T0).verify_bytes(json.dumps(credential).encode())
        assert not result.valid and any(says in r for r in result.reasons), result.reasons


def test_a_list_shorter_than_the_spec_s_minimum_is_refused(ob: OpenBadges) -> None:
    published = Published(ob)
    doc = status_list.list_credential(0, [], ob.urls.issuer, ob.urls, valid_from=T0)
    doc["credentialSubject"]["encodedList"] = status_list.encode([], size=1024)
    published.lists[0] = ob.add_proof(doc, created=T0)
    result = Verifier(published, lambda: T0).verify_bytes(json.dumps(ob.credential(award(3), proof=True)).encode())
    assert not result.valid and any("fewer than the 131072" in r for r in result.reasons), result.reasons


def test_an_unreachable_list_is_never_called_not_revoked(ob: OpenBadges) -> None:
    published = Published(ob)

    def down(url: str, accept: str) -> Fetched:
        if "/status/lists/" in url:
            raise OSError("connection refused")
        return published(url, accept)

    result = Verifier(down, lambda: T0).verify_bytes(json.dumps(ob.credential(award(3), proof=True)).encode())
    assert not result.valid
    assert any("could not be fetched (connection refused)" in r for r in result.reasons), result.reasons


@pytest.mark.parametrize("change, says", [
    ({"statusListIndex": 7}, "statusListIndex 7 is not"),
    ({"statusListIndex": "-1"}, "statusListIndex '-1' is not"),
    ({"statusListCredential": None}, "names no statusListCredential"),
    ({"statusPurpose": ""}, "no statusPurpose"),
])
def test_a_malformed_entry_says_what_is_wrong(change: dict, says: str) -> None:
    credential = {"issuer": {"id": f"{BASE}/issuer"},
                  "credentialStatus": {**status_list.entry(3, URLS), **change}}
    found = status_list.check_status(credential, lambda url, accept: pytest.fail("nothing to fetch"))
    assert not found.revoked and any(says in p for p in found.problems), found.problems


def test_without_a_list_verifier_the_answer_says_the_list_was_not_authenticated(ob: OpenBadges) -> None:
    found = status_list.check_status(ob.credential(award(3)), Published(ob), now=T0)
    assert found.problems == () and not found.revoked
    assert found.warnings == (f"the signature of the status list at {BASE}/status/lists/0 was not checked",)
