"""The need rule's view of the two-level need taxonomy."""

from __future__ import annotations

from collections.abc import Mapping

# How a service's declared needs meet a request (``Taxonomy.specificity``).
BROADER, NARROWER, EXACT = 0, 1, 2


class Taxonomy:
    """Which declared codes satisfy a requested code.

    A request for a child code ("MHW.ANX") is met by a service declaring that code
    or its parent ("MHW"); a request for a parent code is met by the parent or any
    of its children: a parent code matches its children. Siblings never match.
    """

    __slots__ = ("_cache", "_children", "_names", "_parents", "_specific")

    def __init__(self, need_parents: Mapping[str, str | None],
                 need_names: Mapping[str, str] | None = None) -> None:
        self._parents: dict[str, str | None] = dict(need_parents)
        self._names: dict[str, str] = dict(need_names or {})
        self._children: dict[str, set[str]] = {}
        for code, parent in self._parents.items():
            if parent is not None:
                self._children.setdefault(parent, set()).add(code)
        self._cache: dict[str, frozenset[str]] = {}
        self._specific: dict[tuple[str, frozenset[str]], tuple[int, str]] = {}

    def name(self, code: str) -> str:
        """The need's name as it reads inside a sentence, else its code."""
        name = self._names.get(code) or code
        return name if name[1:2].isupper() else name[:1].lower() + name[1:]

    def is_parent(self, code: str) -> bool:
        """Whether ``code`` is a top-level need (or unknown)."""
        return self._parents.get(code) is None

    def children(self, code: str) -> frozenset[str]:
        """The codes whose parent is ``code``."""
        return frozenset(self._children.get(code, ()))

    def specificity(self, code: str, declared: frozenset[str]) -> tuple[int, str]:
        """(level, code) of how a service declaring ``declared`` meets a request for
        ``code``: EXACT with the code itself, NARROWER through a child of it (the
        first such child) or BROADER through its parent. For a service that does
        not meet the request at all, (BROADER, parent or code)."""
        key = (code, declared)
        found = self._specific.get(key)
        if found is None:
            found = self._specificity(code, declared)
            # Services share few sets of needs; the bound keeps odd requests from growing it.
            if len(self._specific) < 65536:
                self._specific[key] = found
        return found

    def _specificity(self, code: str, declared: frozenset[str]) -> tuple[int, str]:
        if code in declared:
            return EXACT, code
        narrower = sorted(self._children.get(code, set()) & declared)
        if narrower:
            return NARROWER, narrower[0]
        return BROADER, self._parents.get(code) or code

    def matching_codes(self, code: str) -> frozenset[str]:
        """Declared codes that meet a request for ``code`` (never raises)."""
        found = self._cache.get(code)
        if found is None:
            codes = {code}
            parent = self._parents.get(code)
            if parent is not None:
                codes.add(parent)
            codes.update(self._children.get(code, ()))
            found = frozenset(codes)
            # Only taxonomy codes are cached, so odd requests cannot grow the cache.
            if code in self._parents or code in self._children:
                self._cache[code] = found
        return found
