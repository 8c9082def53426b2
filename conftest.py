import os

import pytest
from hypothesis import settings as hypothesis_settings

# Property-based tests stay quick in CI: 50 examples each, no per-example deadline (a shared machine is slow at
# times). HYPOTHESIS_PROFILE=thorough runs 2,000 examples locally.
hypothesis_settings.register_profile("ci", max_examples=50, deadline=None)
hypothesis_settings.register_profile("thorough", max_examples=2000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    from django.conf import settings

    # Tests do not run collectstatic: serve static names as they are.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests read the English msgids, whatever the compiled catalogue says; test_language.py checks the Chinese UI.
    settings.LANGUAGE_CODE = "en"
    # No nightly backup whenever a test runs the due jobs; jobs/tests/test_backup.py turns it on where it tests it.
    settings.LAOGAN_BACKUP_KEEP = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the dashboard's key figures are cached per unit for a minute)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LAOGAN_BACKUP_DIR = tmp_path / "backups"


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']} {settings.DATABASES['default']['NAME']}"


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
