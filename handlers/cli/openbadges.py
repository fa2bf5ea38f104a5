"""`badgebot render`, `badgebot verify` and `badgebot clr export`: badge images, credential verification and\nlearners' CLR transcripts from the shell."""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from bot.adapters.openbadges import clr
from bot.adapters.openbadges.verify import Fetched, Verifier, http_fetch, no_network
from bot.errors import InvalidInput, NotFound
from bot.urls import own_path
from bot.usecases.credentials import CredentialRecord, credential_record, transcript
from config.settings import load_settings
from handlers.bootstrap import bootstrap


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `render` and `verify` to the badgebot command line."""
    render = subparsers.add_parser("render", help="write a credential's badge image (PNG, 600x600)")
    render.add_argument("credential_id", metavar="CREDENTIAL_ID", help="the credential's id in the catalog")
    render.add_argument("--distinction", action="store_true", help="the 'with Distinction' variant (badges)")
    render.add_argument("-o", "--output", type=Path, help="where to write (default: CREDENTIAL_ID.png)")
    render.set_defaults(func=cmd_render)

    verify = subparsers.add_parser("verify", help="verify an Open Badge: baked PNG/SVG, VC-JWT, JSON, or URL")
    verify.add_argument("source", metavar="FILE|URL",
                        help="a baked badge (PNG or SVG), a VC-JWT or JSON credential file, or its URL")
    verify.add_argument("--offline", action="store_true",
                        help="never use the network: another issuer's keys and status are not fetched, and the "
                             "verdict says so (this bot's own keys and status are still checked)")
    verify.set_defaults(func=cmd_verify)

    clr = subparsers.add_parser("clr", help="CLR 2.0 transcripts")
    clr_commands = clr.add_subparsers(dest="clr_command", required=True, metavar="COMMAND")
    export = clr_commands.add_parser("export", help="a learner's signed CLR transcript (ClrCredential) of every "
                                                    "valid award")
    export.add_argument("user_id", metavar="USER_ID", help="the learner's Slack user id (U... or W...)")
    export.add_argument("--jwt", action="store_true", help="the VC-JWT instead of JSON with an embedded proof")
    export.add_argument("-o", "--output", type=Path, help="where to write (default: standard output)")
    export.set_defaults(func=cmd_clr_export)


def _app():  # type: ignore[no-untyped-def]
    return bootstrap(load_settings())


def cmd_render(args: argparse.Namespace) -> int:
    """Write the badge image of a catalog credential."""

    app = _app()
    try:
        specs = {spec.id: spec for spec in app.catalog.credentials}
        spec = specs.get(args.credential_id)
        if spec is not None:
            credential = CredentialRecord(
                slug=spec.id, type=spec.type, name=spec.name, description=spec.description, criteria=spec.criteria,
                skills=spec.skills, image=spec.image, distinction_allowed=spec.distinction,
                expires_after=spec.expires_after,
                requires=tuple(sorted((slug, specs[slug].name) for slug in spec.requires if slug in specs)),
            )
        else:
            credential = credential_record(app.ctx, args.credential_id)  # retired: only in the database
        if args.distinction and not (credential.type.is_badge and credential.distinction_allowed):
            raise InvalidInput(f"{credential.name} has no 'with Distinction' variant.", field="distinction")
        png = app.open_badges.image(credential, args.distinction)
        output = args.output or Path(f"{credential.slug}{'-distinction' if args.distinction else ''}.png")
        output.write_bytes(png)
        print(f"wrote {output} ({len(png) // 1024} KB)")
        return 0
    except NotFound:
        raise NotFound(f"There is no credential '{args.credential_id}' in the catalog.") from None
    finally:
        app.close()


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a credential; exit 0 only when it is valid."""

    app = _app()
    urls = app.open_badges.urls
    client = app.web.test_client()
    outside = no_network if args.offline else http_fetch

    def fetch(url: str, accept: str) -> Fetched:
        # This bot's own documents (at its public URL, or where its did:web resolves) are answered in
        # process: the same routes the world fetches, without the network, even with --offline.
        path = own_path(urls, url)
        if path is not None:
            response = client.get(path, headers={"Accept": accept})
            return Fetched(response.status_code, response.content_type or "", response.get_data())
        return outside(url, accept)

    try:
        result = Verifier(fetch, app.ctx.clock).verify_source(args.source)
    finally:
        app.close()
    if result.valid:
        print(result.summary())
        for warning in result.warnings:
            print(f"  note: {warning}")
        return 0
    print(f"badgebot: {args.source}: {result.summary()}", file=sys.stderr)
    # What did hold, e.g. a good signature on a credential refused for its claims.
    for check in result.checks:
        print(f"  checked: {check}", file=sys.stderr)
    for warning in result.warnings:
        print(f"  note: {warning}", file=sys.stderr)
    return 1


SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")


def cmd_clr_export(args: argparse.Namespace) -> int:
    """Write a learner's CLR transcript: every valid award, signed (JSON with a proof, or a VC-JWT)."""
    if not SLACK_USER.fullmatch(args.user_id):
        raise InvalidInput(f"{args.user_id!r} is not a Slack user id: it looks like U0123ABCD (or W... on "
                           "Enterprise Grid).", field="user_id")
    with _app() as app:
        found = transcript(app.ctx, args.user_id)
        text = clr.jwt(found, app.open_badges) if args.jwt else json.dumps(
            clr.signed(found, app.open_badges), ensure_ascii=False, indent=2)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.output}: the transcript of {args.user_id}, {len(found.awards)} credential(s)")
    else:
        print(text)
    return 0
