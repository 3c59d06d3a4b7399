"""Hostile input for every route: what to send, and where the fields come from.

Fields are not listed by hand: they are read from the forms and links of every page
a role can see (so a form added later is covered), each with the value the page
would send untouched. ``cases`` then spoils one thing at a time, so the rest of the
form is valid and the hostile value reaches the code behind the first check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import parse_qsl, urlencode, urlsplit

HUGE_INTEGERS = (str(10**30), "-1", str(2**63))
BIG_TEXT = "x" * 100_000
# Each value: (what the failure message calls it, the value).
# Ordered so that the even and the odd halves each hold a spread of kinds: a field
# gets one half or the other (see ``cases``).
VALUES: tuple[tuple[str, str], ...] = (
    ("10**30", HUGE_INTEGERS[0]),
    ("2**63", HUGE_INTEGERS[2]),
    ("100 kB string", BIG_TEXT),
    ("empty string", ""),
    ("-1", HUGE_INTEGERS[1]),
    ("non-numeric", "abc"),
    ("float overflow", "1e999"),
    ("NUL byte", "a\x00b"),
    ("superscript digit", "\u00b2"),  # str.isdigit() is true, int() refuses it
)
# The values tried in every common query-string name at once, on every GET route.
QUERY_VALUES: tuple[tuple[str, str], ...] = (VALUES[0], VALUES[4], VALUES[5], VALUES[7], VALUES[8])
TWENTY_DIGIT_YEAR = "9" * 20
NOT_UTF8 = b"\xff\xfe\xc3\x28"
# Uploads that are not what a file field wants, each (description, name, bytes).
WRONG_FILES: tuple[tuple[str, str, bytes], ...] = (
    ("PNG named .csv", "attendance.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
    ("non-UTF-8 CSV", "attendance.csv", b"upn,first_name\n" + NOT_UTF8 * 50 + b",A\n"),
    ("empty file", "empty.csv", b""),
    ("PDF", "report.pdf", b"%PDF-1.4\n" + b"\x00\xff" * 500),
    ("CSV of one huge cell", "big.csv", BIG_TEXT.encode() * 3),
    ("header only", "head.csv", b"upn\n"),
)
# Query-string names most list pages read; each is also tried on every GET route.
COMMON_QUERY = ("page", "status", "kind", "organisation", "q", "next", "change",
                "child", "other", "parent", "from", "to", "action", "refused")


@dataclass
class FormFields:
    """The fields of one form: name -> the values the page would send as it is."""

    method: str
    defaults: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class FormReader(HTMLParser):
    """Every form on a page with its fields' untouched values, and every link's query."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[tuple[str, FormFields]] = []
        self.links: list[str] = []
        self._form: FormFields | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: (v or "") for k, v in attrs}
        if tag == "a" and "?" in attr.get("href", ""):
            self.links.append(attr["href"])
        if tag == "form":
            action = urlsplit(attr.get("action") or self.page_path).path or self.page_path
            self._form = FormFields(attr.get("method", "get").lower())
            self.forms.append((action, self._form))
            return
        form, name = self._form, attr.get("name")
        if form is None:
            return
        if tag == "option" and self._select is not None:
            self._options.append((attr.get("value", ""), "selected" in attr))
        if not name:
            return
        if tag == "input":
            kind = attr.get("type", "text").lower()
            if kind == "file":
                form.files.add(name)
            elif kind in ("radio", "checkbox"):
                form.defaults.setdefault(name, [])
                if "checked" in attr:
                    form.defaults[name].append(attr.get("value", "on"))
            elif kind not in ("submit", "button", "image", "reset"):
                form.defaults.setdefault(name, []).append(attr.get("value", ""))
        elif tag == "select":
            self._select, self._options = name, []
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._form is not None and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]]
            self._form.defaults.setdefault(self._select, []).extend(chosen)
            self._select = None
        elif tag == "textarea" and self._form is not None and self._textarea is not None:
            self._form.defaults.setdefault(self._textarea, []).append(self._text.strip())
            self._textarea = None


