"""Log-in lock-out (等保 level 3): too many wrong passwords lock the account, and too many from one address lock
that address, for a while or until an administrator unlocks. No picture captcha: 适老化 rules forbid puzzles."""

from datetime import timedelta

from django.utils import timezone

from .models import LoginFailure

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = timedelta(minutes=15)


def _recent(key, now):
    return LoginFailure.objects.filter(key=key, at__gt=now - WINDOW)


def account_key(username):
    return f"user:{username.strip().lower()[:150]}"


def address_key(ip):
    return f"ip:{ip or 'unknown'}"


def locked(username, ip, now=None):
    """Return "account" or "address" when log-in must be refused before checking the password, else None."""
    now = now or timezone.now()
    if _recent(account_key(username), now).count() >= ACCOUNT_LIMIT:
        return "account"
    if _recent(address_key(ip), now).count() >= ADDRESS_LIMIT:
        return "address"
    return None


def note_failure(username, ip, now=None):
    now = now or timezone.now()
    LoginFailure.objects.bulk_create([LoginFailure(key=account_key(username), at=now), LoginFailure(key=address_key(ip), at=now)])


def clear_account(username):
    LoginFailure.objects.filter(key=account_key(username)).delete()


def prune(now=None):
    now = now or timezone.now()
    LoginFailure.objects.filter(at__lt=now - WINDOW * 4).delete()
