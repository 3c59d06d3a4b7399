"""Merging two records of one child, undoing a merge, and purging what a merge left.

A merge keeps one record (the survivor) with the details the user chose from either,
and moves everything that points at the other record (referrals, their events,
forms, progress links, safeguarding items and anything added later) to the survivor.
What points at a child is found in the metadata, not listed by hand: every column
with a foreign key to ``child.id`` moves, except those in ``KEPT`` (history that stays
with the record it describes). A column that names a child without a foreign key must
be declared in ``NOT_MOVED`` with why; ``unhandled_child_columns`` finds any that is
not, and a test fails on it.

The merged record stays, without its identifiers and matching nothing, for
``UNDO_DAYS``: undoing restores both records' details and moves back exactly the rows
that moved (a ledger of their primary keys is kept on the merge). After that the
retention purge deletes the merged record and its versions, and wipes the merge's
copy of the details.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    exists,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from routing.referrals.audit import audit
from routing.referrals.identity import (
    IDENTITY_FIELDS,
    REASON_MAX,
    ChildIdentityVersion,
    IdentitySource,
    record_version,
)
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child
from services.db import Base, utcnow
from services.errors import InvalidInput

# How long a merge can be undone; the purge deletes the merged record after it.
UNDO_DAYS = 30
SURVIVING, MERGED = "surviving", "merged"

# Columns with a foreign key to the child that stay with the record they describe.
KEPT: dict[str, str] = {
    "child_identity_version.child_id": "each record keeps its own history of details",
    "child_merge.surviving_child_id": "the merge itself names the record that survived",
}
# Columns that name a child without a foreign key, and why they do not move.
NOT_MOVED: dict[str, str] = {
    "audit_event.child_id": "the audit is append-only and says what happened to which record",
    "child_merge.merged_child_id": "the merge names the record it merged, even once purged",
    "sibling_link.child_id": "a link of brothers or sisters names the records it linked, as "
                             "history; unlinking a merged record's brother or sister moves "
                             "them out alone (routing/referrals/family.unlink_sibling)",
}
# Columns of the child row that are neither identity nor bookkeeping (such as a
# family): the survivor keeps its own value, or takes the merged record's if it has none.
_BOOKKEEPING = {"id", "created_at", "merged_at"}


class ChildMerge(Base):
    """Two records of one child made one: who, when, why, what was chosen and what moved."""

    __tablename__ = "child_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    surviving_child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    # No foreign key: the merged record is purged after UNDO_DAYS, the merge is not.
    merged_child_id: Mapped[int] = mapped_column(Integer, index=True)
    merged_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    merged_by_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    # {field: "surviving" | "merged"}: whose detail the survivor kept.
    chosen: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # The survivor's row and the merged record's identifiers before the merge (for the
    # undo; emptied when the merged record is purged).
    survivor_before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    merged_before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"column": "referral.child_id", "keys": [[pk, ...], ...]}]: exactly what moved.
    moved: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    undone_at: Mapped[datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    undone_by_name: Mapped[str] = mapped_column(String(200), default="")
    undo_reason: Mapped[str] = mapped_column(Text, default="")
    purged_at: Mapped[datetime | None]

    surviving: Mapped[Child] = relationship(foreign_keys=[surviving_child_id])

    def undo_until(self) -> datetime:
        return self.merged_at + timedelta(days=UNDO_DAYS)

    def undoable(self, now: datetime) -> bool:
        return self.undone_at is None and self.purged_at is None and now <= self.undo_until()

    @property
    def moved_counts(self) -> dict[str, int]:
        return {entry["column"].split(".")[0]: len(entry["keys"]) for entry in self.moved}

    def __repr__(self) -> str:
        return f"<ChildMerge {self.id}>"


class MergeRefused(Exception):
    """The user may not merge (or unmerge) these records: not both their school's."""


# --- What points at a child ---------------------------------------------------------


def _key(table: Table, column: Column[Any]) -> str:
    return f"{table.name}.{column.name}"


