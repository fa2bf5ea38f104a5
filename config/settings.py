"""Settings from environment variables and an optional `.env` file, validated once at start.

Nothing reads the environment at import time: the composition root calls `load_settings()`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.domain.scheduling import QuietHours, parse_cron, parse_days

EXAMPLE_CATALOG = Path(__file__).with_name("catalog.example.toml")
SLACK_API_URL = "https://slack.com/api/"


class SettingsError(Exception):
    """Bad settings: one line per bad value, naming the variable."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid settings:\n" + "\n".join(f"  {p}" for p in problems))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    data_dir: Path = Field(Path("data"), validation_alias="BADGEBOT_DATA_DIR")
    database_url: str = Field("", validation_alias="DATABASE_URL")
    catalog: Path = Field(EXAMPLE_CATALOG, validation_alias="BADGEBOT_CATALOG")
    public_url: str = Field("", validation_alias="BADGEBOT_PUBLIC_URL")
    timezone: str = Field("UTC", validation_alias="BADGEBOT_TIMEZONE")
    max_artifact_mb: float = Field(25, gt=0, le=1000, validation_alias="BADGEBOT_MAX_ARTIFACT_MB")
    # Submitted files; replicas must share one (a network mount), as they share the database.
    artifacts_dir: Path | None = Field(None, validation_alias="BADGEBOT_ARTIFACTS_DIR")
    slack_bot_token: str = Field("", validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field("", validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field("", validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(SLACK_API_URL, validation_alias="SLACK_API_URL")
    slack_client_id: str = Field("", validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: str = Field("", validation_alias="SLACK_CLIENT_SECRET")
    # The scheduler (issue 6): crontabs in BADGEBOT_TIMEZONE, weekdays by name.
    scheduler: str = Field("on", validation_alias="BADGEBOT_SCHEDULER")
    nudge_cron: str = Field("0 10 * * mon", validation_alias="BADGEBOT_NUDGE_CRON")
    review_reminder_cron: str = Field("0 9 * * mon-fri", validation_alias="BADGEBOT_REVIEW_REMINDER_CRON")
    expiry_cron: str = Field("15 * * * *", validation_alias="BADGEBOT_EXPIRY_CRON")
    quiet_hours: str = Field("20:00-08:00", validation_alias="BADGEBOT_QUIET_HOURS")
    quiet_days: str = Field("sat,sun", validation_alias="BADGEBOT_QUIET_DAYS")
    review_reminder_days: int = Field(3, ge=1, le=365, validation_alias="BADGEBOT_REVIEW_REMINDER_DAYS")
    review_escalation_days: int = Field(7, ge=1, le=365, validation_alias="BADGEBOT_REVIEW_ESCALATION_DAYS")
    expiry_notice_days: int = Field(30, ge=1, le=365, validation_alias="BADGEBOT_EXPIRY_NOTICE_DAYS")
    # Reports (issue 14): the time-to-decision target the office measures against (published reference
    # points are 14 business days, or 2 to 3 weeks), and the optional weekly digest to the office channel.
    decision_target_days: int = Field(14, ge=1, le=365, validation_alias="BADGEBOT_DECISION_TARGET_DAYS")
    digest_channel: str = Field("", validation_alias="BADGEBOT_DIGEST_CHANNEL")
    digest_cron: str = Field("0 8 * * mon", validation_alias="BADGEBOT_DIGEST_CRON")
    # Periodic evaluation (issue 13): when credentials whose `review_every` came due are opened for
    # evaluation, and issuer admins reminded (once a day) of those still undecided.
    evaluation_cron: str = Field("30 9 * * mon-fri", validation_alias="BADGEBOT_EVALUATION_CRON")
    # The outbox: tries before a message is left 'failed' for an administrator, how long a claimed
    # message may stay unconfirmed before another worker reconciles it, and the pause between two
    # messages to one channel (Slack allows about one a second).
    outbox_max_attempts: int = Field(8, ge=1, le=100, validation_alias="BADGEBOT_OUTBOX_MAX_ATTEMPTS")
    outbox_lease_seconds: float = Field(120, gt=0, le=3600, validation_alias="BADGEBOT_OUTBOX_LEASE_SECONDS")
    outbox_channel_interval: float = Field(1.0, ge=0, le=60, validation_alias="BADGEBOT_OUTBOX_CHANNEL_INTERVAL")
    # A check-in request that waited this long for a worker thread (a crowd at the door) is answered at
    # once with "busy, tap again" (HTTP 503) instead of after the queue; 0 never sheds (issue 15).
    checkin_busy_after_seconds: float = Field(1.5, ge=0, le=60, validation_alias="BADGEBOT_CHECKIN_BUSY_AFTER")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value:
            return value
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("not a database URL; expected e.g. sqlite:///data/badgebot.sqlite3 "
                             "or postgresql+psycopg://user@host/db") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {url.get_backend_name()!r}; use sqlite or postgresql")
        if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("psycopg2", "asyncpg", "pg8000"):
            raise ValueError("use the psycopg (3) driver: postgresql+psycopg://...")
        if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
            # Plain postgresql:// would pick psycopg2, which we do not install.
            value = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return value

    @field_validator("public_url", "slack_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value:
            return value
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("must be an http(s) URL such as https://badges.example.edu")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str) -> str:
        if value and not value.startswith("xoxb-"):
            raise ValueError("a bot token starts with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str) -> str:
        if value and not value.startswith("xapp-"):
            raise ValueError("an app-level token starts with xapp-")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name like America/Chicago") from None
        return value

    @field_validator("nudge_cron", "review_reminder_cron", "expiry_cron", "digest_cron", "evaluation_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        parse_cron(value, "UTC")  # raises ValueError naming the problem
        return value

    @field_validator("scheduler")
    @classmethod
    def _scheduler(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in ("on", "off"):
            raise ValueError("on (run the scheduler in `badgebot serve`; replicas elect one leader) or off")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        QuietHours.parse(value)
        return value

    @field_validator("quiet_days")
    @classmethod
    def _quiet_days(cls, value: str) -> str:
        if len(parse_days(value)) == 7:
            raise ValueError("every day is quiet, so no nudge or reminder could ever be sent")
        return value

    @model_validator(mode="after")
    def _reminder_thresholds(self) -> "Settings":
        if self.review_escalation_days <= self.review_reminder_days:
            raise ValueError("BADGEBOT_REVIEW_ESCALATION_DAYS must be more than BADGEBOT_REVIEW_REMINDER_DAYS "
                             "(grantors are reminded first, the review channel later)")
        return self

    @model_validator(mode="after")
    def _slack_pairs(self) -> "Settings":
        if bool(self.slack_bot_token) != bool(self.slack_signing_secret) and not self.slack_app_token:
            raise ValueError(
                "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET go together (or set neither to run the sandbox)"
            )
        if self.slack_app_token and not self.slack_bot_token:
            raise ValueError("SLACK_APP_TOKEN (Socket Mode) also needs SLACK_BOT_TOKEN")
        return self

    # Derived values --------------------------------------------------------------------------

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'badgebot.sqlite3').as_posix()}"

    @property
    def has_slack_credentials(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def artifact_store_dir(self) -> Path:
        """BADGEBOT_ARTIFACTS_DIR, else the data directory's artifacts/."""
        return self.artifacts_dir or self.data_dir / "artifacts"

    @property
    def max_artifact_bytes(self) -> int:
        return int(self.max_artifact_mb * 1024 * 1024)

    @property
    def quiet(self) -> Any:
        """The program's quiet hours (a bot.domain.scheduling.QuietHours)."""

        return QuietHours.parse(self.quiet_hours, self.quiet_days, self.timezone)


_SECRETS = {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_SECRET"}
_ALIASES = {name: (field.validation_alias or name) for name, field in Settings.model_fields.items()}


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings; raise SettingsError listing every bad value by variable name."""
    try:
        settings = Settings(**{_ALIASES.get(k, k): v for k, v in overrides.items()})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            message = err["msg"].removeprefix("Value error, ")
            given = err.get("input")
            secret = where in _SECRETS
            shown = f" (got {given!r})" if isinstance(given, (str, int, float)) and where != "settings" and not secret else ""
            problems.append(f"{where}: {message}{shown}")
        raise SettingsError(problems) from None
    if not settings.catalog.is_file():
        raise SettingsError([f"BADGEBOT_CATALOG: no such file {str(settings.catalog)!r}"])
    return settings
