"""The composition root: `bootstrap(settings)` builds every part of Badgebot, and nothing else does.

It lives beside the entry points (handlers/) because it is the one module that knows them all: the
core (bot/) never imports handlers/. Real parts are the defaults; tests pass fakes by keyword
(`clock=`, `directory=`, `catalog=`, `public_url=`) and otherwise get exactly the production wiring.
Nothing connects, reads the environment or talks to Slack at import time, nor while building: the
engine connects on first use, slack_sdk on its first call.
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from flask import Flask
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.adapters import migrate
from bot.adapters.artifacts import ArtifactStore
from bot.adapters.db import make_engine, make_read_session_factory, make_session_factory, writer_lock
from bot.adapters.directory import Directory, SlackDirectory, StaticDirectory
from bot.adapters.images import BadgeRenderer
from bot.adapters.leader import Leadership
from bot.adapters.openbadges.keys import KeyStore
from bot.adapters.openbadges.service import OpenBadges
from bot.adapters.signing import SERVER_SECRET, ArtifactLinks, SecretVault, Signer, read_secret_file
from bot.adapters.slack_api import SlackFiles, SlackWorkspace, make_client, posting_client
from bot.clock import Clock, system_clock
from bot.runtime.delivery import OutboxWorker
from bot.runtime.intake_worker import IntakeWorker
from bot.runtime.scheduler import ScheduledJob, Scheduler, start_scheduling
from bot.urls import PublicUrls
from bot.usecases import catalog as catalog_usecases
from bot.usecases.context import SYSTEM_ACTOR, Context
from bot.usecases.intake import Intake
from bot.usecases.live_catalog import LiveCatalog
from config.catalog import Catalog, load_catalog
from config.settings import Settings
from handlers.attendance_links import attendance_link
from handlers.jobs import scheduled_jobs
from handlers.slack import register_listeners
from handlers.slack.home import HomeTabs
from handlers.slack.notifications import Notifier
from handlers.web import create_web_app

log = logging.getLogger("badgebot")

LOCAL_URL = "http://127.0.0.1:3000"


@dataclass
class Badgebot:
    """Every part of one running bot. Entry points receive this (listeners through Bolt's context)."""

    settings: Settings
    engine: Engine
    catalog: LiveCatalog  # the file's catalog with the approved changes: read it, never keep a copy
    ctx: Context
    urls: PublicUrls
    signer: Signer
    artifact_links: ArtifactLinks
    store: ArtifactStore
    slack: WebClient
    workspace: SlackWorkspace
    directory: Directory
    intake: Intake
    intake_worker: IntakeWorker
    open_badges: OpenBadges
    homes: HomeTabs
    notifier: Notifier
    delivery: OutboxWorker
    jobs: tuple[ScheduledJob, ...]
    scheduler: Scheduler
    bolt: App | None  # None without a signing secret or app token (CLI commands that never hear from Slack)
    http: httpx.Client  # file downloads from Slack
    web: Flask = field(init=False)
    leadership: Leadership | None = None

    @property
    def public_url(self) -> str:
        return self.urls.base

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def upgrade_database(self) -> tuple[str | None, str | None]:
        revisions = migrate.upgrade(self.engine)
        self.shared_secrets()
        return revisions

    def load_catalog(self, actor: str = SYSTEM_ACTOR) -> catalog_usecases.CatalogChanges:
        changes = catalog_usecases.load_catalog(self.ctx, self.catalog.file, actor)
        self.catalog.refresh(force=True)
        self.shared_secrets()
        return changes

    def shared_secrets(self) -> None:
        """Read (or, on a new database, make) the secrets replicas share: the server secret and the
        subject-id secret; and publish the signing keys this data directory holds from before. Done
        here, once the schema is there and outside any use case's transaction, so a first use inside
        one finds them made (SQLite allows one writer). New signing keys are made when first used
        (an RSA key takes a moment), which is outside a transaction."""
        self.signer.sign("warm-up")
        self.open_badges.keys.secret()
        self.open_badges.keys.adopt_files()

    def start(self, *, delivery: bool = True, scheduler: bool | None = None) -> None:
        """Start the background work: the outbox worker and (if the settings say so) the scheduler,
        which runs here only while this replica is the elected leader."""
        if delivery:
            self.delivery.start()
            # Finishing recorded work belongs with delivering: both are what a replica does in the
            # background, and a restarted one takes up what a dead one left (any replica).
            self.intake_worker.start()
        if scheduler if scheduler is not None else self.settings.scheduler == "on":
            self.leadership = start_scheduling(self.scheduler, self.settings.effective_database_url)

    def __enter__(self) -> "Badgebot":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.leadership is not None:
            self.leadership.stop()
        self.scheduler.shutdown()
        self.intake_worker.stop()
        self.delivery.stop()
        self.http.close()
        self.engine.dispose()


def bootstrap(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    catalog: Catalog | None = None,
    directory: Directory | None = None,
    public_url: str | None = None,
) -> Badgebot:
    """Build Badgebot from settings. `directory=None` means Slack's own user groups (through the Web
    API, cached briefly) whenever there is a bot token; `public_url=None`, BADGEBOT_PUBLIC_URL or the
    local server's address."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    file_catalog = catalog or load_catalog(settings.catalog)
    slack = make_client(settings.slack_bot_token, settings.slack_api_url)
    if directory is None:
        directory = SlackDirectory(slack) if settings.slack_bot_token else StaticDirectory()
    ctx = Context(sessions=make_session_factory(engine), clock=clock, directory=directory, roles=file_catalog.roles,
                  issuer_admins={i.id: i.admins for i in file_catalog.all_issuers},
                  read_sessions=make_read_session_factory(engine), write_lock=writer_lock(engine))
    # Every part below reads the catalog through this one object, so an approved change is seen at once.
    live_catalog = LiveCatalog(file_catalog, ctx.reading).watch(ctx.sessions)
    urls = PublicUrls.of(public_url or settings.public_url or LOCAL_URL)
    # Kept in the database so every replica agrees; an older data directory's files are adopted
    # on the first start against an empty database (bot/adapters/signing.py).
    vault = SecretVault(ctx.transaction, ctx.reading, clock)
    signer = Signer(lambda: vault.secret(SERVER_SECRET, adopt=read_secret_file(settings.data_dir)))
    store = ArtifactStore(settings.artifact_store_dir, settings.max_artifact_bytes)
    workspace = SlackWorkspace(slack)
    open_badges = OpenBadges(catalog=live_catalog, urls=urls, keys=KeyStore(settings.data_dir / "keys", vault),
                             renderer=BadgeRenderer(settings.data_dir / "images"),
                             image_root=Path(settings.catalog).parent)
    artifact_links = ArtifactLinks(signer, urls, clock)
    homes = HomeTabs(ctx, slack, settings=settings, urls=urls, workspace=workspace,
                     # `badgebot` is made below; a Home asks for an attendance link only after that.
                     attendance=lambda public_id: attendance_link(badgebot, public_id))
    notifier = Notifier(ctx, posting_client(slack), workspace, artifact_links.link, homes)
    delivery = OutboxWorker(ctx, notifier.send, when_idle=notifier.when_idle).configure(settings)
    jobs = scheduled_jobs(ctx, settings, live_catalog)
    http = httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=False)
    intake = Intake(ctx, live_catalog, SlackFiles(slack, store, http)).configure(settings)
    badgebot = Badgebot(
        settings=settings, engine=engine, catalog=live_catalog, ctx=ctx, urls=urls, signer=signer,
        artifact_links=artifact_links, store=store, slack=slack, workspace=workspace, directory=directory,
        intake=intake, intake_worker=IntakeWorker(intake, after_work=delivery.kick),
        open_badges=open_badges, homes=homes, notifier=notifier, delivery=delivery, jobs=jobs,
        scheduler=Scheduler(ctx, jobs, settings.timezone, after_run=delivery.kick),
        bolt=_bolt_app(settings, slack) if settings.slack_signing_secret or settings.slack_app_token else None,
        http=http,
    )
    if badgebot.bolt is not None:
        register_listeners(badgebot.bolt, badgebot)
    badgebot.web = create_web_app(badgebot)
    return badgebot


_environment_lock = threading.Lock()


@contextmanager
def _without(*names: str) -> Iterator[None]:
    with _environment_lock:
        saved = {n: os.environ.pop(n) for n in names if n in os.environ}
        try:
            yield
        finally:
            os.environ.update(saved)


def _bolt_app(settings: Settings, slack: WebClient) -> App:
    """Bolt as a single-workspace app with our bot token, whatever else the environment holds.

    Bolt switches itself to OAuth (multi-workspace) mode, with a file installation store, when it
    finds SLACK_CLIENT_ID and SLACK_CLIENT_SECRET in os.environ, and then drops every request it
    has no installation for. Those two variables are ours, for Sign in with Slack at check-in; Bolt
    must not see them.
    """
    with _without("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        return App(client=slack, signing_secret=settings.slack_signing_secret or _unknowable_secret(),
                   token_verification_enabled=False, name="badgebot")


def _unknowable_secret() -> str:
    """The signing secret of a Socket Mode app that has none. Slack does not sign socket envelopes
    (Bolt skips its check for them), but Bolt refuses to be built without a secret; and an empty or
    well-known one would let anyone sign an HTTP request. Without SLACK_SIGNING_SECRET the web app
    serves no POST /slack/events at all (handlers/web/app.py); should Bolt ever see an HTTP request
    anyway, no one can have signed it with this."""
    return secrets.token_hex(32)