def child_reference_columns(metadata: MetaData) -> list[tuple[Table, Column[Any]]]:
    """Every column with a foreign key to ``child.id``."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "child" and fk.column.name == "id"
                   for fk in column.foreign_keys):
                found.append((table, column))
    return found


def moved_columns(metadata: MetaData) -> list[tuple[Table, Column[Any]]]:
    """The columns a merge moves from the merged record to the survivor."""
    return [(t, c) for t, c in child_reference_columns(metadata) if _key(t, c) not in KEPT]


def unhandled_child_columns(metadata: MetaData) -> list[str]:
    """Columns that look like they name a child but that the merge would miss: a
    ``child_id``-like column without a foreign key to the child, not in ``NOT_MOVED``."""
    referencing = {_key(t, c) for t, c in child_reference_columns(metadata)}
    missed = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            key = _key(table, column)
            if key in referencing or key in NOT_MOVED:
                continue
            if column.name == "child_id" or column.name.endswith("_child_id"):
                missed.append(key)
    return missed


# Rows a child may hold only one of that, when both records hold one, stay where they
# are instead of refusing the merge (see merge_children).
KEPT_WHEN_BOTH = frozenset({"family_child"})


def _unique_sets(table: Table, column: Column[Any]) -> list[list[Column[Any]]]:
    """The other columns of each unique constraint or index that includes ``column``."""
    sets: list[set[str]] = []
    if column.unique:
        sets.append({column.name})
    for constraint in table.constraints:
        names = {c.name for c in getattr(constraint, "columns", [])}
        if constraint.__class__.__name__ in ("UniqueConstraint", "PrimaryKeyConstraint") \
                and column.name in names:
            sets.append(names)
    for index in table.indexes:
        names = {c.name for c in index.columns}
        if index.unique and column.name in names:
            sets.append(names)
    return [[table.c[name] for name in sorted(names - {column.name})] for names in sets]


def _clashes(session: Session, table: Table, column: Column[Any], merged_id: int,
             survivor_id: int) -> bool:
    """Whether moving the merged record's rows would break a unique constraint."""
    for others in _unique_sets(table, column):
        if not others:  # unique on the child alone: both records hold a row
            both = and_(exists().where(table.c[column.name] == merged_id),
                        exists().where(table.c[column.name] == survivor_id))
            if session.execute(select(both)).scalar():
                return True
            continue
        theirs = table.alias("theirs")
        condition = [table.c[column.name] == merged_id,
                     theirs.c[column.name] == survivor_id]
        condition += [table.c[c.name] == theirs.c[c.name] for c in others]
        if session.execute(select(exists().where(and_(*condition)))).scalar():
            return True
    return False


def _label(table: Table) -> str:
    return table.name.replace("_", " ")


# --- Following a merge --------------------------------------------------------------


def current_record(session: Session, child_id: int) -> Child | None:
    """The record for this child now: the survivor of any merge it went into."""
    seen: set[int] = set()
    while child_id not in seen:
        seen.add(child_id)
        into = session.execute(
            select(ChildMerge.surviving_child_id).where(
                ChildMerge.merged_child_id == child_id, ChildMerge.undone_at.is_(None))
        ).scalar_one_or_none()
        if into is None:
            return session.get(Child, child_id)
        child_id = into
    return None


def merge_of(session: Session, merged_child_id: int) -> ChildMerge | None:
    """The merge (not undone) that this record went into, if any."""
    return session.execute(
        select(ChildMerge).where(ChildMerge.merged_child_id == merged_child_id,
                                 ChildMerge.undone_at.is_(None))
    ).scalar_one_or_none()


def merges_into(session: Session, child_id: int) -> list[ChildMerge]:
    """Every merge into this record, newest first (undone ones too)."""
    return list(session.execute(
        select(ChildMerge).where(ChildMerge.surviving_child_id == child_id)
        .order_by(ChildMerge.merged_at.desc(), ChildMerge.id.desc())
    ).scalars())


def may_merge(school_ids: Collection[int] | None, *children: Child) -> bool:
    """A coordinator (``school_ids`` None) may merge any records; a safeguarding lead
    only when every record is a child of one of their schools."""
    return school_ids is None or all(c.school_id in school_ids for c in children)


# --- Merge and undo -----------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _restore(child: Child, name: str, value: Any) -> None:
    column = Child.__table__.c[name]
    python_type = getattr(column.type, "python_type", None)
    if value is not None and python_type is date and isinstance(value, str):
        value = date.fromisoformat(value)
    elif value is not None and python_type is datetime and isinstance(value, str):
        value = datetime.fromisoformat(value)
    setattr(child, name, value)


