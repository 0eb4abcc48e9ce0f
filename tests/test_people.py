"""People of a unit (issue 10): who manages whom, invitations by mail or printed link, role
changes and deactivation that end sessions, one person in several units, names not accounts."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import sqlalchemy as sa

from app.mail.outbox import deliver_due
from app.models import AccountLink, AuditEntry, OutboxMessage, Role, User
from app.models.secrets import hash_secret
from tests.accounts_helpers import html_of, link_in, mailbox, messages_in, subject_of, text_of  # noqa: F401
from tests.conftest import everything, first_task, label_of, login
from tests.test_mail import inbox, start_smtp, use_smtp  # noqa: F401

NEW_PASSWORD = "Cay-da-dau-lang-2025"


def _add(client, slug: str, **fields):  # type: ignore[no-untyped-def]
    data = {"full_name": "Nguyễn Thị Bình", "position": "", "email": "binh@phuson.vn", "phone": "0912 345 678",
            "role": "office", **fields}
    return client.post(f"/u/{slug}/people/new", data=data)


def _user(session, email_or_name: str) -> User:  # type: ignore[no-untyped-def]
    return session.scalar(sa.select(User).where(sa.or_(User.email == email_or_name, User.username == email_or_name)))


def test_the_town_admin_invites_an_official_who_joins_edits_and_is_deactivated(client, app, session, units, users, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    admin = login(client, users["admin@bim-son"])
    added = _add(admin, "phu-son")
    assert added.status_code == 302
    [mail] = messages_in(mailbox)
    assert mail["To"] == "binh@phuson.vn"
    assert subject_of(mail) == "Lời mời tham gia Dân vận chính quyền"
    assert label_of("admin@bim-son") in text_of(mail)  # who invited them, by name and position
    assert "phường Phú Sơn" in text_of(mail) and "Công chức Văn phòng - Thống kê" in html_of(mail)
    join = link_in(mail)
    assert join.startswith("/join/")

    newcomer = app.test_client()
    assert "Nguyễn Thị Bình" in newcomer.get(join).get_data(as_text=True)
    weak = newcomer.post(join, data={"password": "password123", "confirm": "password123"})
    assert weak.status_code == 400 and "quá dễ đoán" in weak.get_data(as_text=True)
    joined = newcomer.post(join, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert joined.status_code == 302
    assert newcomer.post(join, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 410

    # The new official signs in with their email and edits the draft plan.
    official = app.test_client()
    assert official.post("/login", data={"username": "BINH@phuson.vn", "password": NEW_PASSWORD}).status_code == 302
    with everything(session):
        task = first_task(session, units["phu-son"])
        version = task.version
    edited = official.post(f"/u/phu-son/plans/2025/tasks/{task.id}/edit",
                           data={"text": "Việc do cán bộ mới sửa", "owner_role": "office", "schedule": "once",
                                 "version": version})
    assert edited.status_code == 302

    # The chairman deactivates them: their open session is refused on its next request.
    chairman = login(app.test_client(), users["chairman@phu-son"])
    binh = _user(session, "binh@phuson.vn")
    assert chairman.post(f"/u/phu-son/people/{binh.id}/deactivate").status_code == 302
    refused = official.get("/u/phu-son/plans/2025")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    again = official.post("/login", data={"username": "binh@phuson.vn", "password": NEW_PASSWORD})
    assert again.status_code == 400
    listing = chairman.get("/u/phu-son/people").get_data(as_text=True)
    assert "Nguyễn Thị Bình" in listing and "Đã khóa" in listing


def test_the_invitation_link_is_kept_only_as_a_hash_and_works_once_within_72_hours(client, session, users, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    _add(login(client, users["chairman@phu-son"]), "phu-son", email="lan@phuson.vn", role="culture")
    token = link_in(messages_in(mailbox)[0]).rsplit("/", 1)[1]
    link = session.scalar(sa.select(AccountLink).where(AccountLink.secret_hash == hash_secret(token)))
    assert link is not None
    assert session.scalar(sa.select(sa.func.count()).where(AccountLink.secret_hash == token)) == 0
    assert 71.9 <= (link.expires_at - link.created_at).total_seconds() / 3600 <= 72
    link.expires_at = link.created_at  # 72 hours later
    session.flush()
    assert client.get(f"/join/{token}").status_code == 410


def test_without_an_email_the_link_is_shown_once_to_print(client, session, users, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    chairman = login(client, users["chairman@phu-son"])
    shown = _add(chairman, "phu-son", email="", full_name="Trần Văn Cường", role="culture")
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and messages_in(mailbox) == []
    url = re.search(r'id="invitation-link">([^<]+)<', page).group(1)
    assert "/join/" in url and "tran.van.cuong@phu-son" in page  # the sign-in name to give them
    assert url not in chairman.get("/u/phu-son/people").get_data(as_text=True)
    cuong = _user(session, "tran.van.cuong@phu-son")
    assert cuong.password_hash == "" and cuong.position == "Công chức Văn hóa - Xã hội"
    # Printing a new link withdraws the first one.
    again = chairman.post(f"/u/phu-son/people/{cuong.id}/invite").get_data(as_text=True)
    second = re.search(r'id="invitation-link">([^<]+)<', again).group(1)
    assert second != url
    path = re.sub(r"^https?://[^/]+", "", url)
    assert client.get(path).status_code == 410


def test_a_chairman_manages_only_office_and_culture_of_the_ward(client, session, users):  # type: ignore[no-untyped-def]
    chairman = login(client, users["chairman@phu-son"])
    form = chairman.get("/u/phu-son/people/new").get_data(as_text=True)
    assert 'value="office"' in form and 'value="culture"' in form
    assert 'value="front"' not in form and 'value="chairman"' not in form
    for role in ("front", "chairman", "town_admin"):
        refused = _add(chairman, "phu-son", email=f"{role}@moi.vn", role=role)
        assert refused.status_code == 400
        assert _user(session, f"{role}@moi.vn") is None
    front, me = users["front@phu-son"], users["chairman@phu-son"]
    for target in (front, me):
        chairman.post(f"/u/phu-son/people/{target.id}/deactivate")
        session.expire_all()
        assert all(m.active for m in target.memberships)
    # Nor their own role.
    chairman.post(f"/u/phu-son/people/{me.id}", data={"full_name": "X", "role": "office"})
    session.expire_all()
    assert [m.role for m in me.memberships] == [Role.CHAIRMAN]


def test_the_town_admin_manages_every_role_below_the_front_included(client, session, users):  # type: ignore[no-untyped-def]
    admin = login(client, users["admin@bim-son"])
    form = admin.get("/u/phu-son/people/new").get_data(as_text=True)
    assert all(f'value="{role}"' in form for role in ("chairman", "office", "culture", "front"))
    assert 'value="town_admin"' not in form  # not a role a ward's person holds
    front = users["front@phu-son"]
    assert admin.post(f"/u/phu-son/people/{front.id}/deactivate").status_code == 302
    session.expire_all()
    assert not front.active and not any(m.active for m in front.memberships)
    admin.post(f"/u/phu-son/people/{front.id}/reactivate")
    session.expire_all()
    assert front.active and all(m.active for m in front.memberships)
    town_form = admin.get("/u/bim-son/people/new").get_data(as_text=True)
    assert 'value="town_admin"' in town_form and 'value="front"' in town_form


def test_the_front_manages_nobody_and_other_units_people_do_not_exist(client, users):  # type: ignore[no-untyped-def]
    front = login(client, users["front@bim-son"])
    assert front.get("/u/phu-son/people").status_code == 403
    assert front.post(f"/u/phu-son/people/{users['office@phu-son'].id}/deactivate").status_code == 403
    chairman = login(client, users["chairman@phu-son"])
    other = users["chairman@quang-trung"]
    assert chairman.get(f"/u/phu-son/people/{other.id}").status_code == 404
    assert chairman.post(f"/u/phu-son/people/{other.id}/deactivate").status_code == 404
    assert chairman.get("/u/quang-trung/people").status_code == 404
    assert login(client, users["admin@sam-son"]).get("/u/phu-son/people").status_code == 404


def test_a_role_change_ends_the_persons_sessions(app, client, session, users):  # type: ignore[no-untyped-def]
    office = users["office@phu-son"]
    theirs = login(app.test_client(), office)
    assert theirs.get("/u/phu-son/").status_code == 200
    admin = login(client, users["admin@bim-son"])
    changed = admin.post(f"/u/phu-son/people/{office.id}", data={
        "full_name": "Lê Thị Hương", "position": "Công chức Văn hóa - Xã hội", "email": "", "phone": "", "role": "culture"})
    assert changed.status_code == 302
    session.expire_all()
    assert [m.role for m in office.memberships] == [Role.CULTURE]
    assert theirs.get("/u/phu-son/").status_code == 302


def test_one_person_holds_roles_in_several_units_and_only_the_wider_admin_edits_their_details(app, client, session, users, units, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    office = users["office@phu-son"]
    office.email = "huong@phuson.vn"
    office.password_hash = users["chairman@phu-son"].password_hash
    session.flush()
    admin = login(client, users["admin@bim-son"])
    assert _add(admin, "quang-trung", email="HUONG@phuson.vn", full_name="ignored", role="culture").status_code == 302
    session.expire_all()
    assert {(m.unit.slug, m.role) for m in office.memberships} == {("phu-son", Role.OFFICE), ("quang-trung", Role.CULTURE)}
    [mail] = messages_in(mailbox)
    assert subject_of(mail) == "Bạn được giao vai trò mới" and "/join/" not in text_of(mail)
    # The chairman of Phú Sơn may not redirect the email of someone who also works in Quang Trung.
    chairman = login(app.test_client(), users["chairman@phu-son"])
    refused = chairman.post(f"/u/phu-son/people/{office.id}", data={
        "full_name": office.full_name, "position": "", "email": "attacker@evil.vn", "phone": "", "role": "office"})
    assert refused.status_code == 400
    session.expire_all()
    assert office.email == "huong@phuson.vn"
    edited = admin.post(f"/u/phu-son/people/{office.id}", data={
        "full_name": "Lê Thị Hương", "position": "Văn phòng", "email": "huong2@phuson.vn", "phone": "", "role": "office"})
    assert edited.status_code == 302, re.findall(r'field-error">([^<]+)', edited.get_data(as_text=True))
    session.expire_all()
    assert office.email == "huong2@phuson.vn"
    # Both units are offered at sign-in.
    choose = login(app.test_client(), office).get("/").get_data(as_text=True)
    assert "Phú Sơn" in choose and "Quang Trung" in choose


def test_account_changes_are_in_the_units_audit_log_in_words_without_secrets(client, session, users, units, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    chairman = login(client, users["chairman@phu-son"])
    _add(chairman, "phu-son", email="hoa@phuson.vn", role="culture")
    token = link_in(messages_in(mailbox)[0]).rsplit("/", 1)[1]
    hoa = _user(session, "hoa@phuson.vn")
    chairman.post(f"/u/phu-son/people/{hoa.id}/deactivate")
    with everything(session):
        entries = list(session.scalars(sa.select(AuditEntry).where(AuditEntry.unit_id == units["phu-son"].id,
                                                                   AuditEntry.object_type.in_(["User", "Membership"]))))
    actions = [e.action for e in entries]
    assert {"membership.grant", "account.invited", "membership.deactivate"} <= set(actions)
    assert all(token not in str(e.changes) and token not in e.summary for e in entries)
    log = chairman.get("/u/phu-son/audit").get_data(as_text=True)
    assert "Mời tham gia" in log and "Khóa tài khoản" in log
    assert label_of("chairman@phu-son") in log and "chairman@phu-son" not in log


def test_pages_name_people_by_name_and_position(client, session, users, units):  # type: ignore[no-untyped-def]
    chairman = users["chairman@phu-son"]
    chairman.full_name, chairman.position = "Nguyễn Xuân Lâm", "Chủ tịch UBND phường Phú Sơn"
    session.flush()
    with everything(session):
        task = first_task(session, units["phu-son"])
    client = login(client, chairman)
    posted = client.post(f"/u/phu-son/plans/2025/tasks/{task.id}/progress",
                         data={"percent": "40", "status": "in_progress", "note": "Đang làm"})
    assert posted.status_code in (200, 302)
    page = client.get(f"/u/phu-son/plans/2025/tasks/{task.id}/progress").get_data(as_text=True)
    assert "Nguyễn Xuân Lâm, Chủ tịch UBND phường Phú Sơn" in page
    assert "chairman@phu-son" not in page
    log = client.get("/u/phu-son/audit").get_data(as_text=True)
    assert "Nguyễn Xuân Lâm, Chủ tịch UBND phường Phú Sơn" in log


def test_an_invitation_goes_out_over_smtp_and_waits_in_the_outbox_while_smtp_is_down(  # type: ignore[no-untyped-def]
        app, client, session, users, start_smtp, use_smtp):  # noqa: F811
    from tests.test_mail import free_port

    use_smtp(free_port())  # nothing listens: the server is down
    chairman = login(client, users["chairman@phu-son"])
    assert _add(chairman, "phu-son", email="tam@phuson.vn", role="culture").status_code == 302
    waiting = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == "tam@phuson.vn")).all()
    assert len(waiting) == 1 and waiting[0].sent_at is None and waiting[0].attempts == 1
    server = start_smtp()
    use_smtp(server.port)
    later = (waiting[0].next_attempt_at + timedelta(seconds=1)).replace(tzinfo=UTC)
    assert deliver_due(session, app.config, now=later).sent == 1
    [received] = server.messages()
    assert received["To"] == "tam@phuson.vn" and received["Subject"] == "Lời mời tham gia Dân vận chính quyền"
    assert received.get_body(("plain",)).get_content().count("/join/") == 1
    assert "/join/" in received.get_body(("html",)).get_content()


def test_mail_is_in_the_language_the_person_reads(app, client, session, users, inbox):  # type: ignore[no-untyped-def]  # noqa: F811
    office = users["office@phu-son"]
    office.email, office.locale = "huong@phuson.vn", "en"
    session.flush()
    admin = login(client, users["admin@bim-son"])
    assert _add(admin, "quang-trung", email="huong@phuson.vn", role="culture").status_code == 302
    [received] = inbox.messages()
    body = received.get_body(("plain",)).get_content()
    assert received["Subject"] != "Bạn được giao vai trò mới" and "Kính gửi" not in body
    assert "Lê Văn Thành" in body  # names stay as they are


def test_someone_without_email_who_forgot_their_password_gets_a_link_from_the_chairman(app, client, session, users):  # type: ignore[no-untyped-def]
    office = users["office@phu-son"]
    assert office.email is None and office.has_password
    chairman = login(client, users["chairman@phu-son"])
    page = chairman.post(f"/u/phu-son/people/{office.id}/reset-link").get_data(as_text=True)
    path = re.sub(r"^https?://[^/]+", "", re.search(r'id="invitation-link">([^<]+)<', page).group(1))
    assert path.startswith("/reset/") and "1 giờ" in page
    assert client.application.test_client().post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert app.test_client().post("/login", data={"username": "office@phu-son", "password": NEW_PASSWORD}).status_code == 302
    # Not for the Front's account, which the chairman does not manage.
    front = users["front@phu-son"]
    refused = chairman.post(f"/u/phu-son/people/{front.id}/reset-link", follow_redirects=True).get_data(as_text=True)
    assert "Bạn không có quyền đặt lại mật khẩu" in refused
    assert session.scalar(sa.select(sa.func.count()).select_from(AccountLink).where(AccountLink.user_id == front.id)) == 0


def test_the_people_page_costs_the_same_statements_for_five_people_or_fifteen(client, session, units, users):  # type: ignore[no-untyped-def]
    from app.extensions import db
    from tests.factories import member

    chairman = login(client, users["chairman@phu-son"])
    counted: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        counted.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert chairman.get("/u/phu-son/people").status_code == 200
        first = len(counted)
        with everything(session):
            for n in range(10):
                member(f"them{n}@phu-son", units["phu-son"], Role.CULTURE if n % 2 else Role.OFFICE)
            session.flush()
        counted.clear()
        page = chairman.get("/u/phu-son/people").get_data(as_text=True)
        assert "them9@phu-son" in page
        assert len(counted) == first
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
