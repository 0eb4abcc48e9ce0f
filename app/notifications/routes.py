"""The bell's count, the notifications page, marking them read."""

from __future__ import annotations

from dataclasses import replace

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.mails import external_url
from app.auth.services import safe_next
from app.database import bounded_int
from app.extensions import db
from app.local_time import local_today
from app.models import CalendarFeed, Delivery, Membership, Role, User
from app.notifications import bp
from app.notifications.calendar import dated_items, feed_of, ical
from app.notifications.events import SUPERVISION
from app.notifications.mail import NOT_FOLLOWED, choose_deliveries, deliveries
from app.notifications.reading import mark_read, new_feed, notifications_page, person_scope, revoke_feed, unread_count
from app.notifications.words import DELIVERY_LABELS, GROUP_LABELS, GROUPS, message
from app.security import public, signed_in
from app.tenancy import set_scope
from app.web.commit import commit
from app.web.legal import app_legal_book

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
    topics = [t for t in GROUPS if t != SUPERVISION or _in_the_front()]
    if request.method == "POST":
        wanted = {topic: request.form.get(topic, "") for topic in topics}
        if any(value not in DELIVERY_LABELS and not (topic == SUPERVISION and value == NOT_FOLLOWED)
               for topic, value in wanted.items()):
            flash(_("Vui lòng chọn một cách nhận cho mỗi loại thông báo."), "error")
            return redirect(url_for("notifications.settings")), 303
        commit(lambda: choose_deliveries(db.session(), current_user.id, wanted))
        flash(_("Đã lưu cách nhận thông báo."), "success")
        return redirect(url_for("notifications.settings"))
    choices = deliveries(db.session(), [current_user.id])
    chosen = {topic: choices.get((current_user.id, topic), Delivery.DIGEST).value for topic in topics}
    if SUPERVISION in topics and (current_user.id, SUPERVISION) not in choices:
        chosen[SUPERVISION] = NOT_FOLLOWED
    return render_template("notifications/settings.html", groups={t: GROUP_LABELS[t] for t in topics}, chosen=chosen,
                           deliveries=DELIVERY_LABELS, has_email=bool(current_user.email), supervision=SUPERVISION,
                           not_followed=NOT_FOLLOWED)


def _in_the_front() -> bool:
    """Does the person serve in the Front anywhere (who may follow wards' plans and reports)?"""
    return db.session.scalar(select(Membership.id).where(Membership.user_id == current_user.id,
                                                         Membership.role == Role.FRONT,
                                                         Membership.active.is_(True)).limit(1)) is not None


@bp.get("/calendar/<secret>.ics")
@public
def calendar_feed(secret: str) -> ResponseReturnValue:
    """The person's deadlines for a calendar app: the address itself is the key (revocable)."""
    feed = feed_of(db.session(), secret)
    person = db.session.get(User, feed.user_id) if feed is not None else None
    if feed is None or person is None or not person.active:
        abort(404)
    scope = person_scope(db.session(), person)
    set_scope(db.session(), replace(scope, read_only=True))
    with force_locale(person.locale or "vi"):
        body = ical(dated_items(db.session(), person.id, local_today(), app_legal_book()),
                    _("Hạn công việc – Dân vận chính quyền"))
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, no-store"})


@bp.route("/notifications/calendar", methods=["GET", "POST"])
@signed_in
def calendar_page() -> ResponseReturnValue:
    """Make a private calendar address (shown once), or revoke one."""
    secret = None
    if request.method == "POST":
        revoke = request.form.get("revoke", type=bounded_int)
        if revoke is not None:
            if not commit(lambda: revoke_feed(db.session(), current_user.id, revoke)):
                abort(404)
            flash(_("Đã thu hồi địa chỉ lịch; lịch trên điện thoại sẽ không cập nhật nữa."), "success")
            return redirect(url_for("notifications.calendar_page"))
        secret = commit(lambda: new_feed(db.session(), current_user.id))
    feeds = db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == current_user.id,
                                                          CalendarFeed.revoked_at.is_(None))
                               .order_by(CalendarFeed.id)).all()
    url = external_url("notifications.calendar_feed", secret=secret) if secret else None
    return render_template("notifications/calendar.html", feeds=feeds, url=url)
