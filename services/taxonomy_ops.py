"""Operations on the needs taxonomy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import InvalidInput
from services.needs_data import STANDARD_NEEDS
from services.taxonomy import Need
from services.version import bump_version


def load_standard_needs(session: Session) -> int:
    """Add any standard need that is missing; keep coordinators' edits. Returns how many added."""
    existing = set(session.execute(select(Need.code)).scalars())
    added = 0
    for position, (code, name, _children) in enumerate(STANDARD_NEEDS):
        if code not in existing:
            session.add(Need(code=code, name=name, position=position))
            added += 1
    session.flush()
    for code, _name, children in STANDARD_NEEDS:
        for position, (suffix, child_name) in enumerate(children):
            child_code = f"{code}.{suffix}"
            if child_code not in existing:
                session.add(
                    Need(code=child_code, parent_code=code, name=child_name, position=position)
                )
                added += 1
    if added:
        bump_version(session)
    return added


def needs_tree(session: Session, include_inactive: bool = False) -> list[Need]:
    """Top-level needs in order, each with ``children`` loaded."""
    query = select(Need).where(Need.parent_code.is_(None)).order_by(Need.position, Need.code)
    if not include_inactive:
        query = query.where(Need.active.is_(True))
    return list(session.execute(query).scalars())


def need_choices(session: Session) -> list[tuple[str, str]]:
    """(code, label) pairs for select boxes: each parent then its children, indented."""
    return choices_from_outline(needs_outline(session))


@dataclass(frozen=True)
class NeedNode:
    """A need as a plain record, safe to keep between requests (no session attached)."""

    code: str
    name: str
    active: bool = True
    children: tuple[NeedNode, ...] = ()


def needs_outline(session: Session) -> tuple[NeedNode, ...]:
    """Active top-level needs in order, each with its active children: one query.

    The same shape as ``needs_tree`` (``code``, ``name``, ``active``, ``children``)
    for templates, but plain records that a per-version cache may hold.
    """
    rows = session.execute(
        select(Need.code, Need.parent_code, Need.name, Need.active).order_by(
            Need.position, Need.code
        )
    ).all()
    return outline_from_rows(rows)


def outline_from_rows(
    rows: Iterable[tuple[str, str | None, str, bool]],
) -> tuple[NeedNode, ...]:
    """``needs_outline`` from (code, parent code, name, active) rows already read in
    taxonomy order (position, then code)."""
    rows = list(rows)
    children: dict[str, list[NeedNode]] = {}
    for code, parent_code, name, active in rows:
        if parent_code is not None and active:
            children.setdefault(parent_code, []).append(NeedNode(code, name))
    return tuple(
        NeedNode(code, name, True, tuple(children.get(code, ())))
        for code, parent_code, name, active in rows
        if parent_code is None and active
    )


def choices_from_outline(outline: tuple[NeedNode, ...]) -> list[tuple[str, str]]:
    """``need_choices`` from an outline already read."""
    choices: list[tuple[str, str]] = []
    for parent in outline:
        choices.append((parent.code, parent.name))
        choices.extend((child.code, f"{parent.name}: {child.name}") for child in parent.children)
    return choices


def update_need(
    session: Session, need: Need, *, name: str, description: str, active: bool
) -> None:
    """Rename, describe, retire or restore a need; its code never changes.

    Raises InvalidInput keyed ``name`` for an empty name.
    """
    if not name.strip():
        raise InvalidInput({"name": "Enter a name"})
    need.name = name.strip()
    need.description = description.strip()
    need.active = active
    bump_version(session)


def add_need(session: Session, *, parent_code: str | None, suffix: str, name: str) -> Need:
    """Add a top-level need (no parent) or a child of a top-level need.

    Raises InvalidInput keyed ``name`` for an empty name, ``suffix`` for a code
    that is not letters and numbers or is taken, and ``parent_code`` for a
    parent that is not a top-level need (the taxonomy has two levels).
    """
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter a name"
    suffix = suffix.strip().upper()
    if not suffix.isalnum() or len(suffix) > 10:
        errors["suffix"] = "Code must be letters and numbers only, up to 10 characters"
    if parent_code:
        parent = session.get(Need, parent_code)
        if parent is None or parent.parent_code is not None:
            errors["parent_code"] = "Choose a top-level need as the parent"
    code = f"{parent_code}.{suffix}" if parent_code else suffix
    if "suffix" not in errors and session.get(Need, code) is not None:
        errors["suffix"] = f"The code {code} is already in use"
    if errors:
        raise InvalidInput(errors)
    need = Need(code=code, parent_code=parent_code or None, name=name.strip(), position=99)
    session.add(need)
    bump_version(session)
    return need