def _other_columns() -> list[str]:
    return [c.name for c in Child.__table__.columns
            if c.name not in IDENTITY_FIELDS and c.name not in _BOOKKEEPING]


def _reason(reason: str, field: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput({field: "Enter why"})
    if len(reason) > REASON_MAX:
        raise InvalidInput({field: f"Enter {REASON_MAX:,} characters or fewer"})
    return reason


def merge_children(
    session: Session,
    surviving: Child,
    merged: Child,
    chosen: Mapping[str, str],
    reason: str,
    actor: Actor,
    now: datetime,
    school_ids: Collection[int] | None,
) -> ChildMerge:
    """Make two records of one child one: ``surviving`` keeps, for each identity field,
    its own detail or ``merged``'s as ``chosen`` says, and everything pointing at
    ``merged`` moves to it. Audited on both records.

    ``school_ids``: the schools a safeguarding lead acts for (None: a coordinator).
    Raises MergeRefused when the lead may not merge these records, InvalidInput for the
    same record twice, a record already merged, a missing reason, or rows that a child
    may hold only one of on both records.
    """
    if not may_merge(school_ids, surviving, merged):
        raise MergeRefused("Only the coordinator can merge records of another school's child")
    if surviving.id == merged.id:
        raise InvalidInput({"other": "Choose another record: this is the same one"})
    if surviving.merged_at is not None or merged.merged_at is not None:
        raise InvalidInput({"other": "That record has already been merged into another"})
    reason = _reason(reason, "reason")
    choice = {name: MERGED if chosen.get(name) == MERGED else SURVIVING
              for name in IDENTITY_FIELDS}
    if school_ids is not None and choice["school_id"] == MERGED \
            and merged.school_id not in school_ids:
        raise MergeRefused("Only the coordinator can move a child to another school")
    session.flush()
    # A table in KEPT_WHEN_BOTH (a child's one family) stays with each record when both
    # hold a row: the survivor keeps its own family, and the merged record's family
    # stays with it, reachable for the undo period, rather than refusing the merge.
    columns = [(table, column) for table, column in moved_columns(Base.metadata)
               if not (table.name in KEPT_WHEN_BOTH
                       and _clashes(session, table, column, merged.id, surviving.id))]
    for table, column in columns:
        if _clashes(session, table, column, merged.id, surviving.id):
            raise InvalidInput({"other": f"Both records have a {_label(table)} entry that a "
                                         "child can only have one of. Close or remove one, "
                                         "then merge."})
    survivor_before = {c.name: _plain(getattr(surviving, c.name))
                       for c in Child.__table__.columns if c.name not in _BOOKKEEPING}
    merged_before = {"upn": merged.upn, "nhs_number": merged.nhs_number}
    taken = {name: getattr(merged, name) for name in IDENTITY_FIELDS if choice[name] == MERGED}
    record = ChildMerge(
        surviving_child_id=surviving.id, merged_child_id=merged.id, merged_at=now,
        merged_by_id=actor.user_id, merged_by_name=actor.name,
        organisation_name=actor.organisation_name, reason=reason, chosen=choice,
        survivor_before=survivor_before, merged_before=merged_before, moved=[],
    )
    session.add(record)
    # The merged record lets go of its numbers first: they are unique, and the
    # survivor may take them.
    merged.upn = None
    merged.nhs_number = None
    merged.merged_at = now
    session.flush()
    for name, value in taken.items():
        setattr(surviving, name, value)
    for name in _other_columns():
        theirs = getattr(merged, name)
        if getattr(surviving, name) in (None, False, "") and theirs not in (None, False, ""):
            setattr(surviving, name, theirs)
    session.flush()
    ref = f"Merge {record.id}"
    record_version(session, surviving, IdentitySource.MERGE, actor, now, source_ref=ref,
                   reason=reason)
    record_version(session, merged, IdentitySource.MERGE, actor, now,
                   source_ref=f"{ref}: merged into record {surviving.id}", reason=reason)
    ledger = []
    for table, column in columns:
        keys = _move(session, table, column, merged.id, surviving.id)
        if keys:
            ledger.append({"column": _key(table, column), "keys": keys})
    record.moved = ledger
    session.flush()
    # The moves were set-based statements: loaded objects may hold the old ids.
    session.expire_all()
    detail = (f"merge {record.id}; moved "
              + (", ".join(f"{e['column']} {len(e['keys'])}" for e in ledger) or "nothing")
              + "; details kept from the merged record: "
              + (", ".join(IDENTITY_FIELDS[n] for n in taken) or "none"))
    audit(session, actor, "child_records_merged", now, record.surviving_child_id,
          subject_type="child_merge", subject_id=record.id, detail=detail)
    audit(session, actor, "child_record_merged_away", now, record.merged_child_id,
          subject_type="child_merge", subject_id=record.id, detail=detail)
    return record


def _primary_key(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns)


def _move(session: Session, table: Table, column: Column[Any], from_id: int,
          to_id: int) -> list[list[Any]]:
    """Point the rows at ``to_id``; the primary keys of the rows moved (as they were)."""
    pk = _primary_key(table)
    keys = [list(row) for row in session.execute(
        select(*pk).where(column == from_id).order_by(*pk))]
    if keys:
        session.execute(update(table).where(column == from_id).values({column.name: to_id}))
    return keys


def _move_back(session: Session, table: Table, column: Column[Any], keys: list[list[Any]],
               survivor_id: int, merged_id: int) -> int:
    """Point exactly the ledger's rows back at the merged record; how many moved."""
    pk = _primary_key(table)
    # A key that includes the moved column was recorded with the merged id.
    now_keys = [tuple(survivor_id if c.name == column.name else v
                      for c, v in zip(pk, key, strict=True)) for key in keys]
    moved = 0
    for start in range(0, len(now_keys), 500):
        batch = now_keys[start:start + 500]
        where = pk[0].in_([k[0] for k in batch]) if len(pk) == 1 else tuple_(*pk).in_(batch)
        result = session.execute(update(table).where(where, column == survivor_id)
                                 .values({column.name: merged_id}))
        moved += int(getattr(result, "rowcount", 0) or 0)
    return moved


def undo_merge(
    session: Session,
    record: ChildMerge,
    reason: str,
    actor: Actor,
    now: datetime,
    school_ids: Collection[int] | None,
) -> None:
    """Make the two records two again, within UNDO_DAYS of the merge: the survivor's
    details as they were before it, the merged record's numbers back, and exactly the
    rows that moved moved back (anything added to the survivor since stays). Audited on
    both records.

    Raises MergeRefused when a safeguarding lead may not act on both records, and
    InvalidInput when it is undone already, too late, the survivor has since been
    merged itself, or a number has since been given to another record.
    """
    if record.undone_at is not None:
        raise InvalidInput({"undo": "This merge has already been undone"})
    if record.purged_at is not None or now > record.undo_until():
        raise InvalidInput({"undo": f"A merge can be undone for {UNDO_DAYS} days; "
                                    "this one can no longer be undone"})
    surviving = session.get(Child, record.surviving_child_id)
    merged = session.get(Child, record.merged_child_id)
    if surviving is None or merged is None:
        raise InvalidInput({"undo": "This merge can no longer be undone"})
    if not may_merge(school_ids, surviving, merged):
        raise MergeRefused("Only the coordinator can undo a merge of another school's child")
    if surviving.merged_at is not None:
        raise InvalidInput({"undo": "The record this one went into has since been merged "
                                    "itself: undo that merge first"})
    reason = _reason(reason, "undo_reason")
    numbers = {k: v for k, v in record.merged_before.items() if v}
    for name, value in numbers.items():
        column = Child.__table__.c[name]
        holder = session.execute(select(Child.id).where(
            column == value, Child.id.not_in([surviving.id, merged.id]))).scalar()
        if holder is not None:
            raise InvalidInput({"undo": f"The merged record's {IDENTITY_FIELDS[name]} is now "
                                        "on another record, so the merge cannot be undone"})
    session.flush()
    for name, value in record.survivor_before.items():
        if name in Child.__table__.c and name not in _BOOKKEEPING:
            _restore(surviving, name, value)
    session.flush()
    for name, value in record.merged_before.items():
        setattr(merged, name, value)
    merged.merged_at = None
    session.flush()
    ref = f"Merge {record.id} undone"
    record_version(session, surviving, IdentitySource.MERGE_UNDONE, actor, now,
                   source_ref=ref, reason=reason)
    record_version(session, merged, IdentitySource.MERGE_UNDONE, actor, now,
                   source_ref=ref, reason=reason)
    tables = Base.metadata.tables
    counts = []
    for entry in record.moved:
        table_name, column_name = entry["column"].split(".")
        table = tables[table_name]
        moved = _move_back(session, table, table.c[column_name], entry["keys"],
                           surviving.id, merged.id)
        counts.append(f"{entry['column']} {moved}")
    record.undone_at = now
    record.undone_by_id = actor.user_id
    record.undone_by_name = actor.name
    record.undo_reason = reason
    session.flush()
    session.expire_all()
    detail = f"merge {record.id} undone; moved back " + (", ".join(counts) or "nothing")
    audit(session, actor, "child_merge_undone", now, record.surviving_child_id,
          subject_type="child_merge", subject_id=record.id, detail=detail)
    audit(session, actor, "child_merge_undone", now, record.merged_child_id,
          subject_type="child_merge", subject_id=record.id, detail=detail)


# --- Retention ----------------------------------------------------------------------


def merges_due_by(moment: datetime) -> list[ColumnElement[bool]]:
    """Merges whose merged record the purge will have deleted by ``moment``: not undone,
    not yet purged, and past the undo period (each is due at its ``undo_until``)."""
    return [ChildMerge.undone_at.is_(None), ChildMerge.purged_at.is_(None),
            ChildMerge.merged_at < moment - timedelta(days=UNDO_DAYS)]


def purge_merged(session: Session, now: datetime) -> int:
    """Delete the records merged more than UNDO_DAYS ago, with their versions, and wipe
    each merge's copy of the details; how many records were deleted. Anything pointing
    at a purged record (made after its merge) goes to the survivor first."""
    due = list(session.execute(select(ChildMerge).where(*merges_due_by(now))).scalars())
    deleted = 0
    for record in due:
        _join_families(session, record.merged_child_id, record.surviving_child_id)
        for table, column in moved_columns(Base.metadata):
            _move(session, table, column, record.merged_child_id, record.surviving_child_id)
        session.execute(delete(ChildIdentityVersion).where(
            ChildIdentityVersion.child_id == record.merged_child_id))
        result = session.execute(delete(Child).where(Child.id == record.merged_child_id))
        deleted += int(getattr(result, "rowcount", 0) or 0)
        record.survivor_before = {}
        record.merged_before = {}
        record.purged_at = now
    session.flush()
    return deleted


def _join_families(session: Session, merged_id: int, surviving_id: int) -> None:
    """Once a merge can no longer be undone, the merged record's family (kept apart
    during the undo period, ``KEPT_WHEN_BOTH``) joins the survivor's: its carers,
    brothers and sisters and referral forms move over as they are, as when two
    siblings' families are linked, and the emptied family goes."""
    from routing.referrals.family_models import (
        Carer,
        Family,
        FamilyChild,
        FamilyReferralForm,
        FamilySibling,
    )

    def family_of(child_id: int) -> int | None:
        return session.execute(select(FamilyChild.family_id).where(
            FamilyChild.child_id == child_id)).scalar_one_or_none()

    mine, theirs = family_of(surviving_id), family_of(merged_id)
    if mine is None or theirs is None:
        return
    session.execute(delete(FamilyChild).where(FamilyChild.child_id == merged_id))
    if theirs != mine:
        for model in (FamilyChild, Carer, FamilySibling, FamilyReferralForm):
            session.execute(update(model).where(model.family_id == theirs)
                            .values(family_id=mine))
        session.execute(delete(Family).where(Family.id == theirs))


def forget_children(session: Session, child_ids: list[int]) -> None:
    """Before records are deleted by retention: their versions and the merges into them
    (and any record merged into them and not yet purged) go too."""
    if not child_ids:
        return
    leftovers = list(session.execute(
        select(ChildMerge.merged_child_id).where(
            ChildMerge.surviving_child_id.in_(child_ids), ChildMerge.undone_at.is_(None),
            ChildMerge.purged_at.is_(None))).scalars())
    gone = [*child_ids, *leftovers]
    session.execute(delete(ChildIdentityVersion).where(ChildIdentityVersion.child_id.in_(gone)))
    session.execute(delete(ChildMerge).where(ChildMerge.surviving_child_id.in_(child_ids)))
    if leftovers:
        session.execute(delete(Child).where(Child.id.in_(leftovers)))


def active_children_count(session: Session) -> int:
    """Records that are a child's (not merged away)."""
    return int(session.execute(
        select(func.count(Child.id)).where(Child.merged_at.is_(None))).scalar_one())
