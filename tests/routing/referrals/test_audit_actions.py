"""The audit's list of actions (routing/referrals/audit_actions.py) is the code's own: it
holds every kind the code writes, and the audit page's filter offers it without reading
the audit table."""

from __future__ import annotations

import ast
from pathlib import Path

from hub.audit_changes import _WATCHED
from hub.referrals.access import Act
from routing.referrals.audit_actions import (
    ACTIONS,
    RECORD_VERBS,
    RECORDS,
    action_kind,
    action_words,
    audit_actions,
)

ROOT = Path(__file__).resolve().parents[3]
# The functions that write the audit, and which argument names the action: the one
# writer, the request's, the directory's, and wrappers that pass their own argument on.
WRITERS = {"audit": 2, "record": 0, "audit_listing": 2, "audit_rows": 1, "_record": 4,
           "_refused": 1, "_document": 1}
# The wrappers' names are private to the module that defines them.
WRAPPERS = {"_record": "routing/leads/operations.py",
            "_refused": "hub/referrals/identity_routes.py",
            "_document": "hub/audit/subject_access_routes.py"}
# Calls whose action is made from parts: each is checked below by what it can be.
BUILT = {
    ("hub/audit_trail.py", "action"),  # record(): its callers are read
    ("routing/leads/operations.py", "action"),  # _record(): its callers are read
    ("hub/referrals/identity_routes.py", "what"),  # _refused(): its callers are read
    ("hub/referrals/access.py", "f'referral_{act}'"),
    ("services/audit_trail.py", "f'{action}:{subject}'"),  # audit_listing()
    ("hub/audit_changes.py", "f'{kind}_{verb}'"),
    ("hub/audit/subject_access_routes.py", "'subject_access_' + how"),  # _document()
}


def _kinds(node: ast.expr, constants: dict[str, str]) -> set[str] | None:
    """The kinds an action argument can be, or None when made from parts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {action_kind(node.value)}
    if isinstance(node, ast.IfExp):
        body, other = _kinds(node.body, constants), _kinds(node.orelse, constants)
        return body | other if body is not None and other is not None else None
    if isinstance(node, ast.Name) and node.id in constants:
        return {action_kind(constants[node.id])}
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(
            first := node.values[0], ast.Constant) and ":" in str(first.value):
        return {action_kind(str(first.value))}
    return None


def _written() -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
    """Every kind the code writes (with where), and the calls made from parts."""
    kinds: dict[str, set[str]] = {}
    built: set[tuple[str, str]] = set()
    for package in ("hub", "routing", "services"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            constants = {
                target.id: node.value.value for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                for target in node.targets if isinstance(target, ast.Name)}
            where = str(path.relative_to(ROOT))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                at = WRITERS.get(str(name))
                if at is None or len(node.args) <= at or WRAPPERS.get(str(name), where) != where:
                    continue
                found = _kinds(node.args[at], constants)
                if found is None:
                    built.add((where, ast.unparse(node.args[at])))
                elif name == "_document":
                    kinds.setdefault(where, set()).update(f"subject_access_{k}" for k in found)
                else:
                    kinds.setdefault(where, set()).update(found)
    return kinds, built


def test_it_lists_every_kind_of_action_the_code_writes() -> None:
    kinds, built = _written()
    assert built == BUILT  # a new way of naming an action is added to this test
    missing = {(where, kind) for where, found in kinds.items() for kind in found
               if kind not in ACTIONS}
    assert missing == set()
    assert sum(len(found) for found in kinds.values()) > 60  # the reading found them
    assert {f"referral_{act}" for act in Act} <= set(ACTIONS)
    assert set(_WATCHED.values()) == set(RECORDS)
    recorded = {f"{record}_{verb}" for record in RECORDS for verb in RECORD_VERBS}
    assert recorded <= set(ACTIONS)
    # And nothing listed that the code no longer writes: the filter offers only real ones.
    written = set().union(*kinds.values()) | {f"referral_{act}" for act in Act} | recorded
    assert set(ACTIONS) - written == set()


def test_it_says_each_action_in_words_and_offers_them_in_that_order() -> None:
    assert action_words("referral_provider") == "referral read by its service, to respond"
    assert action_words("capacity_changed: service 12") == "capacity changed: service 12"
    assert action_words("sibling_unlinked") == "sibling unlinked"
    listed = audit_actions()
    assert sorted(listed) == sorted(ACTIONS) and len(set(listed)) == len(listed)
    assert [ACTIONS[k] for k in listed] == sorted(ACTIONS[k] for k in listed)
