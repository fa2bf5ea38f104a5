"""Third-party Open Badges 3.0 fixtures (1EdTech's validator test files): what must verify, what must not."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.adapters.openbadges import baking
from bot.adapters.openbadges.verify import Fetched, Verifier
from tests.conftest import standards

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


def offline(url: str, accept: str) -> Fetched:
    raise OSError(f"no network in tests ({url})")


@pytest.fixture
def verifier() -> Verifier:
    return Verifier(offline, lambda: NOW)


def fixture(name: str) -> bytes:
    return standards("openbadges", "fixtures-1edtech", name).read_bytes()


def test_the_baked_vc_jwt_verifies_with_the_key_in_its_header(verifier):
    png = fixture("simple-jwt.png")
    header = baking.unbake_png(png).split(".")[0]
    assert len(header) > 512  # the header that some JOSE libraries refuse by default
    result = verifier.verify_bytes(png)
    assert result.valid, result.reasons
    assert result.format == "png" and result.name == "Teamwork Badge"
    assert any("RS256 signature verified with the public key in the JWT header" in c for c in result.checks)


def test_the_older_draft_jwt_is_not_called_valid(verifier):
    result = verifier.verify_bytes(fixture("simple.jwt"))
    assert not result.valid
    assert any("names no key" in r for r in result.reasons)
    assert any("older draft" in r for r in result.reasons)


@pytest.mark.parametrize("step", [1, 7, 97])
def test_tampered_copies_of_the_baked_jwt_fail(verifier, step):
    png = fixture("simple-jwt.png")
    for index in range(0, len(png), step * 211):
        tampered = bytearray(png)
        tampered[index] = (tampered[index] + 1) % 256
        assert not verifier.verify_bytes(bytes(tampered)).valid, index


def test_a_tampered_credential_rebaked_with_a_good_checksum_fails(verifier):
    png = fixture("simple-jwt.png")
    token = baking.unbake_png(png)
    header, payload, signature = token.split(".")
    import base64
    import json

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "Forged Badge"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    rebaked = baking.bake_png(png, f"{header}.{forged_payload}.{signature}")
    result = verifier.verify_bytes(rebaked)
    assert not result.valid and any("signature" in r for r in result.reasons)


def test_every_single_character_change_to_the_fixture_jwt_fails(verifier):
    token = baking.unbake_png(fixture("simple-jwt.png"))
    for index in range(len(token)):
        changed = "A" if token[index] != "A" else "B"
        assert not verifier.verify_jwt(token[:index] + changed + token[index + 1:]).valid, index


@pytest.mark.parametrize("name", ["simple.json", "simple-json.png", "simple-json.svg"])
def test_embedded_proofs_are_never_reported_valid_without_checking(verifier, name):
    result = verifier.verify_bytes(fixture(name))
    assert not result.valid
    assert result.credential is not None and result.credential["name"] == "Teamwork Badge"


def test_an_unsigned_credential_is_not_valid(verifier):
    result = verifier.verify_bytes(fixture("simple-noproof.json"))
    assert not result.valid and any("unsigned" in r for r in result.reasons)
