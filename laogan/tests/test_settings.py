import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from laogan import settings as laogan_settings

ROOT = Path(laogan_settings.BASE_DIR)


def test_env_example_lists_every_variable_the_settings_read():
    source = (ROOT / "laogan" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', source)) | {"DATABASE_URL"}
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - listed == set(), "variables missing from .env.example"
    assert listed - read == set(), "variables in .env.example that nothing reads"


def test_a_bad_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("LAOGAN_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="LAOGAN_DEBUG must be true or false"):
        laogan_settings.env_bool("LAOGAN_DEBUG")


def test_a_bad_number_fails_loudly(monkeypatch):
    monkeypatch.setenv("LAOGAN_WORKER_STALE_SECONDS", "five")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        laogan_settings.env_int("LAOGAN_WORKER_STALE_SECONDS", 300)


def test_sqlite_url_with_absolute_path():
    db = laogan_settings.database_from_url("sqlite:////tmp/x.sqlite3")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/tmp/x.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_postgres_url():
    db = laogan_settings.database_from_url("postgres://laogan:pw@127.0.0.1:5432/test")
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql", "test", "laogan", "pw", "127.0.0.1", "5432")


def test_unknown_database_scheme_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        laogan_settings.database_from_url("mysql://localhost/x")


def test_time_zone_and_language():
    assert laogan_settings.TIME_ZONE == "Asia/Shanghai"
    assert laogan_settings.USE_TZ is True
    assert laogan_settings.LANGUAGE_CODE == "zh-hans"