@dataclass
class Discovered:
    """Per path and method, the union of the fields every form and link sends there."""

    fields: dict[tuple[str, str], FormFields] = field(default_factory=dict)

    def read(self, page_path: str, html: str) -> None:
        reader = FormReader(page_path)
        reader.feed(html)
        reader.close()
        for action, form in reader.forms:
            method = "POST" if form.method == "post" else "GET"
            known = self.fields.setdefault((action, method), FormFields(form.method))
            for name, values in form.defaults.items():
                known.defaults.setdefault(name, values)
            known.files |= form.files
        for link in reader.links:
            parts = urlsplit(link)
            known = self.fields.setdefault((parts.path or page_path, "GET"), FormFields("get"))
            for name, value in parse_qsl(parts.query, keep_blank_values=True):
                known.defaults.setdefault(name, [value])

    def for_path(self, path: str, method: str) -> FormFields:
        return self.fields.get((path, method), FormFields(method.lower()))


@dataclass(frozen=True)
class Case:
    """One request to send: a description for the failure message, and its parts."""

    label: str
    data: list[tuple[str, str]] | bytes | None = None
    files: dict[str, tuple[BytesIO, str]] | None = None
    content_type: str | None = None


def _pairs(defaults: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, values in defaults.items() for value in values or [""]]


def _with(defaults: dict[str, list[str]], name: str, value: str) -> list[tuple[str, str]]:
    return [(n, v) for n, v in _pairs(defaults) if n != name] + [(name, value)]


def _one_of_each_kind(names: list[str]) -> list[str]:
    """Fields named alike but for digits (``rule-3-keyword``, ``free_places-12``) are
    read by the same code: spoiling the first of each kind is enough."""
    kinds: dict[str, str] = {}
    for name in names:
        kinds.setdefault(re.sub(r"\d+", "#", name), name)
    return list(kinds.values())


def cases(fields: FormFields, extra_names: tuple[str, ...] = (), thorough: bool = True,
          seed: int = 0) -> Iterator[Case]:
    """The hostile requests for one route. ``thorough`` spoils each kind of field with
    half of VALUES in turn, the even or the odd half by the field's place and ``seed``
    (so roles that share a form send both halves to each field); otherwise whole-form
    cases only. Every field also gets 10**30, an empty string and duplicates at once."""
    defaults = dict(fields.defaults)
    for name in extra_names:
        defaults.setdefault(name, [])
    names = [n for n in defaults if n != "csrf_token"]
    yield Case("all fields missing", [])
    if not names and not fields.files:
        return
    yield Case("every field an empty string", [(n, "") for n in names])
    yield Case("every field 10**30", [(n, HUGE_INTEGERS[0]) for n in names])
    yield Case("every field duplicated (its value, then 10**30)",
               _pairs(defaults) + [(n, HUGE_INTEGERS[0]) for n in names])
    body = urlencode([(n, NOT_UTF8) for n in names] or [("x", NOT_UTF8)]).encode()
    yield Case("non-UTF-8 bytes in every field", body, content_type="application/x-www-form"
               "-urlencoded")
    yield Case("a body that is not form-encoded at all", NOT_UTF8 * 100,
               content_type="application/x-www-form-urlencoded")
    years = [n for n in names if n.endswith("-year")]
    for name in years:
        yield Case(f"{name}={TWENTY_DIGIT_YEAR} (20-digit year)",
                   _with(defaults, name, TWENTY_DIGIT_YEAR))
    for name in fields.files:
        for label, filename, content in WRONG_FILES:
            yield Case(f"{name}: {label}", _pairs(defaults),
                       files={name: (BytesIO(content), filename)})
        yield Case(f"{name}: text instead of a file", _with(defaults, name, "not a file"))
    if not thorough:
        return
    for index, name in enumerate(_one_of_each_kind(names)):
        for label, value in VALUES[(seed + index) % 2::2]:
            yield Case(f"{name}={label}", _with(defaults, name, value))
        yield Case(f"{name} missing", [(n, v) for n, v in _pairs(defaults) if n != name])
