"""The two-level needs taxonomy with stable codes (for example ``MHW`` and ``MHW.ANX``)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base


class Need(Base):
    __tablename__ = "need"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("need.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Need | None] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list[Need]] = relationship(
        back_populates="parent", order_by="Need.position"
    )

    @property
    def is_top_level(self) -> bool:
        return self.parent_code is None

    def __repr__(self) -> str:
        return f"<Need {self.code}>"
