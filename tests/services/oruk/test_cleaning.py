"""The fast email check agrees with the validator the provider form uses; the fast
plain-text path agrees with the full tidying."""

from __future__ import annotations

import string

from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from services.oruk import cleaning


def validator_accepts(text: str) -> bool:
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def cleaned(text: str) -> str:
    cleaning._valid_email.cache_clear()
    return cleaning.email(text, "email", [])


PLAIN = string.ascii_letters + string.digits + "._+-"
part = st.text(alphabet=PLAIN + "@", min_size=1, max_size=70)


@settings(max_examples=400, deadline=None)
@given(st.builds(lambda a, b, c: f"{a}@{b}.{c}", part, part,
                 st.text(alphabet=string.ascii_letters + string.digits + "-", min_size=0,
                         max_size=8)))
def test_it_accepts_exactly_what_the_validator_accepts(text: str) -> None:
    assert (cleaned(text) == text) == validator_accepts(text)


def test_it_agrees_on_addresses_feeds_get_wrong() -> None:
    for text in ["team@example.org", "a.b+c@mail.example.co.uk", "x@example.org.",
                 "x..y@example.org", ".x@example.org", "x@-bad.org", "x@bad-.org",
                 "x@localhost", "x@site.test", "x@site.local", "x@1.2.3.4", "x@example.c",
                 "x@" + "a" * 64 + ".org", "a" * 65 + "@example.org", "x@exa_mple.org",
                 "x@example.123", "tést@example.org", "x@例え.jp", "x@xn--bcher-kva.ch"]:
        assert (cleaned(text) == text) == validator_accepts(text), text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" \t\n\r\xa0\u2003\u2028<>&;pb/aé1", max_size=30))
def test_it_tidies_plain_one_line_text_as_the_full_cleaning_would(text: str) -> None:
    # plain_text skips the full tidying for a line with single spaces only: the same.
    assert cleaning.plain_text(text, 1000, "field", []) == cleaning._tidy(text)
