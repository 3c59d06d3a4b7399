"""Cleaning a feed's values the way the provider form checks them.

Every function returns the cleaned value, or None when the value cannot be
used, and adds a warning saying what was dropped or changed. None of them
raises on a bad value: one bad field never costs the record, and one bad record
never costs the feed.
"""

from __future__ import annotations

import functools
import html
import math
import re
import urllib.parse
from typing import Any

import nh3
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

# The provider form's limits (hub/providers/forms.py), so an import keeps what a form would.
NAME_MAX = 200
DESCRIPTION_MAX = 5000
ELIGIBILITY_MAX = 2000
COST_MAX = 200
OPENING_TIMES_MAX = 1000
PHONE_MAX = 50
URL_MAX = 300
ADDRESS_MAX = 400
LOCATION_NAME_MAX = 200
OLDEST_AGE = 25

# Block-level ends become paragraph breaks before the tags are stripped.
_BLOCK_END = re.compile(r"</\s*(p|div|h[1-6]|li|ul|ol|tr|table|blockquote|section)\s*>",
                        re.IGNORECASE)
_LINE_BREAK = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\f\v\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# What makes a value more than one line of plain text with single spaces.
_NEEDS_WORK = re.compile(r"[<&\r\n\t\f\v\xa0]|  ")
_ANY_SPACE = re.compile(r"\s")
_BARE_DOMAIN = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?([/?#]\S*)?$",
                          re.IGNORECASE)
# Dot-separated plain local parts (at most 64 characters) at a host name of labels
# of letters, digits and inner hyphens, ending in an alphabetic top-level domain.
_PLAIN_EMAIL = re.compile(
    r"^(?=[^@]{1,64}@)[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*"
    r"@(?=.{4,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$|^localhost$|^[0-9.]+$",
                   re.IGNORECASE)


def plain_text(value: Any, limit: int, field: str, warnings: list[str]) -> str:
    """``value`` as plain text with paragraphs: HTML tags removed by nh3, entities
    decoded, spaces tidied, cut to ``limit`` characters at a word (with a warning)."""
    if not isinstance(value, str):
        if value not in (None, ""):
            warnings.append(f"{field}: not text, left out")
        return ""
    # One line of plain text with single spaces (most values) has only its ends to trim.
    text = _tidy(value) if _NEEDS_WORK.search(value) else value.strip()
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
        warnings.append(f"{field}: {len(text)} characters, shortened to {len(cut)}")
        text = cut
    return text


def _tidy(value: str) -> str:
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text or "&" in text:
        text = _LINE_BREAK.sub("\n", _BLOCK_END.sub("\n\n", text))
        text = html.unescape(nh3.clean(text, tags=set()))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def one_line(value: Any, limit: int, field: str, warnings: list[str]) -> str:
    """:func:`plain_text` on one line (names, costs, addresses)."""
    return " ".join(plain_text(value, limit, field, warnings).split())


def url(value: Any, field: str, warnings: list[str]) -> str:
    """An http(s) address: a bare domain gets ``https://``; anything else is dropped."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return ""
    if "://" not in text and _BARE_DOMAIN.match(text):
        text = "https://" + text
    try:
        parts = urllib.parse.urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if (parts is None or parts.scheme.lower() not in ("http", "https") or not _HOST.match(host)
            or _ANY_SPACE.search(text) or len(text) > URL_MAX):
        warnings.append(f"{field}: not a web address, left out: {value!r:.80}")
        return ""
    return text


@functools.lru_cache(maxsize=4096)
def _valid_email(text: str) -> bool:
    # Feeds repeat an organisation's address on every service: each is checked once.
    # The plain ASCII shape nearly every address has is one the validator accepts
    # (tests/services/oruk/test_cleaning.py checks that); anything else goes to it.
    if len(text) <= 254 and _PLAIN_EMAIL.match(text) and not _special_use(text):
        return True
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _special_use(text: str) -> bool:
    domain = text.rsplit("@", 1)[1].lower()
    return any(domain == name or domain.endswith("." + name)
               for name in SPECIAL_USE_DOMAIN_NAMES)


def email(value: Any, field: str, warnings: list[str]) -> str:
    """An email address checked as the form checks it, or "" with a warning."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return ""
    if not _valid_email(text):
        warnings.append(f"{field}: not an email address, left out: {value!r:.80}")
        return ""
    if len(text) > NAME_MAX:
        warnings.append(f"{field}: too long, left out")
        return ""
    return text


def age(value: Any, field: str, warnings: list[str]) -> int | None:
    """A whole age from 0 to 25, or None (unknown) for anything else, with a warning."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or number != int(number) or not (
            0 <= number <= OLDEST_AGE):
        warnings.append(f"{field}: not an age from 0 to {OLDEST_AGE}, left out: {value!r:.40}")
        return None
    return int(number)


def count(value: Any, field: str, warnings: list[str]) -> int | None:
    """A whole number of 0 or more that fits a database integer, or None with a warning."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or number != int(number) or not (
            0 <= number < 2**31):
        warnings.append(f"{field}: not a whole number, left out: {value!r:.40}")
        return None
    return int(number)


# ORUK 1.0 ``attending_type`` values to our ways of delivery.
ATTENDING_MODES = {"phone": "phone", "online": "online", "venue": "venue",
                   "home visit": "home_visit"}


def attending_modes(value: Any, warnings: list[str]) -> list[str]:
    """Our ways of delivery from an ORUK 1.0 ``attending_type`` (one value, or several
    separated by commas); an empty list (not stated) when missing, and unknown values
    left out with a warning."""
    if not isinstance(value, str) or not value.strip():
        return []
    modes: list[str] = []
    for part in value.split(","):
        word = " ".join(part.split()).lower()
        mode = ATTENDING_MODES.get(word)
        if mode is None:
            warnings.append(f"attending_type: not a way of delivery, left out: {word!r:.40}")
        elif mode not in modes:
            modes.append(mode)
    return modes
