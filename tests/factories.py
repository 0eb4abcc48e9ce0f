"""factory_boy factories for the registry models (ward data is made through the services)."""

from __future__ import annotations

import factory
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Membership, Role, Unit, UnitKind, User

TEST_PASSWORD = "Mat-khau-thu-123"
# A cheap hash keeps hundreds of test logins fast; production uses werkzeug's default.
FAST_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1000")


class SessionFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UnitFactory(SessionFactory):
    class Meta:
        model = Unit

    slug = factory.Sequence(lambda n: f"don-vi-{n}")
    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    kind = UnitKind.WARD
    parent_id = None


class UserFactory(SessionFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}@test")
    full_name = factory.Sequence(lambda n: f"Cán bộ {n}")
    password_hash = FAST_HASH


class MembershipFactory(SessionFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.OFFICE


def member(username: str, unit: Unit, role: Role) -> User:
    """A user holding `role` on `unit`."""
    return MembershipFactory(user=UserFactory(username=username), unit=unit, role=role).user


def ward_records(session, unit: Unit, task) -> None:  # type: ignore[no-untyped-def]
    """One row of every register of `unit`, so every URL with a record id has one to point at."""
    from datetime import date

    from app.models import (
        Dialogue,
        Evidence,
        Meeting,
        MeetingKind,
        ModelField,
        Petition,
        PetitionExtension,
        PetitionKind,
        Post,
        PostChannel,
        ProgressStatus,
        Reception,
        SkilfulModel,
        TaskUpdate,
    )

    day = date(2025, 3, 10)
    session.add_all(
        [
            Reception(unit_id=unit.id, held_on=day, host="Chủ tịch UBND", citizens=3, cases=2,
                      cases_raised="Tiếp công dân về đất đai"),
            Dialogue(unit_id=unit.id, held_on=day, topic="Đối thoại về chỉnh trang đô thị", participants=40,
                     with_front=True),
            SkilfulModel(unit_id=unit.id, name="Mô hình “Tuyến phố văn minh”", field=ModelField.CULTURE_SOCIETY, year=2025),
            Post(unit_id=unit.id, title="Tuyên truyền Luật Thực hiện dân chủ ở cơ sở", channel=PostChannel.LOUDSPEAKER,
                 published_on=day),
            Meeting(unit_id=unit.id, kind=MeetingKind.BRIEFING, held_on=day, topic="Quán triệt Chỉ thị 33/CT-TTg",
                    attendees=25),
        ]
    )
    petition = Petition(unit_id=unit.id, received_on=day, kind=PetitionKind.DENUNCIATION, source="Trực tiếp",
                        petitioner_name="Nguyễn Văn A", petitioner_address="Khu phố 1",
                        petitioner_contact="0912 000 000", summary="Tố cáo vi phạm trật tự xây dựng")
    update = TaskUpdate(unit_id=unit.id, task_id=task.id, reported_on=day, percent=50,
                        status=ProgressStatus.IN_PROGRESS, note="Đã tuyên truyền trên loa")
    session.add_all([petition, update])
    session.flush()
    session.add_all(
        [
            PetitionExtension(unit_id=unit.id, petition_id=petition.id, decided_on=date(2025, 4, 1),
                              reason="Vụ việc phức tạp"),
            Evidence(unit_id=unit.id, update_id=update.id, filename="bien-ban.pdf", content_type="application/pdf",
                     size=8, data=b"%PDF-1.4"),
        ]
    )
    session.flush()
    from app.models import Report, ReportKind

    session.add(Report(unit_id=unit.id, plan_id=task.plan_id, kind=ReportKind.SIX_MONTH, period="2025-H1",
                       title="Báo cáo sơ kết 6 tháng đầu năm 2025", due_on=date(2025, 6, 15),
                       number="07/BC-UBND", results="Đã triển khai kế hoạch",
                       strengths_shortcomings="Ưu điểm: kịp thời", direction="Tiếp tục tiếp công dân định kỳ",
                       proposals="Không có"))
    session.flush()


def town_template(session, town: Unit, source):  # type: ignore[no-untyped-def]
    """`town`'s own published template: a copy of `source` (another town's), with its task keys."""
    from app.models import Plan, PlanStatus
    from app.plans.instantiate import copy_indicators, copy_outline, document_words
    from app.plans.outline import plan_outline

    same = lambda text: text  # noqa: E731
    template = Plan(
        unit_id=town.id, is_template=True, code=f"{town.slug}-{source.year}", name=f"Mẫu {town.name} {source.year}",
        revision=1, year=source.year, source_unit_id=source.source_unit_id, signer_name=source.signer_name,
        **document_words(source, same),
    )
    template.status = PlanStatus.ISSUED
    session.add(template)
    session.flush()
    copy_outline(session, plan_outline(session, source), template, None, same)
    copy_indicators(session, source, template, same)
    return template


def offer_unchanged(session, plan) -> None:  # type: ignore[no-untyped-def]
    """A pending proposal with no change: the template revision the plan already follows."""
    from app.models import PlanProposal

    session.add(PlanProposal(
        unit_id=plan.unit_id, plan_id=plan.id, template_id=plan.template_id,
        from_revision=plan.template_revision, to_revision=plan.template_revision, changes=[],
    ))
    session.flush()
