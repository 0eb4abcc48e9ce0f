"""The ward's registers of what it did: receptions, dialogues, "Dân vận khéo" models, posts, meetings."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.columns import VersionedRow, enum_column
from app.search import Searchable
from app.tenancy import UnitOwned


def _now() -> datetime:
    return datetime.now(UTC)


class Reception(VersionedRow, Searchable, UnitOwned, Model):
    """A citizen reception session (tiếp công dân)."""

    __tablename__ = "receptions"
    __table_args__ = (Index("ix_receptions_unit_day", "unit_id", "held_on"),)
    __search_fields__ = ("host", "cases_raised", "note")

    held_on: Mapped[date]
    host: Mapped[str] = mapped_column(String(120))
    citizens: Mapped[int] = mapped_column(default=0)
    cases: Mapped[int] = mapped_column(default=0)
    cases_raised: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class Dialogue(VersionedRow, Searchable, UnitOwned, Model):
    """A dialogue of the unit's head with the people (đối thoại)."""

    __tablename__ = "dialogues"
    __table_args__ = (Index("ix_dialogues_unit_day", "unit_id", "held_on"),)
    __search_fields__ = ("topic", "issues_raised", "answers")

    held_on: Mapped[date]
    topic: Mapped[str] = mapped_column(String(500))
    participants: Mapped[int] = mapped_column(default=0)
    with_front: Mapped[bool] = mapped_column(default=False)
    issues_raised: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[str] = mapped_column(Text, default="")


class ModelField(enum.StrEnum):
    ECONOMY = "economy"
    CULTURE_SOCIETY = "culture_society"
    DEFENCE_SECURITY = "defence_security"
    POLITICAL_SYSTEM = "political_system"


class ModelStatus(enum.StrEnum):
    REGISTERED = "registered"
    RECOGNISED = "recognised"


class SkilfulModel(VersionedRow, Searchable, UnitOwned, Model):
    """A "Dân vận khéo" model or exemplar (mô hình, điển hình)."""

    __tablename__ = "dan_van_models"
    __table_args__ = (Index("ix_dan_van_models_unit_year", "unit_id", "year"),)
    __search_fields__ = ("name", "description")

    name: Mapped[str] = mapped_column(String(255))
    field: Mapped[ModelField] = mapped_column(enum_column(ModelField))
    year: Mapped[int]
    status: Mapped[ModelStatus] = mapped_column(enum_column(ModelStatus), default=ModelStatus.REGISTERED)
    description: Mapped[str] = mapped_column(Text, default="")
    recognised_on: Mapped[date | None]
    recognised_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PostChannel(enum.StrEnum):
    LOUDSPEAKER = "loudspeaker"
    PORTAL = "portal"
    ZALO = "zalo"
    NOTICE_BOARD = "notice_board"
    OTHER = "other"


class Post(VersionedRow, Searchable, UnitOwned, Model):
    """A propaganda post (tin, bài tuyên truyền)."""

    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_unit_day", "unit_id", "published_on"),)
    __search_fields__ = ("title", "link")

    title: Mapped[str] = mapped_column(String(500))
    channel: Mapped[PostChannel] = mapped_column(enum_column(PostChannel))
    published_on: Mapped[date]
    link: Mapped[str] = mapped_column(String(1000), default="")


class MeetingKind(enum.StrEnum):
    BRIEFING = "briefing"
    TRAINING = "training"


class Meeting(VersionedRow, Searchable, UnitOwned, Model):
    """A briefing or training session (hội nghị quán triệt, tập huấn)."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_unit_day", "unit_id", "held_on"),)
    __search_fields__ = ("topic", "documents")

    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind), default=MeetingKind.BRIEFING)
    held_on: Mapped[date]
    topic: Mapped[str] = mapped_column(String(500))
    documents: Mapped[str] = mapped_column(Text, default="")
    attendees: Mapped[int] = mapped_column(default=0)
