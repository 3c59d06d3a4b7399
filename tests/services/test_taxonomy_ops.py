"""Editing the needs taxonomy: errors carry the field they concern."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services import taxonomy_ops as ops
from services.errors import InvalidInput
from services.taxonomy import Need
from services.taxonomy_ops import load_standard_needs


def test_it_adds_top_level_and_child_needs(db: Session) -> None:
    load_standard_needs(db)
    top = ops.add_need(db, parent_code=None, suffix="trn", name="Transport")
    db.flush()
    child = ops.add_need(db, parent_code=top.code, suffix="BUS", name="Bus passes")
    assert (top.code, child.code, child.parent_code) == ("TRN", "TRN.BUS", "TRN")


def test_it_maps_taxonomy_errors_to_fields(db: Session) -> None:
    load_standard_needs(db)
    with pytest.raises(InvalidInput) as caught:
        ops.add_need(db, parent_code=None, suffix="MHW", name="Again")
    assert caught.value.errors == {"suffix": "The code MHW is already in use"}
    with pytest.raises(InvalidInput) as caught:
        ops.add_need(db, parent_code=None, suffix="a-b", name="Dash")
    assert "suffix" in caught.value.errors
    child = db.execute(select(Need).where(Need.parent_code.is_not(None))).scalars().first()
    assert child is not None
    with pytest.raises(InvalidInput) as caught:
        ops.add_need(db, parent_code=child.code, suffix="X", name="Third level")
    assert caught.value.errors == {"parent_code": "Choose a top-level need as the parent"}
    with pytest.raises(InvalidInput) as caught:
        ops.add_need(db, parent_code=None, suffix="NEW", name=" ")
    assert caught.value.errors == {"name": "Enter a name"}


def test_it_renames_and_retires_a_need(db: Session) -> None:
    load_standard_needs(db)
    need = db.get(Need, "MHW")
    assert need is not None
    ops.update_need(db, need, name="Mental health", description="Feelings", active=False)
    assert (need.name, need.description, need.active) == ("Mental health", "Feelings", False)
    with pytest.raises(InvalidInput) as caught:
        ops.update_need(db, need, name="", description="", active=True)
    assert caught.value.errors == {"name": "Enter a name"}


def test_it_reports_every_problem_with_a_new_need_at_once(db: Session) -> None:
    load_standard_needs(db)
    with pytest.raises(InvalidInput) as caught:
        ops.add_need(db, parent_code="MHW.ANX", suffix="a-b", name="")
    assert set(caught.value.errors) == {"name", "suffix", "parent_code"}
