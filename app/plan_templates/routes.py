"""The parent unit's plan templates: revisions, the editor, publishing, and the wards' differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.models import Plan, Unit
from app.plan_templates import bp, diff, services
from app.plans.editing import register_editor
from app.plans.outline import plan_outline
from app.plans.view_helpers import plan_url
from app.security import requires
from app.service_errors import ServiceError
from app.web.commit import commit
from app.web.registry import registry_corrections
from app.web.unit_pages import parent_unit_or_404

T = TypeVar("T")


def template_or_404(template_id: int) -> Plan:
    parent_unit_or_404()
    return services.template_in(db.session(), g.unit, template_id) or abort(404)


register_editor(
    bp, "/<int:template_id>", lambda values: template_or_404(values.pop("template_id")), "template.view", "template.edit"
)


@bp.get("/")
@requires("template.view")
def index() -> ResponseReturnValue:
    parent_unit_or_404()
    return render_template("plan_templates/index.html", families=services.families(db.session(), g.unit))


@bp.get("/<int:template_id>")
@requires("template.view")
def show(template_id: int) -> ResponseReturnValue:
    template = template_or_404(template_id)
    rows = diff.wards_difference(db.session(), g.unit, template) if template.published else []
    family = services.family_of(db.session(), template)
    return render_template(
        "plan_templates/show.html",
        plan=template,
        revisions=family.revisions,
        newest=family.published,
        outline=plan_outline(db.session(), template),
        rows=rows,
        departures=diff.across_wards(rows),
        doc_unit=db.session.get(Unit, template.source_unit_id) if template.source_unit_id else None,
        corrections=registry_corrections().get(template.code or "", []),
    )


def _step(template_id: int, change: Callable[[Plan], T], done: Callable[[T], str]) -> ResponseReturnValue:
    template = template_or_404(template_id)
    try:
        result = commit(lambda: change(template))
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(plan_url(template))
    flash(done(result), "success")
    return redirect(plan_url(result) if isinstance(result, Plan) else url_for("templates.show", template_id=template_id))


@bp.post("/<int:template_id>/revise")
@requires("template.edit")
def revise(template_id: int) -> ResponseReturnValue:
    return _step(
        template_id,
        lambda t: services.new_revision(db.session(), t),
        lambda new: _l("Đã tạo bản sửa đổi số %(revision)s (bản nháp). Sửa xong thì bấm Công bố.", revision=new.revision),
    )


@bp.post("/<int:template_id>/next-year")
@requires("template.edit")
def next_year(template_id: int) -> ResponseReturnValue:
    return _step(
        template_id,
        lambda t: services.next_year(db.session(), t),
        lambda new: _l("Đã tạo bản nháp mẫu kế hoạch năm %(year)s.", year=new.year),
    )


@bp.post("/<int:template_id>/publish")
@requires("template.edit")
def publish(template_id: int) -> ResponseReturnValue:
    return _step(
        template_id,
        lambda t: services.publish(db.session(), t, current_user.label),
        lambda offered: _l(
            "Đã công bố mẫu. Đã gửi đề xuất thay đổi tới %(count)s kế hoạch của phường, xã.", count=offered
        ),
    )


@bp.post("/<int:template_id>/discard")
@requires("template.edit")
def discard(template_id: int) -> ResponseReturnValue:
    template = template_or_404(template_id)
    try:
        commit(lambda: services.discard(db.session(), template))
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(plan_url(template))
    flash(_l("Đã xóa bản nháp."), "success")
    return redirect(url_for("templates.index"))
