"""Badgebot's credentials, checked by verifiers nobody here wrote, on SQLite and PostgreSQL.

- the embedded eddsa-rdfc-2022 proofs and the Bitstring status list: Digital Bazaar's `@digitalbazaar/vc`
  with its Data Integrity cryptosuite and `vc-bitstring-status-list`, in Node.js (tests/js/verify.js,
  installed by scripts/test with `npm ci`), its JSON-LD contexts from its own npm packages;
- the VC-JWTs: PyJWT, checking the claims of Open Badges 3.0 section 8.2.

The issuer's documents (its profile or DID document, its status lists) are what the bot's web app
serves, fetched in process and handed to the verifier: nothing goes over the network. The one context no
npm package here ships, CLR 2.0's, is handed over too: the 1EdTech copy Badgebot ships.
"""
from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jwt
import pytest

from bot.adapters.openbadges import clr, jsonld, status_list
from bot.domain.vocabulary import Decision
from bot.runtime.web_server import serving
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.slack_client import SlackSide
from bot.usecases.awards import award_souvenir, revoke, set_shared
from bot.usecases.credentials import award_record
from bot.usecases.progress import learner_progress
from config.settings import load_settings
from handlers.bootstrap import bootstrap
from handlers.cli.main import main
from tests.helpers import earn
from tests.processes import wait_for

JS = Path(__file__).resolve().parent.parent / "js"
LEARNER = "U0LEARN001"
OTHER = "U0LEARN002"
# PyJWT would compare nbf and exp with the machine's clock: the claims are required, and their values
# are compared with the award's dates below instead, so no result depends on when the test runs.
AT_NO_TIME = {"require": ["iss", "sub", "jti", "nbf"], "verify_nbf": False, "verify_exp": False,
              "verify_aud": False}

if shutil.which("node") is None or not (JS / "node_modules").is_dir():
    # Not a skip: scripts/test installs it, and a suite without it has not verified anything.
    raise RuntimeError("the independent verifier is not installed: run scripts/test (npm ci --prefix tests/js)")


