"""One-time log-in codes (TOTP, RFC 6238) and single-use recovery codes.

The secret is 160 random bits, stored encrypted (lib/crypto.py). A code is accepted for its own 30-second step and
one step either side (a phone clock a little off), and never twice: the device keeps the last accepted step and a
conditional UPDATE claims a newer one, so two requests racing with the same code cannot both win.
"""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RecoveryCode, TotpDevice

STEP = 30
DIGITS = 6
DRIFT = 1  # steps accepted either side of now
ISSUER = "老干部之家"
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret():
    return base64.b32encode(secrets.token_bytes(20)).decode()


def _key(secret):
    return base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)


def code_at(secret, step):
    """Return the code for one 30-second step (HOTP of RFC 4226 with the step as counter)."""
    digest = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def current_step(now=None):
    return int((now if now is not None else time.time()) // STEP)


def matching_step(secret, code, *, after=0, now=None):
    """Return the step (newer than `after`) whose code is `code`, within ±DRIFT of now, or None."""
    code = normalise(code)
    if len(code) != DIGITS or not code.isdecimal():
        return None
    step = current_step(now)
    for candidate in range(step - DRIFT, step + DRIFT + 1):
        if candidate > after and hmac.compare_digest(code_at(secret, candidate), code):
            return candidate
    return None


def normalise(code):
    return "".join((code or "").split()).replace("-", "").lower()


def provisioning_uri(secret, account):
    label = quote(f"{ISSUER}:{account}")
    query = urlencode({"secret": secret, "issuer": ISSUER, "digits": DIGITS, "period": STEP}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"


def qr_data_uri(uri):
    """An SVG QR code as a data: URI (the CSP allows data: images; no inline script or style)."""
    return segno.make(uri, error="m").svg_data_uri(scale=6, border=2)


def grouped(secret):
    """The secret in blocks of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# -- devices -------------------------------------------------------------------------------------------------------

def confirmed_device(user):
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def is_enrolled(user):
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def needs_code(user):
    """Does log-in ask this user for a code after the password? (Anyone enrolled; required users enrol first.)"""
    return is_enrolled(user)


def pending_device(user):
    """Return the user's unconfirmed device, creating one with a fresh secret when there is none."""
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        device = TotpDevice.objects.create(user=user, secret=new_secret())
    return device


def verify(device, code, now=None):
    """Accept `code` for `device` once: True when it matches a step newer than the last one accepted."""
    step = matching_step(device.secret, code, after=device.last_step, now=now)
    if step is None:
        return False
    claimed = TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step)
    if claimed:
        device.last_step = step
    return bool(claimed)


# -- recovery codes ------------------------------------------------------------------------------------------------

def _hash(code):
    return salted_hmac("laogan.recovery-code", normalise(code), algorithm="sha256").hexdigest()


def new_recovery_codes(user):
    """Replace the user's recovery codes; return the new ones in plain text (shown once, only hashes are kept)."""
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_COUNT)]
    codes = [f"{c[:5]}-{c[5:]}" for c in codes]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash(c)) for c in codes])
    return codes


def use_recovery_code(user, code):
    """Spend one unused recovery code; True when it was valid."""
    if len(normalise(code)) != 10:
        return False
    return bool(RecoveryCode.objects.filter(user=user, code_hash=_hash(code), used_at__isnull=True)
                .update(used_at=timezone.now()))


def recovery_codes_left(user):
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def looks_like_recovery_code(code):
    text = normalise(code)
    return len(text) == 10 and not text.isdecimal()


def required_roles():
    return tuple(getattr(settings, "LAOGAN_TOTP_REQUIRED_ROLES", ()))
