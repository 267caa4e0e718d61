"""One frozen settings object, read from the environment once.

Every variable is documented in docs/operations.md ("Configuration"); tests/platform/test_docs.py
keeps the two in step.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

PREFIX = "LEGAL_TRACKER_"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(PREFIX + name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}{name} must be a whole number") from exc


def _env_float(name: str, default: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}{name} must be a number") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{PREFIX}{name} must be on or off")


class SettingsError(RuntimeError):
    """The environment does not describe a runnable service."""


@dataclass(frozen=True, slots=True)
class Settings:
    environment: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    database_url: str = ""
    public_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = None
    old_secret_keys: tuple[str, ...] = ()
    token_ttl_hours: float = 12.0
    token_idle_minutes: float = 60.0
    login_max_failures: int = 6
    login_lockout_minutes: float = 15.0
    login_rate_per_minute: int = 20
    feed_rate_per_minute: int = 60
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 10_485_760
    cors_origins: tuple[str, ...] = ()
    scheduler: bool = True
    scheduler_interval_seconds: float = 5.0
    sms_gateway: str = "console"
    sms_rate_per_second: float = 20.0
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    twilio_base_url: str = "https://api.twilio.com"
    africastalking_username: str | None = None
    africastalking_api_key: str | None = None
    africastalking_from: str | None = None
    africastalking_base_url: str | None = None
    africastalking_webhook_secret: str | None = None
    filings_dir: Path | None = None  # read once, by migration m0641
    redis_url: str | None = None
    db_pool_size: int = 10
    trusted_proxies: tuple[str, ...] = ()
    log_level: str = "INFO"
    # Accounts (docs/accounts.md): who must use a second factor, how long invitation and reset
    # links live, and outgoing mail (password reset by email needs it).
    require_2fa: str = "admins"
    account_link_hours: float = 72.0
    smtp_url: str | None = None
    mail_from: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        if not self.is_sqlite:
            raise SettingsError("not a SQLite database URL")
        return Path(self.database_url.removeprefix("sqlite:///").removeprefix("sqlite://"))

    @property
    def legacy_filings_path(self) -> Path:
        """Where versions before issue 15 kept files; read once by migration m0641."""
        return self.filings_dir or (self.data_dir / "filings")

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings() -> Settings:
    data_dir = Path(_env("DATA_DIR", "data") or "data")
    database_url = _env("DATABASE_URL") or f"sqlite:///{data_dir / 'legal_tracker.sqlite'}"
    if not (database_url.startswith("sqlite:") or database_url.startswith("postgres")):
        raise SettingsError(f"{PREFIX}DATABASE_URL must start with sqlite:/// or postgresql://")
    environment = (_env("ENV", "development") or "development").lower()
    if environment not in {"development", "production", "test"}:
        raise SettingsError(f"{PREFIX}ENV must be development, production or test")
    gateway = (_env("SMS_GATEWAY", "console") or "console").lower()
    if gateway not in {"console", "twilio", "africastalking"}:
        raise SettingsError(f"{PREFIX}SMS_GATEWAY must be console, twilio or africastalking")
    old_keys = tuple(k.strip() for k in (_env("OLD_SECRET_KEYS", "") or "").split(",") if k.strip())
    cors = tuple(o.strip() for o in (_env("CORS_ORIGINS", "") or "").split(",") if o.strip())
    filings = _env("FILINGS_DIR")
    require_2fa = (_env("REQUIRE_2FA", "admins") or "admins").lower()
    if require_2fa not in {"off", "admins", "all"}:
        raise SettingsError(f"{PREFIX}REQUIRE_2FA must be off, admins or all")
    smtp_url = _env("SMTP_URL")
    if smtp_url and not smtp_url.startswith(("smtp://", "smtps://")):
        raise SettingsError(f"{PREFIX}SMTP_URL must start with smtp:// or smtps://")
    mail_from = _env("MAIL_FROM")
    if smtp_url and not mail_from:
        raise SettingsError(f"{PREFIX}MAIL_FROM is required when {PREFIX}SMTP_URL is set")
    redis_url = _env("REDIS_URL")
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"{PREFIX}REDIS_URL must start with redis://, rediss:// or unix://")
    proxies = tuple(p.strip() for p in (_env("TRUSTED_PROXIES", "") or "").split(",") if p.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError as exc:
            raise SettingsError(f"{PREFIX}TRUSTED_PROXIES must be IP addresses or networks "
                                "(CIDR), separated by commas") from exc
    return Settings(
        environment=environment,
        host=_env("HOST", "127.0.0.1") or "127.0.0.1",
        port=_env_int("PORT", 8000),
        data_dir=data_dir,
        database_url=database_url,
        public_url=(_env("PUBLIC_URL", "http://127.0.0.1:8000") or "").rstrip("/"),
        secret_key=_env("SECRET_KEY"),
        old_secret_keys=old_keys,
        token_ttl_hours=_env_float("TOKEN_TTL_HOURS", 12.0),
        token_idle_minutes=_env_float("TOKEN_IDLE_MINUTES", 60.0),
        login_max_failures=_env_int("LOGIN_MAX_FAILURES", 6),
        login_lockout_minutes=_env_float("LOGIN_LOCKOUT_MINUTES", 15.0),
        login_rate_per_minute=_env_int("LOGIN_RATE_PER_MINUTE", 20),
        feed_rate_per_minute=_env_int("FEED_RATE_PER_MINUTE", 60),
        max_body_bytes=_env_int("MAX_BODY_BYTES", 1_048_576),
        max_upload_bytes=_env_int("MAX_UPLOAD_BYTES", 10_485_760),
        cors_origins=cors,
        scheduler=_env_bool("SCHEDULER", True),
        scheduler_interval_seconds=_env_float("SCHEDULER_INTERVAL_SECONDS", 5.0),
        sms_gateway=gateway,
        sms_rate_per_second=_env_float("SMS_RATE_PER_SECOND", 20.0),
        twilio_account_sid=_env("TWILIO_ACCOUNT_SID"),
        twilio_auth_token=_env("TWILIO_AUTH_TOKEN"),
        twilio_from=_env("TWILIO_FROM"),
        twilio_base_url=(_env("TWILIO_BASE_URL", "https://api.twilio.com") or "").rstrip("/"),
        africastalking_username=_env("AFRICASTALKING_USERNAME"),
        africastalking_api_key=_env("AFRICASTALKING_API_KEY"),
        africastalking_from=_env("AFRICASTALKING_FROM"),
        africastalking_base_url=_env("AFRICASTALKING_BASE_URL"),
        africastalking_webhook_secret=_env("AFRICASTALKING_WEBHOOK_SECRET"),
        filings_dir=Path(filings) if filings else None,
        redis_url=redis_url,
        db_pool_size=_env_int("DB_POOL_SIZE", 10),
        trusted_proxies=proxies,
        log_level=(_env("LOG_LEVEL", "INFO") or "INFO").upper(),
        require_2fa=require_2fa,
        account_link_hours=_env_float("ACCOUNT_LINK_HOURS", 72.0),
        smtp_url=smtp_url,
        mail_from=mail_from,
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
