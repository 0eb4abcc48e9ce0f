"""The five simple registers, described once each; one set of views and templates serves them all."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from app.forms_base import VersionedForm
from app.models import Dialogue, Meeting, Post, Reception, SkilfulModel
from app.records import forms
from app.vocabulary import (
    MEETING_KIND_LABELS,
    MODEL_FIELD_LABELS,
    MODEL_STATUS_LABELS,
    POST_CHANNEL_LABELS,
)


@dataclass(frozen=True)
class Column:
    attr: str
    label: Any
    labels: dict | None = None  # enum value → display name
    kind: str = "text"  # text, date, number, bool, link


@dataclass(frozen=True)
class Register:
    """Everything that differs between two registers."""

    name: str  # URL segment and endpoint prefix
    param: str  # URL parameter naming one row
    model: type[Any]  # one of the register models, used through the attribute names below
    form: type[VersionedForm]
    title: Any
    item: Any  # "buổi tiếp công dân", in "Thêm …", "Sửa …"
    date_attr: str  # the field the year filter and the order use
    edit_permission: str
    columns: tuple[Column, ...]
    enum_filter: Column | None = None
    extra: dict[str, Any] = field(default_factory=dict)


REGISTERS = (
    Register(
        name="receptions",
        param="reception_id",
        model=Reception,
        form=forms.ReceptionForm,
        title=_l("Sổ tiếp công dân"),
        item=_l("buổi tiếp công dân"),
        date_attr="held_on",
        edit_permission="register.edit",
        columns=(
            Column("held_on", _l("Ngày tiếp"), kind="date"),
            Column("host", _l("Người chủ trì")),
            Column("citizens", _l("Lượt công dân"), kind="number"),
            Column("cases", _l("Vụ việc"), kind="number"),
            Column("cases_raised", _l("Nội dung vụ việc")),
        ),
    ),
    Register(
        name="dialogues",
        param="dialogue_id",
        model=Dialogue,
        form=forms.DialogueForm,
        title=_l("Sổ đối thoại với Nhân dân"),
        item=_l("buổi đối thoại"),
        date_attr="held_on",
        edit_permission="register.edit",
        columns=(
            Column("held_on", _l("Ngày"), kind="date"),
            Column("topic", _l("Chủ đề")),
            Column("participants", _l("Người tham dự"), kind="number"),
            Column("with_front", _l("Với Mặt trận"), kind="bool"),
            Column("issues_raised", _l("Ý kiến, kiến nghị")),
            Column("answers", _l("Trả lời và cam kết")),
        ),
    ),
    Register(
        name="models",
        param="model_id",
        model=SkilfulModel,
        form=forms.ModelForm,
        title=_l("Mô hình, điển hình “Dân vận khéo”"),
        item=_l("mô hình"),
        date_attr="year",
        edit_permission="outreach.edit",
        columns=(
            Column("year", _l("Năm"), kind="number"),
            Column("name", _l("Tên mô hình")),
            Column("field", _l("Lĩnh vực"), labels=MODEL_FIELD_LABELS),
            Column("status", _l("Tình trạng"), labels=MODEL_STATUS_LABELS),
            Column("description", _l("Mô tả")),
        ),
        enum_filter=Column("field", _l("Lĩnh vực"), labels=MODEL_FIELD_LABELS),
    ),
    Register(
        name="posts",
        param="post_id",
        model=Post,
        form=forms.PostForm,
        title=_l("Tin, bài tuyên truyền"),
        item=_l("tin, bài"),
        date_attr="published_on",
        edit_permission="outreach.edit",
        columns=(
            Column("published_on", _l("Ngày đăng"), kind="date"),
            Column("title", _l("Tiêu đề")),
            Column("channel", _l("Hình thức"), labels=POST_CHANNEL_LABELS),
            Column("link", _l("Đường dẫn"), kind="link"),
        ),
        enum_filter=Column("channel", _l("Hình thức"), labels=POST_CHANNEL_LABELS),
    ),
    Register(
        name="meetings",
        param="meeting_id",
        model=Meeting,
        form=forms.MeetingForm,
        title=_l("Hội nghị quán triệt, tập huấn"),
        item=_l("hội nghị"),
        date_attr="held_on",
        edit_permission="outreach.edit",
        columns=(
            Column("held_on", _l("Ngày"), kind="date"),
            Column("kind", _l("Loại"), labels=MEETING_KIND_LABELS),
            Column("topic", _l("Nội dung")),
            Column("documents", _l("Văn bản quán triệt")),
            Column("attendees", _l("Người tham dự"), kind="number"),
        ),
        enum_filter=Column("kind", _l("Loại"), labels=MEETING_KIND_LABELS),
    ),
)
