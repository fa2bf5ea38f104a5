"""Public verification pages and Open Badges endpoints, through the real web app, on SQLite and PostgreSQL.

Awards are made through the real submit-and-review path; verification fetches the bot's published
keys and status through the same web app (in process), never the network.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from bot.adapters.openbadges import baking
from bot.domain.vocabulary import Decision
from bot.usecases.awards import award_souvenir, revoke, set_shared
from bot.usecases.credentials import award_record
from bot.usecases.reviews import review
from bot.usecases.submissions import submit
from handlers.bootstrap import bootstrap
from models import Artifact, Credential
from tests.helpers import earn

LEARNER = "U0LEARN001"
STRANGER_ID = "doesnotexist0000"


def _earn_shared(badgebot, slug: str, learner: str = LEARNER, **kwargs) -> str:
    result = earn(badgebot.ctx, learner, slug, **kwargs)
    public_id = result.award_public_ids[0]
    set_shared(badgebot.ctx, learner, slug, True)
    return public_id


def earn_with_files(badgebot, slug: str, files: dict[str, bytes], learner: str = LEARNER) -> tuple[str, list[int]]:
    """The whole real path of work with files: the bytes into the bot's artifact store (as the Slack side
    stores a download), submitted, approved by the badge's grantors, shared. (public id, artifact ids)"""
    stored = [badgebot.store.save_stream(iter([content]), name) for name, content in files.items()]
    submission = submit(badgebot.ctx, learner, slug, stored, reflection="What I did, and why.")
    with badgebot.ctx.transaction() as session:
        credential = session.scalars(select(Credential).where(Credential.slug == slug)).one()
        grantors = list(credential.grantors)[:credential.approvals_required]
        artifact_ids = list(session.scalars(select(Artifact.id).where(Artifact.submission_id == submission.id)
                                            .order_by(Artifact.id)))
    for grantor in grantors:
        result = review(badgebot.ctx, grantor, submission.id, Decision.APPROVE)
    set_shared(badgebot.ctx, learner, slug, True)
    return result.award_public_ids[0], artifact_ids


