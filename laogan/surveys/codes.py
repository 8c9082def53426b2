"""One-time answer codes: short, unambiguous when read aloud or typed by an old hand, stored only as a keyed hash.

Eight characters from 32 (digits and capitals without 0/O/1/I) give 2^40 codes: with 3,000 codes in play a
guesser needs about 3.7 × 10^8 tries per hit, and the answer page allows a few dozen failures an hour.
"""

import re
import secrets
import unicodedata

from laogan.lib.crypto import lookup_hash

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 8
PATTERN = re.compile(r"\b[%s]{4}-[%s]{4}\b" % (ALPHABET, ALPHABET))


def new_code():
    """Return a fresh random code, e.g. "K7MQ3XPA"."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(text):
    """Return the code typed in `text` (spaces, dashes and case forgiven), or "" when it cannot be a code."""
    cleaned = unicodedata.normalize("NFKC", text or "").upper()
    cleaned = re.sub(r"[\s\-_.·]", "", cleaned)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return ""
    return cleaned


def display(code):
    """Return the code as printed and read out: two groups of four, "K7MQ-3XPA"."""
    return f"{code[:4]}-{code[4:]}"


def code_hash(code):
    """Return the keyed hash that is all the database keeps of a code."""
    return lookup_hash(f"survey-code:{code}")