def node_verify(credential: dict[str, Any], documents: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(["node", str(JS / "verify.js")], input=json.dumps({"credential": credential,
                                                                              "documents": documents}),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def published(badgebot, web):
    """What a verifier would fetch for a credential: the controllers of its proofs' keys, its status lists."""
    base = badgebot.open_badges.urls.base

    def get(url: str) -> Any:
        if url.startswith("did:web:"):
            path = "/.well-known/did.json"
        else:
            assert url.startswith(base + "/"), f"tried to leave the test server: {url}"
            path = urlparse(url).path
        response = web.get(path, headers={"Accept": "application/ld+json, application/json"})
        assert response.status_code == 200, (url, response.status_code)
        return json.loads(response.get_data())

    def documents(credential: dict[str, Any]) -> dict[str, Any]:
        docs: dict[str, Any] = {clr.CLR_CONTEXT: jsonld.shipped_contexts()[clr.CLR_CONTEXT]}
        pending = [credential]
        while pending:
            doc = pending.pop()
            for proof in doc.get("proof", []):
                controller = proof["verificationMethod"].split("#")[0]
                docs.setdefault(controller, get(controller))
            status = doc.get("credentialStatus")
            if isinstance(status, dict) and "statusListCredential" in status:
                url = status["statusListCredential"]
                if url not in docs:
                    docs[url] = get(url)
                    pending.append(docs[url])
            pending.extend((doc.get("credentialSubject") or {}).get("verifiableCredential", []))
        return docs

    return documents


def every_kind_of_award(badgebot) -> dict[str, str]:
    """One award of every credential type, with shared Level II evidence: name -> public id."""
    ctx = badgebot.ctx
    award_souvenir(ctx, "U0HOST0001", "welcome-week-2026", [(LEARNER, "Zoë Ξανθή")])
    earn(ctx, LEARNER, "spreadsheet-fundamentals", Decision.APPROVE_WITH_DISTINCTION)
    earn(ctx, LEARNER, "sql-basics")
    earn(ctx, LEARNER, "data-visualization-foundations")  # completes data-analytics-practiced
    for slug in ("sql-analytics-professional", "dashboard-design-in-practice", "applied-statistical-modeling"):
        earn(ctx, LEARNER, slug)  # completes data-analytics-expert
    held = {h.credential: h.public_id for h in learner_progress(ctx, LEARNER).holdings}
    for slug in held:
        set_shared(ctx, LEARNER, slug, True)
    awards = {
        "souvenir": held["welcome-week-2026"],
        "level I": held["sql-basics"],
        "level I with distinction": held["spreadsheet-fundamentals"],
        "level II with evidence": held["sql-analytics-professional"],
        "certificate (practiced)": held["data-analytics-practiced"],
        "certificate (expert)": held["data-analytics-expert"],
    }
    assert award_record(ctx, awards["level I with distinction"]).distinction
    assert award_record(ctx, awards["level II with evidence"]).evidence
    return awards


def test_every_credential_type_verifies_with_digital_bazaar_s_verifier(badgebot, web, published):
    for kind, public_id in every_kind_of_award(badgebot).items():
        credential = json.loads(web.get(f"/a/{public_id}/credential.json").get_data())  # as a verifier gets it
        assert credential["proof"], kind
        result = node_verify(credential, published(credential))
        assert result["verified"], (kind, result["error"])
        assert result["status"] == {"checked": True, "revoked": False, "listVerified": True, "error": None}, kind


def test_a_tampered_copy_fails_the_independent_verifier(badgebot, published):
    public_id = every_kind_of_award(badgebot)["level II with evidence"]
    credential = badgebot.open_badges.credential(award_record(badgebot.ctx, public_id), proof=True)
    documents = published(credential)
    for change in (lambda c: c.update(name=c["name"] + " (Expert)"),
                   lambda c: c["credentialSubject"]["achievement"].update(name="Brain Surgery"),
                   lambda c: c.update(validFrom="2020-01-01T00:00:00Z")):
        tampered = copy.deepcopy(credential)
        change(tampered)
        result = node_verify(tampered, documents)
        assert not result["verified"] and "signature" in result["error"].lower(), result


def test_the_status_list_says_revoked_after_awards_revoke_and_not_before(badgebot, published, monkeypatch,
                                                                          tmp_path):
    ctx = badgebot.ctx
    earn(ctx, LEARNER, "sql-basics")
    earn(ctx, OTHER, "sql-basics")
    ours, theirs = (learner_progress(ctx, who).holdings[0].public_id for who in (LEARNER, OTHER))
    credential = badgebot.open_badges.credential(award_record(ctx, ours), proof=True)
    neighbour = badgebot.open_badges.credential(award_record(ctx, theirs), proof=True)
    assert credential["credentialStatus"]["statusListCredential"] \
        == neighbour["credentialStatus"]["statusListCredential"]  # one list for many: herd privacy

    before = node_verify(credential, published(credential))
    assert before["verified"] and before["status"]["revoked"] is False

    # As an administrator does it: the command line, on the same database.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", badgebot.settings.effective_database_url)
    monkeypatch.setenv("BADGEBOT_DATA_DIR", str(badgebot.settings.data_dir))
    # `--` first: a public id may begin with "-" (URL-safe base64), which argparse takes for an option.
    assert main(["awards", "revoke", "--reason", "Duplicate record", "--", ours]) == 0

    after = node_verify(credential, published(credential))  # the same copy the learner holds
    assert after["status"]["checked"] and after["status"]["listVerified"]
    assert after["status"]["revoked"] is True
    still = node_verify(neighbour, published(neighbour))
    assert still["status"]["revoked"] is False


def test_a_forged_status_list_is_caught_by_the_independent_verifier(badgebot, published):
    earn(badgebot.ctx, LEARNER, "sql-basics")
    public_id = learner_progress(badgebot.ctx, LEARNER).holdings[0].public_id
    credential = badgebot.open_badges.credential(award_record(badgebot.ctx, public_id), proof=True)
    documents = published(credential)
    listing = documents[credential["credentialStatus"]["statusListCredential"]]
    # Someone between the issuer and the verifier says the credential is revoked.
    index = int(credential["credentialStatus"]["statusListIndex"])
    listing["credentialSubject"]["encodedList"] = status_list.encode([index])
    result = node_verify(credential, documents)
    assert result["status"]["revoked"] is True  # what the bit says...
    assert result["status"]["listVerified"] is False  # ...is not what the issuer signed
    assert "does not verify" in result["status"]["error"]


@pytest.fixture
def admin_shell(badgebot, monkeypatch, tmp_path):
    """The command line on the test's database, as an administrator's environment would set it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", badgebot.settings.effective_database_url)
    monkeypatch.setenv("BADGEBOT_DATA_DIR", str(badgebot.settings.data_dir))
    monkeypatch.setenv("BADGEBOT_PUBLIC_URL", badgebot.open_badges.urls.base)
    return tmp_path


def test_the_clr_export_verifies_whole_and_in_every_part(badgebot, published, admin_shell):
    awards = every_kind_of_award(badgebot)
    assert main(["clr", "export", LEARNER, "-o", "transcript.json"]) == 0
    transcript = json.loads((admin_shell / "transcript.json").read_text())
    assert transcript["type"] == ["VerifiableCredential", "ClrCredential"]
    inside = {c["id"] for c in transcript["credentialSubject"]["verifiableCredential"]}
    urls = badgebot.open_badges.urls
    assert {urls.award_page(pid) for pid in awards.values()} <= inside
    links = {(a["sourceId"], a["targetId"]) for a in transcript["credentialSubject"]["association"]}
    assert (urls.achievement("data-analytics-expert"), urls.achievement("sql-analytics-professional")) in links
    assert (urls.achievement("data-analytics-practiced"), urls.achievement("sql-basics")) in links

    result = node_verify(transcript, published(transcript))
    assert result["verified"], result["error"]
    assert len(result["embedded"]) == len(inside) and all(e["verified"] for e in result["embedded"]), result
    assert all(e["status"]["checked"] and e["status"]["revoked"] is False for e in result["embedded"]), result

    tampered = copy.deepcopy(transcript)
    tampered["credentialSubject"]["verifiableCredential"].pop()  # leave a revoked-looking gap
    assert not node_verify(tampered, published(tampered))["verified"]
    assert main(["verify", "transcript.json"]) == 0  # and Badgebot's own verifier agrees


def test_a_revoked_award_leaves_the_next_transcript(badgebot, admin_shell, capsys):
    awards = every_kind_of_award(badgebot)
    assert main(["awards", "revoke", "--reason", "Not there", "--", awards["souvenir"]]) == 0
    capsys.readouterr()
    assert main(["clr", "export", LEARNER]) == 0
    transcript = json.loads(capsys.readouterr().out)
    inside = {c["id"] for c in transcript["credentialSubject"]["verifiableCredential"]}
    assert badgebot.open_badges.urls.award_page(awards["souvenir"]) not in inside
    assert badgebot.open_badges.urls.award_page(awards["level I"]) in inside


@pytest.mark.parametrize("user, says", [("U0NOBODY99", "nothing to put on a transcript"),
                                        ("zoe@example.edu", "not a Slack user id")])
def test_clr_export_refuses_plainly(badgebot, admin_shell, capsys, user, says):
    assert main(["clr", "export", user]) == 1
    assert says in capsys.readouterr().err


@pytest.fixture
def slack_world(database_url, engine, catalog, tmp_path, monkeypatch):
    """The bot served over HTTP with Slack played by the emulator (signed requests in, real slack_sdk out)."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    with SlackEmulator(bot_token="xoxb-clr", signing_secret="clr-secret") as emulator:
        for user_id, name in ((LEARNER, "zoe"), (OTHER, "bo"), ("U0GRANT001", "dr.grant"), ("U0GRANT009", "dr.nine")):
            emulator.add_user(name, id=user_id)
        emulator.add_usergroup("faculty", ["U0GRANT001", "U0GRANT009"], id="S0FACULTY1")
        settings = load_settings(database_url=database_url, data_dir=tmp_path / "data", slack_bot_token="xoxb-clr",
                                 slack_signing_secret="clr-secret", slack_api_url=emulator.api_url)
        with serving(lambda *a: bot.web(*a)) as server:
            bot = bootstrap(settings, catalog=catalog, public_url=server.url)
            bot.load_catalog("test")
            bot.start(scheduler=False)
            try:
                with SlackSide(emulator, f"{server.url}/slack/events", "clr-secret") as slack:
                    yield emulator, slack, bot
            finally:
                bot.close()


def test_badges_transcript_sends_a_file_that_the_independent_verifier_accepts(slack_world):
    emulator, slack, bot = slack_world
    for slug in ("business-writing", "presentation-skills"):  # completes professional-communication-practiced
        earn(bot.ctx, LEARNER, slug)

    answer = slack.command(LEARNER, "transcript")
    assert answer.status == 200 and "Making your transcript of 3 credentials" in answer.body
    messages = wait_for(lambda: [m for m in emulator.messages(emulator.dm_channel_of(LEARNER)) if m.files], 30,
                        "the transcript in the learner's DM")
    assert messages, "no transcript arrived"
    [message] = messages
    assert "Your transcript: 3 credentials" in message.text
    stored = emulator.file(message.files[0]["id"])
    transcript = json.loads(stored.content)
    assert transcript["type"] == ["VerifiableCredential", "ClrCredential"]

    # The profiles that control the proofs' keys: the university's (the transcript) and its units' (the
    # credentials inside it), as a verifier fetches them.
    documents = {clr.CLR_CONTEXT: jsonld.shipped_contexts()[clr.CLR_CONTEXT]}
    for signed in (transcript, *transcript["credentialSubject"]["verifiableCredential"]):
        controller = signed["proof"][0]["verificationMethod"].split("#")[0]
        documents[controller] = json.loads(bot.web.test_client().get(
            urlparse(controller).path, headers={"Accept": "application/ld+json"}).get_data())
    assert len(documents) == 3  # the university and Career Services
    result = node_verify(transcript, documents)
    assert result["verified"], result["error"]
    assert len(result["embedded"]) == 3 and all(e["verified"] for e in result["embedded"])


def test_badges_transcript_with_nothing_held_says_so_at_once(slack_world):
    emulator, slack, _bot = slack_world
    answer = slack.command(OTHER, "transcript")
    assert answer.status == 200 and "nothing to put on a transcript" in answer.body
    assert not any(m.files for m in emulator.messages(emulator.dm_channel_of(OTHER)))


def test_a_shared_transcript_has_a_public_page_until_it_is_unshared(slack_world):
    _emulator, slack, bot = slack_world
    earn(bot.ctx, LEARNER, "sql-basics")
    earn(bot.ctx, LEARNER, "business-writing")
    set_shared(bot.ctx, LEARNER, "sql-basics", True)  # one award shared on its own, one not
    web = bot.web.test_client()

    answer = slack.command(LEARNER, "transcript share")
    assert "Your transcript is public" in answer.body
    page_url = re.search(r"https?://[^\s\"\\]+/learners/[A-Za-z0-9_-]+", answer.body).group(0)
    page = web.get(urlparse(page_url).path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Transcript" in html and "2 credentials" in html
    assert "SQL Basics" in html and "Business Writing" not in html  # only what was shared shows by name
    transcript_path = urlparse(page_url).path + "/transcript.json"
    assert transcript_path in html

    transcript = json.loads(web.get(transcript_path).get_data())
    profile = json.loads(web.get("/issuer", headers={"Accept": "application/ld+json"}).get_data())
    result = node_verify(transcript, {clr.CLR_CONTEXT: jsonld.shipped_contexts()[clr.CLR_CONTEXT],
                                      bot.open_badges.urls.issuer: profile})
    assert result["verified"], result["error"]
    assert web.get(urlparse(page_url).path + "/transcript.jwt").get_data(as_text=True).count(".") == 2

    number, _, mac = urlparse(page_url).path.rsplit("/", 1)[1].partition("-")
    for guess in (f"{number}-{mac[::-1]}", f"{int(number) + 1}-{mac}", "1", "x-y"):
        assert web.get(f"/learners/{guess}").status_code == 404  # a made-up name is just not found

    assert "private again" in slack.command(LEARNER, "transcript unshare").body
    assert web.get(urlparse(page_url).path).status_code == 404
    assert web.get(transcript_path).status_code == 404
    assert "`/badges transcript share`" in slack.command(LEARNER, "transcript publish").body


# ------------------------------------------------------------------------------------ VC-JWT, with PyJWT


def test_every_vc_jwt_has_the_section_8_2_claims_checked_by_pyjwt(badgebot, web):
    ob = badgebot.open_badges
    jwks = jwt.PyJWKSet.from_dict(ob.jwks())
    for kind, public_id in every_kind_of_award(badgebot).items():
        record = award_record(badgebot.ctx, public_id)
        credential = ob.credential(record)
        for alg in ("RS256", "EdDSA"):
            token = web.get(f"/a/{public_id}/credential.jwt?alg={alg}").get_data(as_text=True)
            header = jwt.get_unverified_header(token)
            assert header["alg"] == alg and header["typ"] == "JWT", kind
            key = next(k for k in jwks.keys if k.key_id == header["kid"])
            issuer = ob.profile_id(ob.issuer_of(record.credential))  # the university's, or its unit's
            claims = jwt.decode(token, key=key, algorithms=[alg], issuer=issuer, options=AT_NO_TIME)
            assert claims["iss"] == credential["issuer"]["id"], kind
            assert claims["sub"] == credential["credentialSubject"]["id"], kind
            assert claims["jti"] == credential["id"], kind
            assert claims["nbf"] == int(record.issued_at.timestamp()), kind
            assert ("exp" in claims) is (record.expires_at is not None), kind
            if record.expires_at is not None:
                assert claims["exp"] == int(record.expires_at.timestamp()), kind
            assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"], kind
            assert claims["credentialStatus"]["type"] == "BitstringStatusListEntry", kind

            tampered = token.rsplit(".", 2)
            payload = json.loads(jwt.utils.base64url_decode(tampered[1]))
            payload["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
            tampered[1] = jwt.utils.base64url_encode(json.dumps(payload).encode()).decode()
            with pytest.raises(jwt.InvalidSignatureError):
                jwt.decode(".".join(tampered), key=key, algorithms=[alg], options=AT_NO_TIME)


def test_the_clr_vc_jwt_verifies_with_pyjwt(badgebot, admin_shell, capsys):
    every_kind_of_award(badgebot)
    assert main(["clr", "export", LEARNER, "--jwt"]) == 0
    token = capsys.readouterr().out.strip()
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwt.PyJWKSet.from_dict(badgebot.open_badges.jwks()).keys if k.key_id == header["kid"])
    claims = jwt.decode(token, key=key, algorithms=[header["alg"]], issuer=badgebot.open_badges.urls.issuer,
                        options=AT_NO_TIME)
    assert claims["type"] == ["VerifiableCredential", "ClrCredential"]
    assert claims["sub"] == claims["credentialSubject"]["id"] and claims["jti"] == claims["id"]


def test_the_status_list_as_a_vc_jwt_says_what_the_json_says(badgebot, web):
    earn(badgebot.ctx, LEARNER, "sql-basics")
    public_id = learner_progress(badgebot.ctx, LEARNER).holdings[0].public_id
    revoke(badgebot.ctx, "U0ADMIN001", public_id, "Duplicate record")
    served = json.loads(web.get("/status/lists/0").get_data())
    token = web.get("/status/lists/0/credential.jwt").get_data(as_text=True)
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwt.PyJWKSet.from_dict(badgebot.open_badges.jwks()).keys if k.key_id == header["kid"])
    claims = jwt.decode(token, key=key, algorithms=[header["alg"]], issuer=badgebot.open_badges.urls.issuer,
                        options=AT_NO_TIME)
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert claims["jti"] == served["id"] and claims["sub"] == served["credentialSubject"]["id"]
    assert claims["credentialSubject"]["encodedList"] == served["credentialSubject"]["encodedList"]
    index = int(badgebot.open_badges.credential(award_record(badgebot.ctx, public_id))
                ["credentialStatus"]["statusListIndex"])
    assert status_list.bit(status_list.decode(claims["credentialSubject"]["encodedList"]), index)
    assert web.get(f"/status/lists/{2**40}").status_code == 404  # beyond any award id
