"""A plan's indicators for a chosen period, and hand entry of the indicators that are not computed."""

from __future__ import annotations

import math

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import FloatField, HiddenField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from app.extensions import db
from app.forms_base import Form, filled
from app.indicators import bp
from app.indicators.services import IndicatorValueError, indicator_values, record_value
from app.local_time import local_today
from app.models import IndicatorDefinition
from app.periods import PeriodError, as_of, parse_period, period_choices
from app.plans.view_helpers import plan_or_404
from app.security import requires
from app.web.legal import app_legal_book
from app.web.records_links import records_url

MAX_VALUE = 1_000_000_000
VALUE_RANGE = _l("Số liệu phải từ 0 đến 1.000.000.000.")


def _a_number(form: Form, field: FloatField) -> None:
    """"nan" parses as a float and passes every range; it is no figure."""
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError(str(VALUE_RANGE))


class ValueForm(Form):
    period = HiddenField()
    value = FloatField(
        _l("Số liệu"),
        validators=[InputRequired(_l("Vui lòng nhập số liệu (dùng dấu chấm cho phần thập phân).")), _a_number,
                    NumberRange(min=0, max=MAX_VALUE, message=VALUE_RANGE)],
    )
    note = StringField(_l("Ghi chú"), validators=[Length(max=500, message=_l("Ghi chú quá dài."))])


@bp.get("/<int:year>/indicators")
@requires("record.view")
def show(year: int) -> ResponseReturnValue:
    plan = plan_or_404(year)
    code = request.args.get("period") or str(year)
    if code not in period_choices(year):
        abort(404)
    today = as_of(year, local_today())
    results = indicator_values(db.session(), plan, code, today,
                               book=app_legal_book())
    return render_template("indicators/show.html", plan=plan, year=year, period=parse_period(code),
                           periods=period_choices(year), results=results, form=ValueForm(period=code),
                           records_url=records_url)


@bp.post("/<int:year>/indicators/<int:indicator_id>/value")
@requires("register.edit")
def enter_value(year: int, indicator_id: int) -> ResponseReturnValue:
    plan = plan_or_404(year)
    definition = db.session.get(IndicatorDefinition, indicator_id)
    if definition is None or definition.plan_id != plan.id:
        abort(404)
    form = ValueForm()
    code = form.period.data or str(year)
    if code not in period_choices(year):
        abort(404)
    if not form.validate():
        for message in (m for errors in form.errors.values() for m in errors):
            flash(message, "error")
        return redirect(url_for("indicators.show", year=year, period=code))
    try:
        record_value(db.session(), definition, parse_period(code), filled(form.value.data), note=form.note.data or "",
                     user_id=current_user.id, username=current_user.label)
        db.session.commit()
    except (IndicatorValueError, PeriodError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("indicators.show", year=year, period=code))
    except IntegrityError:  # someone entered the first value of this period at the same moment
        db.session.rollback()
        flash(_l("Số liệu vừa được người khác nhập; vui lòng xem lại rồi lưu lại."), "error")
        return redirect(url_for("indicators.show", year=year, period=code))
    flash(_l("Đã lưu số liệu “%(name)s”.", name=definition.name), "success")
    return redirect(url_for("indicators.show", year=year, period=code))


__all__ = ["bp"]