def test_a_shared_award_has_a_verification_page(badgebot, web):
    public_id = _earn_shared(badgebot, "sql-analytics-professional")
    page = web.get(f"/a/{public_id}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "SQL for Analytics in Practice" in html
    assert "Lakeside University Micro-credentials" in html
    assert "Valid" in html and 'property="og:image"' in html and 'property="og:title"' in html
    assert f"/a/{public_id}/badge.png" in html and f"/a/{public_id}/credential.json" in html
    assert f"/a/{public_id}/linkedin" in html  # "Add to LinkedIn", through the bot's counted redirect
    assert "March 2, 2026" in html  # the issue date


def test_the_same_url_serves_the_credential_to_json_clients(badgebot, web):
    public_id = _earn_shared(badgebot, "sql-basics")
    for accept in ("application/json", "application/ld+json", "application/vc+ld+json"):
        response = web.get(f"/a/{public_id}", headers={"Accept": accept})
        assert response.status_code == 200
        doc = response.get_json(force=True)
        assert doc["id"].endswith(f"/a/{public_id}") and "OpenBadgeCredential" in doc["type"]
    assert web.get(f"/a/{public_id}").mimetype == "text/html"  # no preference: people first


def test_private_and_unknown_awards_are_the_same_404(badgebot, web):
    private = earn(badgebot.ctx, LEARNER, "sql-basics").award_public_ids[0]
    unknown = web.get(f"/a/{STRANGER_ID}")
    for path in (f"/a/{private}", f"/a/{private}/credential.json", f"/a/{private}/credential.jwt",
                 f"/a/{private}/badge.png", f"/a/{private}/badge.svg", f"/ob2/assertions/{private}",
                 f"/ob2/assertions/{private}/badge.png"):
        response = web.get(path, headers={"Accept": "application/json"} if "json" in path else {})
        assert response.status_code == 404, path
        assert response.get_data() == unknown.get_data()
        assert LEARNER not in response.get_data(as_text=True)


def test_a_learner_can_unshare(badgebot, web):
    public_id = _earn_shared(badgebot, "sql-basics")
    assert web.get(f"/a/{public_id}").status_code == 200
    set_shared(badgebot.ctx, LEARNER, "sql-basics", False)
    assert web.get(f"/a/{public_id}").status_code == 404


LEVEL_TWO_WORK = {"dashboard.pdf": b"%PDF-1.7 the learner's dashboard, assessed",
                  "notes.txt": "Réflexion: what the dashboard shows.\n".encode()}


def test_level_two_evidence_downloads_from_the_shared_credential(badgebot, web):
    public_id, artifact_ids = earn_with_files(badgebot, "dashboard-design-in-practice", LEVEL_TWO_WORK)

    credential = web.get(f"/a/{public_id}/credential.json").get_json(force=True)
    evidence = {e["name"]: e["id"] for e in credential["evidence"]}
    assert list(evidence) == list(LEVEL_TWO_WORK)
    assert list(evidence.values()) == [badgebot.open_badges.urls.evidence(public_id, i) for i in artifact_ids]
    for name, content in LEVEL_TWO_WORK.items():
        download = web.get(urlparse(evidence[name]).path)
        assert download.status_code == 200, name
        assert download.get_data() == content  # the very bytes the learner sent
        assert download.headers["Content-Disposition"].startswith("attachment;") and name in \
            download.headers["Content-Disposition"]
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Security-Policy"] == "sandbox"  # a learner's file never runs as our page
        assert download.headers["Cache-Control"] == "public, max-age=3600"
    assert web.get(urlparse(evidence["dashboard.pdf"]).path).mimetype == "application/pdf"  # typed by content
    page = web.get(f"/a/{public_id}").get_data(as_text=True)
    assert all(urlparse(link).path in page for link in evidence.values())


def test_level_one_evidence_is_never_downloadable(badgebot, web):
    level_one, one_ids = earn_with_files(badgebot, "sql-basics", {"queries.pdf": b"%PDF-1.7 private work"})
    level_two, _ = earn_with_files(badgebot, "dashboard-design-in-practice", LEVEL_TWO_WORK)
    # The file is in the store (grantors open it there): what keeps it private is the rule, not its absence.
    with badgebot.ctx.transaction() as session:
        key = session.get(Artifact, one_ids[0]).storage_key
    assert badgebot.store.path_of(key).read_bytes() == b"%PDF-1.7 private work"

    doc = web.get(f"/a/{level_one}/credential.json").get_json(force=True)
    assert doc["evidence"] and all("id" not in e for e in doc["evidence"])
    assert "/evidence/" not in json.dumps(doc) and "queries.pdf" not in json.dumps(doc)
    assert "queries.pdf" not in web.get(f"/a/{level_one}").get_data(as_text=True)
    unknown = web.get(f"/a/{level_one}/evidence/999999")
    for path in (f"/a/{level_one}/evidence/{one_ids[0]}", f"/a/{level_two}/evidence/{one_ids[0]}"):
        response = web.get(path)
        assert response.status_code == 404, path  # nor through another award's page
        assert response.get_data() == unknown.get_data()


def test_evidence_of_an_unshared_level_two_award_is_private(badgebot, web):
    public_id, artifact_ids = earn_with_files(badgebot, "dashboard-design-in-practice", LEVEL_TWO_WORK)
    assert web.get(f"/a/{public_id}/evidence/{artifact_ids[0]}").status_code == 200
    set_shared(badgebot.ctx, LEARNER, "dashboard-design-in-practice", False)
    assert web.get(f"/a/{public_id}/evidence/{artifact_ids[0]}").status_code == 404


def test_the_downloads_verify_with_the_published_key(badgebot, web, verifier):
    public_id = _earn_shared(badgebot, "sql-analytics-professional")
    jwt = web.get(f"/a/{public_id}/credential.jwt").get_data(as_text=True)
    png = web.get(f"/a/{public_id}/badge.png").get_data()
    svg = web.get(f"/a/{public_id}/badge.svg").get_data()
    for data in (jwt.encode(), png, svg):
        result = verifier.verify_bytes(data)
        assert result.valid, result.reasons
        assert any("published key" in check for check in result.checks)
    assert baking.unbake_png(png) == jwt or verifier.verify_bytes(png).credential == verifier.verify_jwt(jwt).credential
    eddsa = web.get(f"/a/{public_id}/credential.jwt?alg=EdDSA").get_data(as_text=True)
    assert verifier.verify_jwt(eddsa).valid
    # The page URL itself, fetched as JSON from the issuer's own origin, is hosted verification.
    assert verifier.verify_url(badgebot.open_badges.urls.award_page(public_id)).valid


def test_the_jwks_publishes_the_signing_keys_and_never_a_private_part(badgebot, web):
    jwks = web.get("/.well-known/jwks.json").get_json()
    assert {k["alg"] for k in jwks["keys"]} == {"RS256", "EdDSA"}
    for key in jwks["keys"]:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
        assert web.get(urlparse(key["kid"]).path).get_json(force=True) == key
    assert web.get("/keys/not-a-key").status_code == 404


def test_a_revoked_award_says_so_and_verifies_as_revoked(badgebot, web, verifier):
    public_id = _earn_shared(badgebot, "sql-basics")
    png = web.get(f"/a/{public_id}/badge.png").get_data()
    assert verifier.verify_bytes(png).valid
    revoke(badgebot.ctx, "U0ADMIN001", public_id, "Plagiarised artifact")

    result = verifier.verify_bytes(png)
    assert not result.valid and result.status == "revoked"
    assert any("revoked" in reason for reason in result.reasons)
    html = web.get(f"/a/{public_id}").get_data(as_text=True)
    assert "Revoked" in html and "no longer valid" in html
    assert "Plagiarised" not in html  # the reason is between the learner and the program
    status = web.get(f"/status/{public_id}").get_json()
    assert status["revokedCredentials"] == [{"id": badgebot.open_badges.urls.award_page(public_id), "revoked": True}]
    assert web.get(f"/ob2/assertions/{public_id}").get_json(force=True)["revoked"] is True


def test_the_status_of_an_unknown_id_looks_like_a_valid_one(web):
    doc = web.get(f"/status/{STRANGER_ID}").get_json()
    assert doc["revokedCredentials"] == []


def test_an_expired_award_shows_expired(badgebot, web, verifier, clock):
    public_id = _earn_shared(badgebot, "sql-analytics-professional")  # expires after 3y
    png = web.get(f"/a/{public_id}/badge.png").get_data()
    clock.advance(days=3 * 366)
    assert "Expired" in web.get(f"/a/{public_id}").get_data(as_text=True)
    result = verifier.verify_bytes(png)
    assert result.status == "expired" and not result.valid


def test_issuer_achievements_and_ob2_documents(badgebot, web):
    issuer = web.get("/issuer", headers={"Accept": "application/ld+json"}).get_json(force=True)
    assert issuer["type"] == ["Profile"] and issuer["name"] == badgebot.catalog.issuer.name
    achievement = web.get("/achievements/sql-basics", headers={"Accept": "application/ld+json"}).get_json(force=True)
    assert achievement["achievementType"] == "Badge"
    image = web.get("/achievements/sql-basics/image.png")
    assert image.status_code == 200 and image.get_data().startswith(baking.PNG_SIGNATURE)
    assert web.get("/achievements/sql-basics/distinction.png").status_code == 200
    assert web.get("/achievements/business-writing/distinction.png").status_code == 404  # none allowed
    assert web.get("/achievements/no-such-thing").status_code == 404

    public_id = _earn_shared(badgebot, "sql-basics")
    assertion = web.get(f"/ob2/assertions/{public_id}").get_json(force=True)
    assert assertion["type"] == "Assertion" and assertion["verification"] == {"type": "hosted"}
    badge = web.get(urlparse(assertion["badge"]).path).get_json(force=True)
    assert badge["type"] == "BadgeClass" and badge["issuer"].endswith("/ob2/issuers/computing")  # its issuer's
    assert web.get("/ob2/issuer").get_json(force=True)["type"] == "Issuer"
    assert web.get(urlparse(badge["issuer"]).path).get_json(force=True)["type"] == "Issuer"
    baked = web.get(f"/ob2/assertions/{public_id}/badge.png").get_data()
    assert json.loads(baking.unbake_png(baked, baking.OB2_KEYWORD))["id"] == assertion["id"]


def test_ob2_baked_image_verifies_against_the_hosted_assertion(badgebot, web, verifier):
    public_id = _earn_shared(badgebot, "sql-basics")
    baked = web.get(f"/ob2/assertions/{public_id}/badge.png").get_data()
    assert verifier.verify_bytes(baked).valid
    revoke(badgebot.ctx, "U0ADMIN001", public_id, "error")
    assert verifier.verify_bytes(baked).status == "revoked"


def test_a_souvenir_and_a_certificate_have_pages(badgebot, web, verifier):
    award_souvenir(badgebot.ctx, "U0HOST0001", "welcome-week-2026", [(LEARNER, "Zoë Ξανθή Жукова")])
    set_shared(badgebot.ctx, LEARNER, "welcome-week-2026", True)
    for slug in ("business-writing", "presentation-skills"):
        earn(badgebot.ctx, LEARNER, slug)
    set_shared(badgebot.ctx, LEARNER, "professional-communication-practiced", True)
    from bot.usecases.progress import learner_progress

    holdings = {h.credential: h.public_id for h in learner_progress(badgebot.ctx, LEARNER).holdings}
    for slug in ("welcome-week-2026", "professional-communication-practiced"):
        page = web.get(f"/a/{holdings[slug]}")
        assert page.status_code == 200
        assert "Zoë Ξανθή Жукова" in page.get_data(as_text=True)
        png = web.get(f"/a/{holdings[slug]}/badge.png").get_data()
        assert verifier.verify_bytes(png).valid


def test_linkedin_url_on_the_share_answer(badgebot, web):
    public_id = _earn_shared(badgebot, "sql-analytics-professional")
    record = award_record(badgebot.ctx, public_id)
    links = badgebot.open_badges.share_links(record)
    assert links.linkedin == badgebot.urls.award_linkedin(public_id)
    sent_on = web.get(urlparse(links.linkedin).path)
    assert sent_on.status_code == 302
    target = sent_on.headers["Location"]
    assert target.startswith("https://www.linkedin.com/profile/add?")
    query = parse_qs(urlparse(target).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == ["SQL for Analytics in Practice"]
    # The badge's issuer, a college without a LinkedIn page of its own (nor has the university one here).
    assert query["organizationName"] == ["College of Computing and Data Science"] and "organizationId" not in query
    assert query["issueYear"] == ["2026"] and query["issueMonth"] == ["3"]
    assert query["expirationYear"] == ["2029"] and query["expirationMonth"] == ["3"]
    assert query["certUrl"] == [links.page] and query["certId"] == [public_id]


def test_a_restarted_bot_publishes_the_same_keys(badgebot, clock, catalog):
    again = bootstrap(badgebot.settings, clock=clock, catalog=catalog)
    try:
        assert again.open_badges.jwks() == badgebot.open_badges.jwks()
        assert again.open_badges.did_document() == badgebot.open_badges.did_document()
    finally:
        again.close()


# ------------------------------------------------------------------------------------ the command line

def test_cli_render_writes_the_png(cli, tmp_path, capsys):
    assert cli(["render", "sql-basics", "--distinction", "-o", str(tmp_path / "out.png")]) == 0
    from PIL import Image

    assert Image.open(tmp_path / "out.png").size == (600, 600)
    assert cli(["render", "welcome-week-2026"]) == 0 and (tmp_path / "welcome-week-2026.png").is_file()
    assert cli(["render", "no-such-badge"]) == 1
    assert cli(["render", "business-writing", "--distinction"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["badgebot: There is no credential 'no-such-badge' in the catalog.",
                   "badgebot: Business Writing has no 'with Distinction' variant."]


def test_cli_verify_exits_zero_only_when_valid(cli, badgebot, web, tmp_path, capsys):
    public_id = _earn_shared(badgebot, "sql-basics")
    png = tmp_path / "badge.png"
    png.write_bytes(web.get(f"/a/{public_id}/badge.png").get_data())
    assert cli(["verify", str(png), "--offline"]) == 0
    assert capsys.readouterr().out.startswith("valid: SQL Basics")

    tampered = tmp_path / "tampered.png"
    data = bytearray(png.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered.write_bytes(bytes(data))
    assert cli(["verify", str(tampered), "--offline"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad checksum" in err[0]

    revoke(badgebot.ctx, "U0ADMIN001", public_id, "mistake")
    assert cli(["verify", str(png), "--offline"]) == 1
    assert "revoked" in capsys.readouterr().err
    assert cli(["verify", str(tmp_path / "missing.png")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_credentials_from_the_real_award_path_pass_the_official_schema(badgebot, web):
    from tests.unit.test_openbadges import schema_errors

    ids = [_earn_shared(badgebot, slug) for slug in ("sql-basics", "sql-analytics-professional")]
    award_souvenir(badgebot.ctx, "U0HOST0001", "hackathon-2026", [(LEARNER, None)])
    set_shared(badgebot.ctx, LEARNER, "hackathon-2026", True)
    earn(badgebot.ctx, "U0LEARN002", "dashboard-design-in-practice", decision=Decision.APPROVE_WITH_DISTINCTION)
    ids.append(set_shared(badgebot.ctx, "U0LEARN002", "dashboard-design-in-practice", True).public_id)
    ids.append(set_shared(badgebot.ctx, LEARNER, "hackathon-2026", True).public_id)
    for public_id in ids:
        doc = web.get(f"/a/{public_id}/credential.json").get_json(force=True)
        assert schema_errors(doc) == [], public_id
