"""The bell's count, the notifications page, marking them read."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.services import safe_next
from app.database import bounded_int
from app.extensions import db
from app.models import Delivery
from app.notifications import bp
from app.notifications.mail import choose_deliveries, deliveries
from app.notifications.reading import mark_read, notifications_page, person_scope, unread_count
from app.notifications.words import DELIVERY_LABELS, GROUP_LABELS, GROUPS, message
from app.security import signed_in
from app.tenancy import set_scope
from app.web.commit import commit

PAGE_SIZE = 50


def _own_scope() -> bool:
    """Put the person's own units in force as the scope: may they write (the Front writes nothing)?"""
    scope = person_scope(db.session(), current_user)
    set_scope(db.session(), scope)
    return not scope.read_only


@bp.get("/notifications/count")
@signed_in
def count() -> ResponseReturnValue:
    """The bell's label, loaded into each page's top bar: one small query."""
    _own_scope()
    return render_template("notifications/_bell.html", unread=unread_count(db.session(), current_user.id))


@bp.get("/notifications")
@signed_in
def index() -> ResponseReturnValue:
    _own_scope()
    group = request.args.get("group") if request.args.get("group") in GROUPS else None
    unread = request.args.get("unread") == "1"
    page = notifications_page(db.session(), current_user.id, group, unread,
                              request.args.get("page", 1, type=bounded_int) or 1, PAGE_SIZE)
    return render_template("notifications/index.html", page=page, group=group, unread=unread, message=message,
                           groups=GROUP_LABELS, unread_total=unread_count(db.session(), current_user.id))


@bp.post("/notifications/read")
@signed_in
def read_one() -> ResponseReturnValue:
    """Mark the notification the form names read (a notification of someone else does not exist)."""
    notification_id = request.form.get("id", type=bounded_int)
    if _own_scope() and notification_id is not None:
        if not commit(lambda: mark_read(db.session(), current_user.id, notification_id)):
            abort(404)
    return redirect(safe_next(request.form.get("next")) or url_for("notifications.index"))


@bp.post("/notifications/read-all")
@signed_in
def read_all() -> ResponseReturnValue:
    if _own_scope():
        commit(lambda: mark_read(db.session(), current_user.id))
    return redirect(url_for("notifications.index"))



@bp.route("/notifications/settings", methods=["GET", "POST"])
@signed_in
def settings() -> ResponseReturnValue:
    """How the person gets each topic: in the app only, in the morning digest, or by mail at once."""
    if request.method == "POST":
        wanted = {topic: request.form.get(topic, "") for topic in GROUPS}
        if any(value not in DELIVERY_LABELS for value in wanted.values()):
            flash(_("Vui lòng chọn một cách nhận cho mỗi loại thông báo."), "error")
            return redirect(url_for("notifications.settings")), 303
        commit(lambda: choose_deliveries(db.session(), current_user.id, wanted))
        flash(_("Đã lưu cách nhận thông báo."), "success")
        return redirect(url_for("notifications.settings"))
    choices = deliveries(db.session(), [current_user.id])
    chosen = {topic: choices.get((current_user.id, topic), Delivery.DIGEST).value for topic in GROUPS}
    return render_template("notifications/settings.html", groups=GROUP_LABELS, chosen=chosen,
                           deliveries=DELIVERY_LABELS, has_email=bool(current_user.email))
