"""`manage.py check --deploy` with production settings: clean, and loud when a production secret is missing."""

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[3]


def check_deploy(**overrides):
    with tempfile.TemporaryDirectory() as data_dir:
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests; a deployment must not have it.
        env = {k: v for k, v in os.environ.items() if not k.startswith("LAOGAN_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
        env.update({
            "LAOGAN_PRODUCTION": "true",
            "LAOGAN_SECRET_KEY": secrets.token_urlsafe(64),
            "LAOGAN_FIELD_KEYS": f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
            "LAOGAN_LOOKUP_KEY": secrets.token_urlsafe(32),
            "LAOGAN_ALLOWED_HOSTS": "laogan.example.cn",
            "LAOGAN_CSRF_TRUSTED_ORIGINS": "https://laogan.example.cn",
            "LAOGAN_BEHIND_PROXY": "true",
            "LAOGAN_DATA_DIR": data_dir,
            "DATABASE_URL": f"sqlite:///{data_dir}/laogan.sqlite3",
        })
        env.update(overrides)
        env = {k: v for k, v in env.items() if v is not None}
        return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


class DeployCheckTest(SimpleTestCase):
    def test_production_settings_pass_check_deploy_without_warnings(self):
        result = check_deploy()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("System check identified no issues (0 silenced).", result.stdout)

    def test_missing_field_keys_is_an_error(self):
        result = check_deploy(LAOGAN_FIELD_KEYS=None, LAOGAN_LOOKUP_KEY=None)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("laogan.E001", result.stderr)
        self.assertIn("laogan.E002", result.stderr)

    def test_short_secret_key_stops_production(self):
        result = check_deploy(LAOGAN_SECRET_KEY="too-short")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("LAOGAN_SECRET_KEY", result.stderr)

    def test_without_https_the_deploy_check_warns(self):
        # The flag exists for a development copy behind plain HTTP; production without it is flagged.
        result = check_deploy(LAOGAN_HTTPS="false")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W004", result.stderr + result.stdout)  # no HSTS
