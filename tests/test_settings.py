from __future__ import annotations

import pytest
from pydantic import ValidationError

from feecollect.settings import Settings


def test_defaults_are_the_embedded_demo(monkeypatch):
    for name in ("FEECOLLECT_DATABASE_URL", "FEECOLLECT_ENVIRONMENT", "FEECOLLECT_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite:///./feecollect.db"
    assert settings.timezone == "Asia/Shanghai"


def test_placeholder_secret_is_refused_outside_development(monkeypatch):
    monkeypatch.setenv("FEECOLLECT_ENVIRONMENT", "production")
    monkeypatch.setenv("FEECOLLECT_SECRET_KEY", "change-me")
    with pytest.raises(ValidationError, match="FEECOLLECT_SECRET_KEY is a placeholder"):
        Settings(_env_file=None)
    monkeypatch.setenv("FEECOLLECT_SECRET_KEY", "9f1c2e7a3b5d4c6e8f0a1b2c3d4e5f60")
    with pytest.raises(ValidationError, match="FEECOLLECT_BILL_ISSUER_KEY_FILE is required in production"):
        Settings(_env_file=None)
    monkeypatch.setenv("FEECOLLECT_BILL_ISSUER_KEY_FILE", "/etc/feecollect/bill_issuer.key")
    with pytest.raises(
        ValidationError, match="FEECOLLECT_BILL_SUPERVISOR_KEY_FILE or FEECOLLECT_BILL_SUPERVISOR_SIGNER"
    ):
        Settings(_env_file=None)
    monkeypatch.setenv("FEECOLLECT_BILL_SUPERVISOR_SIGNER", "bureau_client.signing:supervisor")
    assert Settings(_env_file=None).environment == "production"


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(_env_file=None, timezone="Mars/Olympus")
