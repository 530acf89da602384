"""Runtime settings, read from ``FEECOLLECT_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that ship in examples and must never reach a real deployment.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "development", "dev", "test"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FEECOLLECT_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./feecollect.db"
    schedules_dir: Path = Path("fee_schedules")
    # Business dates (service date defaults, payment dates, reconciliation days) are the centre's dates.
    timezone: str = "Asia/Shanghai"
    secret_key: SecretStr = SecretStr("change-me")
    # The centre: its name is printed on notices; its 行政区划代码 opens every payment code.
    centre_name: str = "示范市政务服务中心"
    division_code: str = Field("430321", pattern=r"^\d{6}$")
    notice_due_days: int = Field(15, ge=1, le=365)
    # Reconciliation: a callback payment of day P is expected on the statement by day P + N (T+N).
    settlement_days: int = Field(1, ge=0, le=30)
    # Each API process keeps this many database connections and runs at most this many requests that
    # use the database at once; more wait their turn (PostgreSQL's max_connections bounds workers × this).
    database_pool_size: int = Field(4, ge=1, le=200)
    # A bank's lookup gives a confirm code its callback echoes; the payment must be dated within this
    # many minutes of the lookup (SPEC §6).
    bank_lookup_minutes: int = Field(60, ge=5, le=24 * 60)
    # Web pages: a sign-in lasts this long (a working day); cookies are marked Secure when served over
    # HTTPS (set true behind TLS; plain http://localhost needs false).
    web_session_minutes: int = Field(480, ge=5, le=7 * 24 * 60)
    web_secure_cookies: bool = False
    # Celery: unset means the embedded default, where tasks run eagerly in-process with no broker.
    broker_url: str | None = None
    # Electronic bills: the Ed25519 key that signed bills before SM2 (they keep verifying with it). The
    # region code (first two digits of the bill code) defaults to the division's province.
    bill_signing_key_file: Path | None = None
    # SM2 keys (PEM, `openssl genpkey -algorithm SM2` or `feecollect keys generate`) of the issuing unit
    # and of the finance bureau's supervision (财政监制); required in production. Where the bureau signs
    # with its own service, ``bill_supervisor_signer`` names a factory "module:function" taking these
    # settings and returning its signer (docs/bank-bills-ledger.md), and no supervisor key is held here.
    bill_issuer_key_file: Path | None = None
    bill_supervisor_key_file: Path | None = None
    bill_supervisor_signer: str | None = Field(None, pattern=r"^[\w.]+:\w+$")
    bill_region_code: str = Field("", pattern=r"^(\d{2})?$")
    public_base_url: str = "http://127.0.0.1:8000"
    # Operations (SPEC §17): log lines as JSON objects or as text; /metrics open to the network the
    # service listens on unless a token is set, which a scraper then sends as a bearer token; a worker
    # on a host of its own serves its metrics on this port.
    log_format: Literal["json", "text"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics_token: SecretStr | None = None
    worker_metrics_port: int | None = Field(None, ge=1, le=65535)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _no_placeholder_secrets_outside_development(self) -> Settings:
        if self.environment != "development":
            for name in ("secret_key",):
                value: SecretStr = getattr(self, name)
                if value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
                    raise ValueError(
                        f"FEECOLLECT_{name.upper()} is a placeholder; set a real secret "
                        f"when FEECOLLECT_ENVIRONMENT={self.environment}"
                    )
        if self.environment == "production" and self.bill_issuer_key_file is None:
            raise ValueError(
                "FEECOLLECT_BILL_ISSUER_KEY_FILE is required in production: run `feecollect keys generate`"
            )
        if self.environment == "production" and not (
            self.bill_supervisor_key_file or self.bill_supervisor_signer
        ):
            raise ValueError(
                "production needs FEECOLLECT_BILL_SUPERVISOR_KEY_FILE or FEECOLLECT_BILL_SUPERVISOR_SIGNER"
            )
        return self

    @property
    def bill_region(self) -> str:
        return self.bill_region_code or self.division_code[:2]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache
def get_settings() -> Settings:
    return Settings()
