"""`badgebot render` and `badgebot verify`: badge images and credential verification from the shell."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlparse

from bot.adapters.openbadges.verify import Fetched, Verifier, http_fetch, no_network
from bot.errors import InvalidInput, NotFound
from bot.usecases.credentials import CredentialRecord, credential_record
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
    verify.add_argument("source", metavar="FILE|URL")
    verify.add_argument("--offline", action="store_true",
                        help="never use the network: another issuer's keys and status are not fetched, and the "
                             "verdict says so (this bot's own keys and status are still checked)")
    verify.set_defaults(func=cmd_verify)


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
    own = app.open_badges.urls.base
    client = app.web.test_client()
    outside = no_network if args.offline else http_fetch

    def fetch(url: str, accept: str) -> Fetched:
        # This bot's own documents are answered in process: the same routes the world fetches.
        if url == own or url.startswith(own + "/"):
            response = client.get(urlparse(url).path, headers={"Accept": accept})
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
