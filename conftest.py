import os

import pytest


def pytest_configure(config):
    from django.conf import settings

    # Tests do not run collectstatic: serve static names as they are.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests read the English msgids, whatever the compiled catalogue says; test_language.py checks the Chinese UI.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']} {settings.DATABASES['default']['NAME']}"


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
