"""Forms of the units screens: a unit's fields, a merge, a move or dissolution."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; its stubs are 3.2
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms_base import Form, VnDateField
from app.models import UnitKind

KIND_CHOICES = [SelectChoice(UnitKind.WARD.value, _l("Phường")), SelectChoice(UnitKind.COMMUNE.value, _l("Xã")),
                SelectChoice(UnitKind.SPECIAL_ZONE.value, _l("Đặc khu")), SelectChoice(UnitKind.TOWN.value, _l("Thị xã"))]
EFFECTIVE = _l("Vui lòng nhập ngày hiệu lực theo dạng ngày/tháng/năm, ví dụ 01/07/2025.")


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UnitForm(Form):
    name = StringField(_l("Tên (không kèm chữ phường, xã)"),
                       validators=[DataRequired(_l("Vui lòng nhập tên đơn vị.")), Length(max=120)])
    code = StringField(_l("Mã đơn vị hành chính"), validators=[DataRequired(_l("Vui lòng nhập mã.")), Length(max=20)])
    kind = SelectField(_l("Loại"), choices=KIND_CHOICES)
    parent_id = SelectField(_l("Trực thuộc"), coerce=int)
    issuer_name = StringField(_l("Tên cơ quan ban hành trên văn bản (để trống: “ỦY BAN NHÂN DÂN” và tên đơn vị, viết đầy đủ)"),
                              validators=[Optional(), Length(max=200)])
    issuer_parent_name = StringField(_l("Tên cơ quan chủ quản, in phía trên tên cơ quan ban hành (để trống: không in)"),
                                     validators=[Optional(), Length(max=200)])


class MergeForm(Form):
    units = Checkboxes(_l("Các đơn vị sáp nhập"), coerce=int,
                       validators=[DataRequired(_l("Chọn ít nhất một đơn vị để sáp nhập."))])
    target = SelectField(_l("Sáp nhập vào"), coerce=str)
    new_name = StringField(_l("Tên đơn vị mới"), validators=[Optional(), Length(max=120)])
    new_code = StringField(_l("Mã đơn vị mới"), validators=[Optional(), Length(max=20)])
    new_kind = SelectField(_l("Loại đơn vị mới"), choices=KIND_CHOICES[:3])
    new_parent = SelectField(_l("Đơn vị mới trực thuộc"), coerce=int)
    effective_on = VnDateField(_l("Có hiệu lực từ ngày"), validators=[DataRequired(EFFECTIVE)])
    grants = Checkboxes(_l("Giao vai trò ở đơn vị sau sáp nhập cho"), coerce=int, validators=[Optional()])


class ExportForm(Form):
    identities = SelectField(_l("Danh tính người gửi đơn"), choices=[
        SelectChoice("encrypted", _l("Mã hóa bằng mật khẩu dưới đây")),
        SelectChoice("omitted", _l("Không đưa vào tệp")),
        SelectChoice("plain", _l("Giữ nguyên (chỉ khi chuyển trong nội bộ cơ quan)"))])
    passphrase = PasswordField(_l("Mật khẩu mã hóa (ít nhất 12 ký tự; cần khi nhập lại)"),
                               validators=[Optional(), Length(min=12, max=200, message=_l(
                                   "Mật khẩu mã hóa cần từ 12 đến 200 ký tự."))])

    def validate_passphrase(self, field: PasswordField) -> None:
        if self.identities.data == "encrypted" and not field.data:
            raise ValidationError(_l("Nhập mật khẩu để mã hóa danh tính người gửi đơn."))


class SplitForm(Form):
    unit = SelectField(_l("Đơn vị chia tách"), coerce=int)
    continues = BooleanField(_l("Đơn vị cũ vẫn tiếp tục (chỉ tách một phần ra đơn vị mới)"))
    new_name_1 = StringField(_l("Tên đơn vị mới thứ nhất (nhận hồ sơ và đơn thư nếu đơn vị cũ chấm dứt)"),
                             validators=[Optional(), Length(max=120)])
    new_code_1 = StringField(_l("Mã"), validators=[Optional(), Length(max=20)])
    new_kind_1 = SelectField(_l("Loại"), choices=KIND_CHOICES[:3])
    new_name_2 = StringField(_l("Tên đơn vị mới thứ hai"), validators=[Optional(), Length(max=120)])
    new_code_2 = StringField(_l("Mã"), validators=[Optional(), Length(max=20)])
    new_kind_2 = SelectField(_l("Loại"), choices=KIND_CHOICES[:3])
    new_name_3 = StringField(_l("Tên đơn vị mới thứ ba"), validators=[Optional(), Length(max=120)])
    new_code_3 = StringField(_l("Mã"), validators=[Optional(), Length(max=20)])
    new_kind_3 = SelectField(_l("Loại"), choices=KIND_CHOICES[:3])
    effective_on = VnDateField(_l("Có hiệu lực từ ngày"), validators=[DataRequired(EFFECTIVE)])
    grants = Checkboxes(_l("Giao vai trò ở đơn vị mới thứ nhất cho"), coerce=int, validators=[Optional()])

    def new_units(self) -> list[tuple[str, str, str]]:
        """(name, code, kind) of each new unit given a name."""
        rows = [(getattr(self, f"new_name_{n}").data or "", getattr(self, f"new_code_{n}").data or "",
                 getattr(self, f"new_kind_{n}").data or "ward") for n in (1, 2, 3)]
        return [(name.strip(), code.strip(), kind) for name, code, kind in rows if name.strip()]


class MoveForm(Form):
    operation = SelectField(_l("Việc cần làm"), choices=[
        SelectChoice("reparent", _l("Chuyển đơn vị sang đơn vị cấp trên khác")),
        SelectChoice("dissolve", _l("Giải thể một đơn vị cấp trên"))])
    units = Checkboxes(_l("Đơn vị chuyển đi"), coerce=int, validators=[Optional()])
    dissolved = SelectField(_l("Đơn vị giải thể"), coerce=int, validators=[Optional()])
    parent = SelectField(_l("Trực thuộc từ ngày hiệu lực"), coerce=int)
    effective_on = VnDateField(_l("Có hiệu lực từ ngày"), validators=[DataRequired(EFFECTIVE)])
