"""Mapping a feed's taxonomy terms to our needs: a mapping file (``--mapping``), our
own term ids and names, and the shipped mapping of the common UK vocabularies."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.oruk import ids
from services.taxonomy import Need

DEFAULT_MAPPING = Path(__file__).parent / "vocabularies.json"


class MappingError(ValueError):
    """The taxonomy mapping file cannot be used; the message says why."""


def _flat_mapping(data: Any) -> dict[str, str]:
    """``{term: need code}`` from either a flat JSON object or the shipped file's shape,
    ``{"vocabularies": {vocabulary name: {term: need code}}}``. Raises MappingError."""
    if isinstance(data, dict) and isinstance(data.get("vocabularies"), dict):
        flat: dict[str, Any] = {}
        for vocabulary in data["vocabularies"].values():
            if not isinstance(vocabulary, dict):
                raise MappingError("Each vocabulary must be a JSON object of terms to need codes")
            flat.update(vocabulary)
        data = flat
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise MappingError("The mapping must be a JSON object of strings to need codes")
    return {key.strip().casefold(): value.strip() for key, value in data.items()}


def load_mapping(path: Path | None) -> dict[str, str]:
    """A term mapping from a JSON object ``{term id, code or name: need code}`` (or
    grouped by vocabulary, as ``services/oruk/vocabularies.json``).

    Raises MappingError for unreadable files or non-string values.
    """
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MappingError(f"Could not read the mapping {path}: {error}") from error
    return _flat_mapping(data)


@functools.cache
def default_mapping() -> dict[str, str]:
    """The shipped mapping of the common UK vocabularies (DfE family hubs categories,
    LGA/esd needs and service types) to our need codes."""
    return _flat_mapping(json.loads(DEFAULT_MAPPING.read_text(encoding="utf-8")))


class TermMapper:
    """Maps a feed's taxonomy terms to our need codes: the mapping first, then defaults.

    Defaults: our own term ids, a term whose ``term``/``code`` is a need code, a
    term whose name equals a need's name (ignoring case), then the shipped mapping
    of the common UK vocabularies (entries naming needs this hub does not have are
    left out).
    """

    def __init__(self, session: Session, mapping: Mapping[str, str]) -> None:
        needs = list(session.execute(select(Need)).scalars())
        self.codes = {need.code for need in needs}
        self.by_name = {need.name.casefold(): need.code for need in needs}
        self.by_id = {ids.term_id(need.code): need.code for need in needs}
        unknown = sorted(set(mapping.values()) - self.codes)
        if unknown:
            raise MappingError(f"The mapping names unknown need codes: {', '.join(unknown)}")
        self.mapping = dict(mapping)
        self.vocabularies = {key: code for key, code in default_mapping().items()
                             if code in self.codes}

    def code_for(self, term: Mapping[str, Any]) -> str | None:
        """Our need code for ``term``, or None."""
        keys = [str(term.get(name) or "").strip() for name in ("id", "term", "code", "name")]
        for key in keys:
            if key and key.casefold() in self.mapping:
                return self.mapping[key.casefold()]
        term_id, term_code, code, name = keys
        if term_id in self.by_id:
            return self.by_id[term_id]
        for candidate in (term_code, code):
            if candidate.upper() in self.codes:
                return candidate.upper()
        if name and name.casefold() in self.by_name:
            return self.by_name[name.casefold()]
        for key in (name, term_id, term_code, code):
            if key and key.casefold() in self.vocabularies:
                return self.vocabularies[key.casefold()]
        return None
