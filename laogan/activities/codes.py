"""Per-member sign-in codes (签到码) for scanning attendance: LG1-<id>-<check>.

The service card's QR is a vCard shared by a whole party group and names nobody, so attendance needs its own code.
It carries the member's database id in base 36 (no name, no ID number, no phone) and ten base-32 characters of an
HMAC keyed by the SECRET_KEY, so a code cannot be made up or altered to count someone else; 50 bits is far beyond
what anyone can guess at a scanning desk. The prefix names the scheme's version, so a later scheme can live beside it.
"""

import base64
import hmac
import unicodedata

from django.utils.crypto import salted_hmac

PREFIX = "LG1"
SALT = "laogan.activities.signin-code"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class InvalidCode(ValueError):
    pass


def _base36(n):
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
        if n == 0:
            return out


def _check(ident):
    return base64.b32encode(salted_hmac(SALT, ident, algorithm="sha256").digest()).decode()[:10]


def code_for(member_id):
    """Return the sign-in code of a member, e.g. LG1-2F-K3J5M2Q7WX."""
    ident = _base36(int(member_id))
    return f"{PREFIX}-{ident}-{_check(ident)}"


def member_id_from(text):
    """Return the member id a scanned or typed code names, or raise InvalidCode."""
    code = unicodedata.normalize("NFKC", text or "").strip().upper().replace(" ", "")
    parts = code.split("-")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or len(parts[1]) > 12:
        raise InvalidCode(code)
    ident, check = parts[1], parts[2]
    if any(c not in ALPHABET for c in ident) or not hmac.compare_digest(check, _check(ident)):
        raise InvalidCode(code)
    return int(ident, 36)
