"""System checks that stop a production deployment from running with development secrets."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_production_secrets(app_configs, **kwargs):
    errors = []
    if not settings.FIELD_ENCRYPTION_KEYS:
        errors.append(checks.Error(
            "LAOGAN_FIELD_KEYS is not set: personal data would be encrypted with a key derived from SECRET_KEY.",
            hint="Generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'",
            id="laogan.E001",
        ))
    if not settings.LOOKUP_HASH_KEY:
        errors.append(checks.Error(
            "LAOGAN_LOOKUP_KEY is not set: ID-number lookup hashes would use a key derived from SECRET_KEY.",
            hint="Set it once to a long random string and never change it.",
            id="laogan.E002",
        ))
    return errors
