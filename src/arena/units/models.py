"""Units (单位), fields (领域), cadres (干部) and experts (评审专家)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Date, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arena.db import Base, metadata

# Defined beside the import-file reader (no SQLAlchemy there); the rest of Arena imports them from here.
from arena.units.ranks import RANK_BY_LABEL as RANK_BY_LABEL
from arena.units.ranks import RANK_LABELS as RANK_LABELS
from arena.units.ranks import Rank as Rank


class Unit(Base):
    """An organisation; units form a tree through `parent_id`."""

    __tablename__ = "unit"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    # 公示与监督: printed at the foot of the unit's public notices (榜单公告, 结果公示); "" when not set
    supervision_phone: Mapped[str] = mapped_column(String(32), default="", server_default="")  # 监督电话
    contact_person: Mapped[str] = mapped_column(String(50), default="", server_default="")  # 受理联系人
    contact_phone: Mapped[str] = mapped_column(String(32), default="", server_default="")  # 联系电话
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")  # 通讯地址

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id", lazy="raise")

    @property
    def has_notice_contact(self) -> bool:
        """Whether any of the 监督与受理 lines would print on the unit's notices."""
        return bool(self.supervision_phone or self.contact_person or self.contact_phone or self.address)


class Field(Base):
    """A field of work (领域) shared by challenges, cadres and experts; the draw matches on it."""

    __tablename__ = "field"

    name: Mapped[str] = mapped_column(String(32), unique=True)
    frontline: Mapped[bool] = mapped_column(default=False)


cadre_field = Table(
    "cadre_field",
    metadata,
    Column("cadre_id", ForeignKey("cadre.id", ondelete="CASCADE"), primary_key=True),
    Column("field_id", ForeignKey("field.id", ondelete="RESTRICT"), primary_key=True, index=True),
)
expert_field = Table(
    "expert_field",
    metadata,
    Column("expert_id", ForeignKey("expert.id", ondelete="CASCADE"), primary_key=True),
    Column("field_id", ForeignKey("field.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Cadre(Base):
    """A public official who may bid (揭榜人). `code` is the staff number used by imports."""

    __tablename__ = "cadre"
    __table_args__ = (Index("ix_cadre_unit_id_rank", "unit_id", "rank"),)

    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    position: Mapped[str] = mapped_column(String(100))
    rank: Mapped[str] = mapped_column(String(24))
    birth_date: Mapped[date] = mapped_column(Date)
    frontline: Mapped[bool] = mapped_column(default=False)

    unit: Mapped[Unit] = relationship(lazy="raise")
    fields: Mapped[list[Field]] = relationship(secondary=cadre_field, lazy="raise", order_by=Field.name)


class Expert(Base):
    """A member of the expert pool (专家库)."""

    __tablename__ = "expert"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(64))
    annual_panel_cap: Mapped[int] = mapped_column(default=6)

    unit: Mapped[Unit] = relationship(lazy="raise")
    fields: Mapped[list[Field]] = relationship(secondary=expert_field, lazy="raise", order_by=Field.name)


class OrgDepartment(Base):
    """An organization department (组织部门): it decides the records (结果运用) of cadres whose
    unit lies in the subtree under `unit_id` — the nearest such department, when they nest
    (arena.units.orgdept). Its contacts print on its 公示 notices."""

    __tablename__ = "org_department"

    name: Mapped[str] = mapped_column(String(100), unique=True)  # e.g. 中共某市委组织部
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), unique=True)  # its scope's root
    supervision_phone: Mapped[str] = mapped_column(String(32), default="", server_default="")  # 监督电话
    contact_person: Mapped[str] = mapped_column(String(50), default="", server_default="")  # 受理联系人
    contact_phone: Mapped[str] = mapped_column(String(32), default="", server_default="")  # 联系电话
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")  # 通讯地址
    hearing_days: Mapped[int] = mapped_column(default=5, server_default="5")  # 陈述申辩期, working days
    publicity_days: Mapped[int] = mapped_column(default=5, server_default="5")  # 任前/表彰公示期, working days

    unit: Mapped[Unit] = relationship(lazy="raise")


class OrgDepartmentMember(Base):
    """An account that acts for a department (it also holds the 组织部门 role)."""

    __tablename__ = "org_department_member"
    __table_args__ = (UniqueConstraint("org_department_id", "user_id"),)

    org_department_id: Mapped[int] = mapped_column(ForeignKey("org_department.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
