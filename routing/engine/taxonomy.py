"""The need rule's view of the two-level need taxonomy."""

from __future__ import annotations

from collections.abc import Mapping


class Taxonomy:
    """Which declared codes satisfy a requested code.

    A request for a child code ("MHW.ANX") is met by a service declaring that code
    or its parent ("MHW"); a request for a parent code is met by the parent or any
    of its children: a parent code matches its children. Siblings never match.
    """

    __slots__ = ("_cache", "_children", "_parents")

    def __init__(self, need_parents: Mapping[str, str | None]) -> None:
        self._parents: dict[str, str | None] = dict(need_parents)
        self._children: dict[str, set[str]] = {}
        for code, parent in self._parents.items():
            if parent is not None:
                self._children.setdefault(parent, set()).add(code)
        self._cache: dict[str, frozenset[str]] = {}

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
