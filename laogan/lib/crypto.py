"""Field encryption at rest and keyed hashes for exact lookup of encrypted values.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). LAOGAN_FIELD_KEYS holds the keys newest first:
the first encrypts, all decrypt, so keys can be rotated by re-encrypting in batches. A keyed HMAC of the
normalised value (LAOGAN_LOOKUP_KEY) lets an ID number be found without decrypting every row, and a keyed HMAC of
the last six characters of a number (suffix_hash) lets a phone or ID number be found by the end a person types.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "f1:"


class DecryptionError(RuntimeError):
    pass


def _dev_key(label):
    return _derive(label, settings.SECRET_KEY)


@lru_cache(maxsize=8)
def _derive(label, secret):
    digest = hashlib.sha256(f"laogan-{label}:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=8)
def _fernet(keys):
    return MultiFernet([Fernet(k) for k in keys])


def field_keys():
    return tuple(settings.FIELD_ENCRYPTION_KEYS) or (_dev_key("field").decode(),)


def encrypt(text):
    if text is None or text == "":
        return text
    return PREFIX + _fernet(field_keys()).encrypt(str(text).encode()).decode()


def decrypt(token):
    if token is None or token == "":
        return token
    if not token.startswith(PREFIX):
        raise DecryptionError("value is not an encrypted field")
    try:
        return _fernet(field_keys()).decrypt(token[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise DecryptionError("no configured key decrypts this value (LAOGAN_FIELD_KEYS)") from None


def rotate(token):
    """Return token re-encrypted with the newest key (unchanged text)."""
    if not token:
        return token
    return PREFIX + _fernet(field_keys()).rotate(token[len(PREFIX) :].encode()).decode()


def lookup_hash(value):
    """Return the keyed hash used to find an exact value without decrypting."""
    key = settings.LOOKUP_HASH_KEY.encode() if settings.LOOKUP_HASH_KEY else _dev_key("lookup")
    return hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()


SUFFIX_LENGTH = 6


def suffix_hash(number):
    """Return the keyed hash of a normalised number's last six characters, or "" for a shorter or empty number.

    Keyed like lookup_hash, never a bare hash: without the key all 10^6 six-digit suffixes are hashed and matched in
    a second. 16 hex digits (64 bits) keep a million suffixes apart and the index small. An ID number's check
    character is upper-cased, as search upper-cases what is typed.
    """
    if not number or len(number) < SUFFIX_LENGTH:
        return ""
    return lookup_hash(f"number-suffix:{number[-SUFFIX_LENGTH:].upper()}")[:16]


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; reads give the plain text back."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
