"""Domain errors that carry messages for the user, keyed by form field."""

from __future__ import annotations


class InvalidInput(ValueError):
    """Raised when input breaks a rule; ``errors`` maps a field name to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AlreadyDone(Exception):
    """Raised when what was asked has already been done (a double submit, a second tab,
    or a colleague first): nothing more is changed, and the user is shown how things are."""
