"""Which passwords we accept: long enough, and not common or guessable (zxcvbn)."""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
# zxcvbn's scores run 0 to 4; 3 is "safely unguessable" (about 10^8 guesses and more).
MIN_SCORE = 3
# zxcvbn's time grows with length; past this only the start is scored (still long).
_SCORED_LENGTH = 100
_SERVICE_WORDS = ("family", "hub", "familyhub", "bolton")


def password_problem(password: str, known: Iterable[str] = ()) -> str | None:
    """Why ``password`` is refused, or None when it is accepted.

    ``known`` are words about the person (email, name, organisation): a password built
    from them is guessable by anyone who knows them.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer"
    words = [word for text in known for word in _words(text)]
    if words and _mostly_known(password, words):
        return "Do not build your password from your name, email address or organisation"
    result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=[*words, *_SERVICE_WORDS])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or ""
        advice = f" ({warning.rstrip('.')})" if warning else ""
        return ("Choose a password that is harder to guess" + advice
                + ": for example three or four random words")
    return None


def _words(text: str) -> list[str]:
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return [word for word in cleaned.split() if len(word) > 2]


def _mostly_known(password: str, words: list[str]) -> bool:
    # zxcvbn scores several of the person's own words run together as strong; anyone who
    # knows the person would try them first.
    rest = password.lower()
    for word in sorted(set(words), key=len, reverse=True):
        rest = rest.replace(word, "")
    return sum(ch.isalpha() for ch in rest) < 6
