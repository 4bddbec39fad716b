"""Personal data never lands in clear: e-mails and phone numbers are stored as salted SHA-256 hashes.

Values are normalized first (trimmed, lower-cased e-mail; digits-only phone with Brazil's country code), so
the same person hashes the same way across Hotmart, sales files and voice orders and can be joined.
The salt comes from ``PII_SALT``; never log or store it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from affiliate_assets.lib.settings import settings

_NON_DIGITS = re.compile(r"\D+")


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_phone(value: str) -> str:
    digits = _NON_DIGITS.sub("", value)
    if len(digits) in (10, 11):  # DDD + number, no country code
        digits = "55" + digits
    return digits


def _salt() -> str:
    """The salt: the live environment first (tests may change it), else the settings read once."""
    return os.environ.get("PII_SALT") or settings().pii_salt


def _digest(normalized: str, salt: str) -> str:
    return hmac.new(salt.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def hash_email(value: str | None, salt: str | None = None) -> str | None:
    if value is None or not str(value).strip():
        return None
    return _digest(normalize_email(str(value)), salt if salt is not None else _salt())


def hash_phone(value: str | None, salt: str | None = None) -> str | None:
    if value is None or not _NON_DIGITS.sub("", str(value)):
        return None
    return _digest(normalize_phone(str(value)), salt if salt is not None else _salt())
