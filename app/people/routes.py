"""/u/<unit>/people: who works in the unit, with which role; add, edit, deactivate, reactivate."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts import mails
from app.accounts.services import Profile
from app.extensions import db
from app.mail.outbox import send_queued_now
from app.models.account import LinkPurpose
from app.models.unit import Unit, child_units
from app.models.user import Role, User
from app.people import bp, services
from app.people.forms import PersonForm
from app.people.rules import Manager
from app.people.services import Person
from app.security import requires
from app.service_errors import ServiceError
from app.web.commit import commit


def _manager() -> Manager:
    return services.manager_for(db.session(), current_user, g.roles, g.unit)


def _person_or_404(user_id: int) -> Person:
    return services.find_person(db.session(), g.unit, user_id) or abort(404)


def _details(form: PersonForm) -> services.Details:
    profile = Profile(form.full_name.data or "", form.position.data or "", form.email.data or "", form.phone.data or "")
    return services.Details(profile, Role(form.role.data))


def _invite(person_user: User, role: Role, secret: str | None) -> str | None:
    """Mail the invitation (or the news of the role); the invitation link to print when there is no
    email to send it to."""
    url = mails.welcome(db.session(), person_user, unit=g.unit, role=role, inviter=current_user, secret=secret)
    return url if secret is not None and not person_user.email else None


def _done(
    message: str, person_user: User, printable: str | None, purpose: LinkPurpose = LinkPurpose.INVITATION
) -> ResponseReturnValue:
    """After the commit: send the mail now if possible, and show the link once when there is no email."""
    send_queued_now(db.session(), current_app.config)
    if printable:
        return render_template("people/link.html", person=person_user, url=printable, purpose=purpose)
    flash(message, "success")
    return redirect(url_for("people.index"))


@bp.get("/people")
@requires("people.manage")
def index() -> ResponseReturnValue:
    manager = _manager()
    unit: Unit = g.unit
    return render_template(
        "people/index.html",
        people=services.people_of(db.session(), unit),
        manager=manager,
        units_below=child_units(db.session(), unit) if Role.TOWN_ADMIN in manager.roles_here else [],
        can_add=bool(manager.grants(unit)),
    )


@bp.route("/people/new", methods=["GET", "POST"])
@requires("people.manage")
def add() -> ResponseReturnValue:
    manager = _manager()
    form = PersonForm().offer_roles(manager.grants(g.unit))
    if not form.role.choices:
        abort(403)
    if form.validate_on_submit():
        def add_and_invite() -> tuple[services.Added, str | None]:
            added = services.add_person(db.session(), g.unit, manager, current_user, _details(form))
            return added, _invite(added.user, Role(form.role.data), added.link_secret)

        try:
            added, printable = commit(add_and_invite)
        except ServiceError as error:
            form.email.errors = [*form.email.errors, error.message]
        else:
            if added.link_secret is None:
                message = _l("Đã giao vai trò cho %(name)s; họ đăng nhập bằng tài khoản hiện có.", name=added.user.label)
            else:
                message = _l("Đã gửi thư mời tới %(email)s.", email=added.user.email)
            return _done(message, added.user, printable)
    return render_template("people/form.html", form=form, person=None), (400 if form.errors else 200)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@requires("people.manage")
def edit(user_id: int) -> ResponseReturnValue:
    manager = _manager()
    person = _person_or_404(user_id)
    current = next((m for m in person.memberships if m.active), person.memberships[0])
    roles = manager.grants(g.unit) if manager.manages_membership(current, g.unit) else (current.role,)
    form = PersonForm(obj=person.user, email=person.user.email or "", role=current.role.value).offer_roles(roles)
    details_editable = manager.manages_person(person.all_memberships, g.unit)
    if form.validate_on_submit():
        try:
            ended = commit(lambda: services.change_person(db.session(), g.unit, manager, current_user, person,
                                                          _details(form)))
        except ServiceError as error:
            form.role.errors = [*form.role.errors, error.message]
        else:
            flash(_l("Đã lưu. %(name)s được đăng xuất khỏi mọi thiết bị vì vai trò đã đổi.", name=person.user.label)
                  if ended else _l("Đã lưu thông tin của %(name)s.", name=person.user.label), "success")
            return redirect(url_for("people.index"))
    return render_template("people/form.html", form=form, person=person, details_editable=details_editable,
                           role_editable=len(roles) > 1 or roles != (current.role,)), (400 if form.errors else 200)


def _act(user_id: int, change, message) -> ResponseReturnValue:
    """Deactivate or reactivate; `message(person)` says what was done."""
    person = _person_or_404(user_id)
    try:
        commit(lambda: change(db.session(), g.unit, _manager(), current_user, person))
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(message(person), "success")
    return redirect(url_for("people.index"))


@bp.post("/people/<int:user_id>/deactivate")
@requires("people.manage")
def deactivate(user_id: int) -> ResponseReturnValue:
    return _act(user_id, services.deactivate,
                lambda p: _l("Đã khóa %(name)s; mọi phiên đăng nhập của họ đã kết thúc.", name=p.user.label))


@bp.post("/people/<int:user_id>/reactivate")
@requires("people.manage")
def reactivate(user_id: int) -> ResponseReturnValue:
    return _act(user_id, services.reactivate, lambda p: _l("Đã mở lại tài khoản của %(name)s.", name=p.user.label))


@bp.post("/people/<int:user_id>/invite")
@requires("people.manage")
def reinvite(user_id: int) -> ResponseReturnValue:
    person = _person_or_404(user_id)
    try:
        printable = commit(lambda: _invite(
            person.user, person.roles[0], services.reinvite(db.session(), g.unit, _manager(), current_user, person)))
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("people.index"))
    return _done(_l("Đã gửi lại thư mời tới %(email)s.", email=person.user.email), person.user, printable)


@bp.post("/people/<int:user_id>/reset-link")
@requires("people.manage")
def reset_link(user_id: int) -> ResponseReturnValue:
    """For someone who forgot their password: a reset link mailed to them, or shown once to hand over."""
    person = _person_or_404(user_id)
    def issue_and_mail() -> str:
        secret = services.reset_link(db.session(), g.unit, _manager(), current_user, person)
        url = mails.external_url("auth.reset", token=secret)
        mails.password_reset(db.session(), person.user, url=url)
        return url

    try:
        url = commit(issue_and_mail)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("people.index"))
    return _done(_l("Đã gửi liên kết đặt lại mật khẩu tới %(email)s.", email=person.user.email), person.user,
                 None if person.user.email else url, LinkPurpose.PASSWORD_RESET)
