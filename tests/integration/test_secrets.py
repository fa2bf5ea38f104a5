"""Replicas share nothing but the database: the server secret (check-in codes, artifact links, cookies),
the issuer's signing keys and the subject-id secret are kept there, made once however many replicas
start together, adopted from an older data directory, and rotated without breaking what was issued."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.adapters.openbadges.keys import EDDSA, RS256, KeyStore
from bot.adapters.openbadges.service import OpenBadges
from bot.adapters.openbadges.verify import Fetched, Verifier
from bot.adapters.signing import SecretVault, Signer, load_or_create_secret
from bot.clock import FixedClock
from bot.usecases.awards import set_shared
from bot.usecases.campus_events import checkin, hosting
from bot.usecases.campus_events.checkin import CheckInRefused
from bot.usecases.campus_events.hosting import EventDraft
from bot.usecases.credentials import award_record
from config.catalog import Catalog
from config.settings import load_settings
from handlers.bootstrap import Badgebot, bootstrap
from handlers.cli.main import main
from tests.conftest import T0
from tests.helpers import earn, run_together

LEARNER, HOST = "U0LEARN001", "U0HOST0001"
PUBLIC_URL = "https://badges.test.example.edu"


@pytest.fixture
def replica(database_url, engine, clock, directory, catalog: Catalog, tmp_path: Path):
    """Start another replica of the bot on the test's database with a data directory of its own."""
    started: list[Badgebot] = []

    def start(name: str) -> Badgebot:
        settings = load_settings(database_url=database_url, data_dir=tmp_path / name, public_url=PUBLIC_URL)
        started.append(bootstrap(settings, clock=clock, directory=directory, catalog=catalog))
        started[-1].upgrade_database()  # as `badgebot serve` starts: migrated, shared secrets read
        return started[-1]

    yield start
    for bot in started:
        bot.close()


def verifier_of(bot: Badgebot) -> Verifier:
    """Verification that fetches the issuer's keys from `bot`'s own web app (never the network)."""
    web = bot.web.test_client()

    def fetch(url: str, accept: str) -> Fetched:
        assert url.startswith(PUBLIC_URL + "/"), f"tried to leave the test server: {url}"
        response = web.get(urlparse(url).path, headers={"Accept": accept})
        return Fetched(response.status_code, response.content_type or "", response.get_data())

    return Verifier(fetch, bot.ctx.clock)


def shared_award(bot: Badgebot, slug: str = "sql-basics") -> str:
    public_id = earn(bot.ctx, LEARNER, slug).award_public_ids[0]
    set_shared(bot.ctx, LEARNER, slug, True)
    return public_id


def test_replicas_with_their_own_data_directories_agree(badgebot, replica):
    a, b = badgebot, replica("b")
    # What A signs, B accepts: a grantor's artifact link made by A opens on B, and not a forged one.
    query = parse_qs(urlparse(a.artifact_links.link(7)).query)
    expires, sig = query["exp"][0], query["sig"][0]
    assert b.artifact_links.valid(7, expires, sig)
    assert not b.artifact_links.valid(8, expires, sig)
    # Both publish the same keys, and a credential A issued verifies against B's published keys.
    assert b.web.test_client().get("/.well-known/jwks.json").json == a.web.test_client().get(
        "/.well-known/jwks.json").json
    public_id = shared_award(a)
    jwt = a.web.test_client().get(f"/a/{public_id}/credential.jwt").get_data(as_text=True)
    assert verifier_of(b).verify_jwt(jwt).valid
    # The learner's subject id is the same whichever replica builds the credential.
    assert b.web.test_client().get(f"/a/{public_id}/credential.jwt").get_data(as_text=True) == jwt
    assert not (b.settings.data_dir / "secret.key").exists() and not (b.settings.data_dir / "keys").exists()


def test_a_check_in_code_from_one_replica_is_accepted_by_another(badgebot, replica, clock):
    b = replica("b")
    now = clock()
    event = hosting.create_event(badgebot.ctx, HOST, EventDraft(
        name="Data Viz Meetup", souvenir="data-viz-meetup", starts_at=now + dt.timedelta(minutes=15),
        ends_at=now + dt.timedelta(hours=2), opens_at=now))
    _, code = hosting.current_code(badgebot.ctx, badgebot.signer, HOST, event.id)   # on A's door screen
    result = checkin.check_in(b.ctx, b.signer, code, LEARNER, "Ana")                # a phone reaches B
    assert result.new and result.souvenir == "data-viz-meetup"
    with pytest.raises(CheckInRefused):
        checkin.check_in(b.ctx, Signer(b"another bot's secret" * 2), code, "U0LEARN002", "Bo")


def test_an_older_data_directory_is_adopted_so_nothing_issued_stops_verifying(replica, tmp_path):
    old = tmp_path / "old"
    secret = load_or_create_secret(old)                        # what the data directory held before
    old_keys = KeyStore(old / "keys")
    thumbprints = {key.thumbprint for key in old_keys.all()}
    subject_secret = old_keys.secret()

    first = replica("old")
    code = Signer(secret).sign("checkin", 42, length=10)
    assert first.signer.check(code, "checkin", 42, length=10)
    assert {key.thumbprint for key in first.open_badges.keys.all()} == thumbprints
    assert first.open_badges.keys.secret() == subject_secret
    # A replica started later, with an empty data directory, has the adopted ones too.
    later = replica("new")
    assert later.signer.check(code, "checkin", 42, length=10)
    assert {key.thumbprint for key in later.open_badges.keys.all()} == thumbprints
    assert later.open_badges.keys.secret() == subject_secret


def test_replicas_that_each_signed_with_their_own_key_keep_what_they_signed_verifying(replica, tmp_path):
    """Before replicas shared the database's keys, each signed with its data directory's own: after the
    upgrade, one key signs for all, and every replica's old key stays published."""
    a_keys, b_keys = KeyStore(tmp_path / "a" / "keys"), KeyStore(tmp_path / "b" / "keys")
    a_old, b_old = a_keys.get(RS256), b_keys.get(RS256)
    a, b = replica("a"), replica("b")
    a.load_catalog("test")
    public_id = shared_award(a)
    record = award_record(a.ctx, public_id)
    # What B signed with its own key before the upgrade (its subject-id secret was its own too).
    signed_by_b = OpenBadges(a.catalog, a.urls, b_keys, a.open_badges.renderer).jwt(record)

    for bot in (a, b):
        assert bot.open_badges.keys.get(RS256).thumbprint == a_old.thumbprint   # the first start's signs
        published = {k["kid"] for k in bot.web.test_client().get("/.well-known/jwks.json").json["keys"]}
        assert {bot.open_badges.kid(a_old), bot.open_badges.kid(b_old)} <= published
        assert verifier_of(bot).verify_jwt(signed_by_b).valid
    assert b.open_badges.keys.rotate(RS256).thumbprint not in {a_old.thumbprint, b_old.thumbprint}


def test_replicas_starting_together_make_one_secret_and_one_key(database_url, engine, tmp_path):
    bots = [bootstrap(load_settings(database_url=database_url, data_dir=tmp_path / f"r{i}")) for i in range(3)]
    try:
        signatures = run_together(*(lambda bot=bot: bot.signer.sign("x") for bot in bots))
        thumbprints = run_together(*(lambda bot=bot: bot.open_badges.keys.get(EDDSA).thumbprint for bot in bots))
    finally:
        for bot in bots:
            bot.close()
    assert len(set(signatures)) == 1, signatures
    assert len(set(thumbprints)) == 1, thumbprints


def test_a_secret_is_kept_once_whoever_writes_first(badgebot):
    vault = SecretVault(badgebot.ctx.transaction, badgebot.ctx.reading, FixedClock(T0))
    first = vault.secret("test-secret", adopt=b"\x01" * 32)
    assert vault.secret("test-secret", adopt=b"\x02" * 32) == first == b"\x01" * 32


def test_rotation_signs_new_credentials_with_the_new_key_and_old_ones_keep_verifying(badgebot, replica):
    public_id = shared_award(badgebot)
    web = badgebot.web.test_client()
    before_rs = web.get(f"/a/{public_id}/credential.jwt").get_data(as_text=True)
    before_ed = web.get(f"/a/{public_id}/credential.jwt?alg=EdDSA").get_data(as_text=True)
    old_rs, old_ed = badgebot.open_badges.keys.get(RS256), badgebot.open_badges.keys.get(EDDSA)

    new_rs = badgebot.open_badges.keys.rotate(RS256)
    new_ed = badgebot.open_badges.keys.rotate(EDDSA)
    assert {new_rs.thumbprint, new_ed.thumbprint}.isdisjoint({old_rs.thumbprint, old_ed.thumbprint})

    # A replica started after the rotation: signs with the new keys, publishes old and new.
    b = replica("b")
    published = {k["kid"] for k in b.web.test_client().get("/.well-known/jwks.json").json["keys"]}
    assert {badgebot.open_badges.kid(k) for k in (old_rs, old_ed, new_rs, new_ed)} <= published
    verifier = verifier_of(b)
    for token in (before_rs, before_ed):
        assert verifier.verify_jwt(token).valid, verifier.verify_jwt(token).reasons
    after = b.web.test_client().get(f"/a/{public_id}/credential.jwt").get_data(as_text=True)
    assert after != before_rs and verifier.verify_jwt(after).valid
    assert b.open_badges.keys.get(RS256).thumbprint == new_rs.thumbprint


def test_keys_rotate_from_the_command_line(badgebot, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", badgebot.settings.effective_database_url)
    monkeypatch.setenv("BADGEBOT_DATA_DIR", str(tmp_path / "cli-data"))
    old = badgebot.open_badges.keys.get(RS256).thumbprint
    assert main(["keys", "rotate", "--alg", "RS256"]) == 0
    out = capsys.readouterr().out
    assert "stays published" in out and old in out
    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in listed] == [["RS256", "#1"], ["RS256", "#2"], ["EdDSA", "#1"]]
    assert old in listed[0] and "signing" in listed[1] and "signing" in listed[2]
    with pytest.raises(SystemExit):  # argparse: "invalid choice: 'HS256' (choose from 'RS256', 'EdDSA')"
        main(["keys", "rotate", "--alg", "HS256"])
    assert "invalid choice: 'HS256'" in capsys.readouterr().err
