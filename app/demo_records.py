"""A realistic year of records for a demo ward: weekly citizen receptions (a few weeks missed),
two dialogues, petitions of every kind and status (some resolved late), "Dân vận khéo" models,
propaganda posts, briefings and trainings, and progress on the plan's tasks.

Deterministic (one seeded random generator per ward and year) and idempotent (a ward that has
its demo receptions already gets nothing more). The text is data, not UI: it stays Vietnamese.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Dialogue,
    Meeting,
    MeetingKind,
    Model,
    ModelField,
    ModelStatus,
    Petition,
    PetitionExtension,
    PetitionKind,
    PetitionStatus,
    Plan,
    Post,
    PostChannel,
    ProgressStatus,
    Reception,
    Schedule,
    Task,
    TaskUpdate,
    Unit,
    UnitKind,
    User,
)
from app.petitions.deadlines import LegalBook, deadline_of
from app.progress.schedule import periods as schedule_periods
from app.records.working_days import WorkingCalendar

DEMO_NOTE = "Dữ liệu minh họa"

RECEPTION_TOPICS = [
    "Tranh chấp ranh giới đất giữa các hộ liền kề",
    "Đề nghị cấp giấy chứng nhận quyền sử dụng đất",
    "Phản ánh công trình xây dựng không phép",
    "Đề nghị xem xét chế độ hộ nghèo, cận nghèo",
    "Phản ánh ô nhiễm môi trường từ cơ sở sản xuất",
    "Kiến nghị sửa chữa đường giao thông nội khu dân cư",
    "Phản ánh lấn chiếm vỉa hè, lòng đường",
    "Đề nghị hỗ trợ chính sách người có công",
    "Kiến nghị về bồi thường, hỗ trợ giải phóng mặt bằng",
    "Phản ánh tiếng ồn từ cơ sở kinh doanh karaoke",
]

# (kind, summary, handler, complex case, mediated at the grassroots)
PETITIONS = [
    (PetitionKind.COMPLAINT, "Khiếu nại quyết định xử phạt vi phạm hành chính về trật tự xây dựng",
     "Công chức Địa chính - Xây dựng", False, False),
    (PetitionKind.COMPLAINT, "Khiếu nại việc xác định nguồn gốc đất khi cấp giấy chứng nhận",
     "Công chức Địa chính - Xây dựng", True, False),
    (PetitionKind.COMPLAINT, "Khiếu nại mức hỗ trợ giải phóng mặt bằng dự án mở rộng đường",
     "Công chức Địa chính - Xây dựng", True, False),
    (PetitionKind.COMPLAINT, "Khiếu nại việc không xét duyệt hộ cận nghèo",
     "Công chức Văn hóa - Xã hội", False, False),
    (PetitionKind.COMPLAINT, "Khiếu nại việc thu hồi đất nông nghiệp công ích",
     "Công chức Địa chính - Xây dựng", False, False),
    (PetitionKind.DENUNCIATION, "Tố cáo cán bộ khu phố có hành vi nhũng nhiễu khi xác nhận hồ sơ",
     "Công chức Văn phòng - Thống kê", False, False),
    (PetitionKind.DENUNCIATION, "Tố cáo hành vi xây dựng trái phép trên đất nông nghiệp",
     "Công chức Địa chính - Xây dựng", True, False),
    (PetitionKind.DENUNCIATION, "Tố cáo việc khai thác đất trái phép ven sông",
     "Công chức Địa chính - Xây dựng", False, False),
    (PetitionKind.RECOMMENDATION, "Kiến nghị lắp đặt hệ thống đèn chiếu sáng tuyến đường liên khu phố",
     "Công chức Văn phòng - Thống kê", False, False),
    (PetitionKind.RECOMMENDATION, "Kiến nghị nạo vét rãnh thoát nước trước mùa mưa bão",
     "Công chức Địa chính - Xây dựng", False, False),
    (PetitionKind.RECOMMENDATION, "Kiến nghị bố trí điểm tập kết rác thải hợp lý",
     "Công chức Địa chính - Xây dựng", False, False),
    (PetitionKind.RECOMMENDATION, "Kiến nghị hỗ trợ sửa chữa nhà văn hóa khu dân cư",
     "Công chức Văn hóa - Xã hội", False, False),
    (PetitionKind.RECOMMENDATION, "Kiến nghị làm gờ giảm tốc gần trường tiểu học",
     "Công chức Văn phòng - Thống kê", False, False),
    (PetitionKind.RECOMMENDATION, "Kiến nghị giải quyết tranh chấp lối đi chung giữa hai hộ",
     "Công chức Tư pháp - Hộ tịch", False, True),
    (PetitionKind.RECOMMENDATION, "Kiến nghị công khai danh sách hộ được hỗ trợ nhà ở",
     "Công chức Văn hóa - Xã hội", False, False),
    (PetitionKind.FEEDBACK, "Phản ánh cơ sở chăn nuôi gây ô nhiễm môi trường",
     "Công chức Địa chính - Xây dựng", False, True),
    (PetitionKind.FEEDBACK, "Phản ánh tình trạng lấn chiếm vỉa hè kinh doanh",
     "Công chức Văn phòng - Thống kê", False, False),
    (PetitionKind.FEEDBACK, "Phản ánh tiếng ồn kéo dài từ cơ sở kinh doanh karaoke",
     "Công chức Văn hóa - Xã hội", False, True),
    (PetitionKind.FEEDBACK, "Phản ánh thái độ phục vụ tại bộ phận một cửa",
     "Công chức Văn phòng - Thống kê", False, False),
    (PetitionKind.FEEDBACK, "Phản ánh đường ống nước sạch bị vỡ chậm khắc phục",
     "Công chức Địa chính - Xây dựng", False, False),
]
PETITION_SOURCES = [
    "Trực tiếp tại buổi tiếp công dân",
    "Qua đường bưu điện",
    "Chuyển từ UBND thị xã",
    "Hòm thư góp ý",
    "Qua Cổng dịch vụ công",
]
PETITIONER_NAMES = [
    "Nguyễn Văn Bình", "Trần Thị Hoa", "Lê Văn Hải", "Phạm Thị Lan", "Hoàng Văn Minh",
    "Đỗ Thị Thu", "Vũ Văn Toàn", "Bùi Thị Nga", "Đặng Văn Tuấn", "Ngô Thị Mai",
]

POST_TITLES = [
    "Tuyên truyền Luật Thực hiện dân chủ ở cơ sở",
    "Chỉ thị 33/CT-TTg về đổi mới công tác dân vận chính quyền",
    "Lịch tiếp công dân định kỳ của Chủ tịch UBND",
    "Hướng dẫn nộp hồ sơ trực tuyến trên Cổng dịch vụ công",
    "Phòng, chống cháy nổ mùa hanh khô",
    "Vận động Nhân dân tham gia bảo hiểm y tế hộ gia đình",
    "Gương điển hình “Dân vận khéo” năm 2025",
    "Công khai kế hoạch sử dụng đất năm 2025",
    "Phòng, chống lừa đảo qua mạng",
    "Vận động hiến đất mở rộng đường giao thông",
    "Tuyên truyền phân loại rác thải tại nguồn",
    "Phòng, chống dịch sốt xuất huyết",
    "Kết quả tiếp công dân, giải quyết đơn thư quý I",
    "Quy tắc ứng xử của cán bộ, công chức tại bộ phận một cửa",
    "Vận động Nhân dân tham gia phong trào “Toàn dân đoàn kết xây dựng đời sống văn hóa”",
    "An toàn giao thông dịp Tết Nguyên đán",
    "Chính sách hỗ trợ hộ nghèo, hộ cận nghèo",
    "Hướng dẫn cài đặt và sử dụng ứng dụng VNeID",
    "Phòng, chống thiên tai mùa mưa bão",
    "Kết quả đối thoại giữa Chủ tịch UBND với Nhân dân",
    "Tuyên truyền Luật Đất đai năm 2024",
    "Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư",
    "Tuyên truyền chuyển đổi số trong cộng đồng",
    "Vận động Nhân dân giữ gìn vệ sinh môi trường",
    "Kết quả thực hiện công tác dân vận chính quyền 6 tháng đầu năm",
    "Phòng, chống ma túy trong thanh thiếu niên",
    "Tuyên truyền thực hiện nếp sống văn minh trong việc cưới, việc tang",
    "Công khai thủ tục hành chính thuộc thẩm quyền cấp xã",
    "Vận động tham gia bảo hiểm xã hội tự nguyện",
    "Tổng kết phong trào thi đua “Dân vận khéo” năm 2025",
]
POST_CHANNELS = (
    [PostChannel.LOUDSPEAKER] * 11 + [PostChannel.PORTAL] * 8 + [PostChannel.ZALO] * 7
    + [PostChannel.NOTICE_BOARD] * 3 + [PostChannel.OTHER]
)

# (kind, month, topic, documents, attendees range)
MEETINGS = [
    (MeetingKind.BRIEFING, 1, "Hội nghị quán triệt Kế hoạch công tác dân vận chính quyền năm 2025",
     "Kế hoạch công tác dân vận chính quyền năm 2025", (40, 60)),
    (MeetingKind.BRIEFING, 3, "Quán triệt Chỉ thị số 33/CT-TTg và Kết luận số 114-KL/TW",
     "Chỉ thị số 33/CT-TTg; Kết luận số 114-KL/TW", (35, 55)),
    (MeetingKind.TRAINING, 4, "Tập huấn nghiệp vụ hòa giải ở cơ sở",
     "Luật Hòa giải ở cơ sở; tài liệu nghiệp vụ hòa giải", (30, 45)),
    (MeetingKind.BRIEFING, 5, "Quán triệt Luật Thực hiện dân chủ ở cơ sở và các văn bản hướng dẫn",
     "Luật Thực hiện dân chủ ở cơ sở; Nghị định 59/2023/NĐ-CP", (50, 90)),
    (MeetingKind.TRAINING, 6, "Tập huấn kỹ năng tiếp công dân, xử lý đơn thư",
     "Luật Tiếp công dân; Luật Khiếu nại; Luật Tố cáo", (20, 30)),
    (MeetingKind.BRIEFING, 8, "Quán triệt Quy chế đối thoại theo Quyết định số 2543-QĐ/TU",
     "Quyết định số 2543-QĐ/TU", (30, 50)),
    (MeetingKind.TRAINING, 9, "Tập huấn chuyển đổi số, dịch vụ công trực tuyến cho tổ công nghệ số cộng đồng",
     "Tài liệu hướng dẫn dịch vụ công trực tuyến", (40, 70)),
    (MeetingKind.BRIEFING, 11, "Quán triệt Kết luận số 01 của Bộ Chính trị về học tập và làm theo Bác",
     "Kết luận số 01-KL/TW", (45, 80)),
]

# (name, field, recognised)
MODELS = [
    ("Mô hình “Dân vận khéo” vận động Nhân dân hiến đất mở rộng đường giao thông", ModelField.ECONOMY, True),
    ("Mô hình “Khu dân cư tự quản về an ninh trật tự”", ModelField.DEFENCE_SECURITY, False),
    ("Mô hình “Phân loại rác thải tại nguồn” ở khu dân cư", ModelField.CULTURE_SOCIETY, False),
]

# Per ward, so the two demo wards differ: reception weekday (0 = Monday), the month the monthly
# task was not reported done, whether the year-end review (once task) was finished.
PROFILES = {
    "phu-son": {"weekday": 3, "missed_month": 8, "review_done": True, "dialogue_months": (5, 11)},
    "quang-trung": {"weekday": 1, "missed_month": 12, "review_done": False, "dialogue_months": (6, 10)},
}
DEFAULT_PROFILE = {"weekday": 2, "missed_month": 9, "review_done": True, "dialogue_months": (5, 10)}


@dataclass
class _Year:
    """Dates of the demo year on the working-day calendar, drawn from the ward's generator."""

    year: int
    calendar: WorkingCalendar
    rng: random.Random

    def working(self, day: date) -> date:
        return self.calendar.next_working_day(day)

    def in_month(self, month: int, first: int = 1, last: int = 28) -> date:
        return self.working(date(self.year, month, self.rng.randint(first, last)))

    def spread(self, count: int, first: date, last: date) -> list[date]:
        """`count` working days spread over [first, last], in order."""
        span = (last - first).days
        step = span / count
        return sorted(
            self.working(first + timedelta(days=int(i * step + self.rng.uniform(0, step * 0.8))))
            for i in range(count)
        )


def has_demo_records(session: Session, unit: Unit, year: int) -> bool:
    return session.scalar(
        select(Reception.id)
        .where(
            Reception.unit_id == unit.id,
            Reception.note == DEMO_NOTE,
            Reception.held_on >= date(year, 1, 1),
            Reception.held_on <= date(year, 12, 31),
        )
        .limit(1)
    ) is not None


@dataclass
class DemoYear:
    """The records of a ward's demo year, not yet added to the session."""

    rows: list[object]
    extensions: list[tuple[Petition, date, str]]  # (petition, decided on, reason)


def build_demo_records(
    session: Session, unit: Unit, plan: Plan | None, book: LegalBook, today: date, chairman: str = ""
) -> DemoYear:
    """The ward's demo year (`plan.year`), records dated after `today` left out; the same every run."""
    year = plan.year if plan is not None else today.year
    profile = PROFILES.get(unit.slug, DEFAULT_PROFILE)
    days = _Year(year, book.calendar, random.Random(f"dan-van-demo:{unit.slug}:{year}"))
    rows: list[object] = []
    rows += _receptions(unit, days, profile, chairman)
    rows += _dialogues(unit, days, profile)
    petitions, extensions = _petitions(unit, days, book, today)
    rows += petitions
    rows += _models(session, unit, days)
    rows += _posts(unit, days)
    rows += _meetings(unit, days)
    if plan is not None:
        rows += _task_updates(session, unit, plan, days, profile)
    kept = [r for r in rows if _day_of(r) <= today]
    kept_ids = {id(r) for r in kept}
    return DemoYear(kept, [e for e in extensions if id(e[0]) in kept_ids and e[1] <= today])


def add_demo_records(
    session: Session, unit: Unit, plan: Plan | None, book: LegalBook, today: date, chairman: str = ""
) -> int:
    """Add the ward's demo year (flushed, not committed); 0 if it has it already."""
    if has_demo_records(session, unit, plan.year if plan is not None else today.year):
        return 0
    demo = build_demo_records(session, unit, plan, book, today, chairman)
    session.add_all(demo.rows)
    session.flush()
    session.add_all(
        PetitionExtension(unit_id=unit.id, petition_id=petition.id, decided_on=decided, reason=reason)
        for petition, decided, reason in demo.extensions
    )
    session.flush()
    return len(demo.rows) + len(demo.extensions)


def _day_of(row: object) -> date:
    for attr in ("held_on", "received_on", "published_on", "reported_on", "recognised_on"):
        value = getattr(row, attr, None)
        if value is not None:
            return value
    return date.min


def _receptions(unit: Unit, days: _Year, profile: dict, chairman: str) -> list[Reception]:
    host = f"{chairman} - Chủ tịch UBND" if chairman else "Chủ tịch UBND"
    mondays = [date(days.year, 1, 1) + timedelta(days=n) for n in range(366)]
    mondays = [d for d in mondays if d.year == days.year and d.weekday() == 0]
    missed = set(days.rng.sample(range(len(mondays)), 4))
    receptions = []
    for index, monday in enumerate(mondays):
        week = [monday + timedelta(days=n) for n in range(5)]
        open_days = [d for d in week if d.year == days.year and days.calendar.is_working_day(d)]
        if not open_days or index in missed:
            continue
        preferred = monday + timedelta(days=profile["weekday"])
        day = preferred if preferred in open_days else next((d for d in open_days if d > preferred), open_days[-1])
        citizens = days.rng.choices(range(9), weights=(3, 5, 7, 7, 6, 4, 3, 2, 1))[0]
        cases = min(citizens, days.rng.randint(0, 3)) if citizens else 0
        topics = days.rng.sample(RECEPTION_TOPICS, cases)
        deputy = days.rng.random() < 0.1
        receptions.append(
            Reception(
                unit_id=unit.id,
                held_on=day,
                host="Phó Chủ tịch UBND (được ủy quyền)" if deputy else host,
                citizens=citizens,
                cases=cases,
                cases_raised="; ".join(topics) if topics else "Không có công dân đến kiến nghị, phản ánh",
                note=DEMO_NOTE,
            )
        )
    return receptions


def _dialogues(unit: Unit, days: _Year, profile: dict) -> list[Dialogue]:
    first, second = profile["dialogue_months"]
    return [
        Dialogue(
            unit_id=unit.id,
            held_on=days.in_month(first, 10, 25),
            topic=f"Đối thoại giữa Chủ tịch UBND {unit.full_name} với Nhân dân về chỉnh trang đô thị, "
                  "giải phóng mặt bằng",
            participants=days.rng.randint(70, 120),
            with_front=True,
            issues_raised="Tiến độ chi trả bồi thường; vị trí tái định cư; thu gom rác thải; đèn chiếu sáng.",
            answers="UBND cam kết công khai phương án bồi thường, hoàn thành chi trả trong quý III; "
                    "bổ sung 12 bóng đèn chiếu sáng; giao công chức Địa chính - Xây dựng theo dõi.",
        ),
        Dialogue(
            unit_id=unit.id,
            held_on=days.in_month(second, 5, 25),
            topic="Đối thoại với hộ kinh doanh về trật tự vỉa hè, vệ sinh môi trường",
            participants=days.rng.randint(35, 60),
            with_front=False,
            issues_raised="Thời gian được sử dụng vỉa hè; điểm trông giữ xe; thu phí vệ sinh.",
            answers="Thống nhất quy định sử dụng tạm thời vỉa hè; ra quân kiểm tra định kỳ hằng tháng.",
        ),
    ]


def _petitions(
    unit: Unit, days: _Year, book: LegalBook, today: date
) -> tuple[list[Petition], list[tuple[Petition, date, str]]]:
    rng = days.rng
    place = "Thôn" if unit.kind == UnitKind.COMMUNE else "Khu phố"
    order = rng.sample(PETITIONS, rng.randint(len(PETITIONS) - 2, len(PETITIONS)))
    received = days.spread(len(order), date(days.year, 1, 6), date(days.year, 12, 20))
    late = set(rng.sample([i for i in range(len(order) - 4) if i not in (4, 7, 9)], 3))  # resolved late
    petitions: list[Petition] = []
    extensions: list[tuple[Petition, date, str]] = []
    for index, ((kind, summary, handler, complex_case, mediated), day) in enumerate(zip(order, received, strict=True)):
        petition = Petition(
            unit_id=unit.id,
            received_on=day,
            kind=kind,
            source=rng.choice(PETITION_SOURCES),
            petitioner_name=rng.choice(PETITIONER_NAMES),
            petitioner_address=f"{place} {rng.randint(1, 9)}, {unit.full_name}",
            petitioner_contact=f"09{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            summary=summary,
            handler=handler,
            complex_case=complex_case,
            remote_area=False,
            second_resolution=False,
            mediated=mediated,
            above_level=index == 4,
            mass_complaint=False,
            status=PetitionStatus.RESOLVED,
        )
        classify = book.calendar.add_working_days(day, rng.randint(2, 6))
        petition.classified_on = classify
        if kind in (PetitionKind.COMPLAINT, PetitionKind.DENUNCIATION):
            petition.accepted_on = book.calendar.add_working_days(classify, rng.randint(1, 3))
        remaining = len(order) - index
        if remaining <= 4:  # the last ones of the year are still being handled
            petition.status = (PetitionStatus.IN_RESOLUTION, PetitionStatus.ACCEPTED,
                               PetitionStatus.CLASSIFIED, PetitionStatus.RECEIVED)[4 - remaining]
            if petition.status in (PetitionStatus.CLASSIFIED, PetitionStatus.RECEIVED):
                petition.accepted_on = None
            if petition.status == PetitionStatus.RECEIVED:
                petition.classified_on = None
            petitions.append(petition)
            continue
        if index == 7:
            petition.status = PetitionStatus.WITHDRAWN
            petition.closed_on = days.working(classify + timedelta(days=rng.randint(5, 12)))
            petition.resolution = "Người gửi đơn tự nguyện rút đơn sau khi được giải thích."
            petitions.append(petition)
            continue
        if index == 9:
            petition.status = PetitionStatus.TRANSFERRED
            petition.accepted_on = None
            petition.closed_on = classify
            petition.resolution = "Chuyển đơn đến cơ quan có thẩm quyền giải quyết theo quy định."
            petitions.append(petition)
            continue
        extended = kind == PetitionKind.DENUNCIATION and complex_case
        due = deadline_of(petition, book, today, extensions=1 if extended else 0)
        if due is None:
            petitions.append(petition)
            continue
        if kind in (PetitionKind.RECOMMENDATION, PetitionKind.FEEDBACK):
            # Their legal limit is classification: a late one was classified after it.
            if index in late:
                petition.classified_on = days.working(due.due_on + timedelta(days=rng.randint(2, 8)))
            petition.closed_on = days.working(petition.classified_on + timedelta(days=rng.randint(3, 20)))
        elif index in late:
            petition.closed_on = days.working(due.due_on + timedelta(days=rng.randint(3, 15)))
        else:
            start = due.starts_on
            closed = days.working(start + timedelta(days=rng.randint(7, (due.due_on - start).days)))
            petition.closed_on = min(due.due_on, closed)
        petition.resolution = "Đã giải quyết, trả lời bằng văn bản cho người gửi đơn."
        if extended:
            decided = due.due_on - timedelta(days=due.rule.extension_days + 3)
            extensions.append((petition, days.working(decided), "Vụ việc phức tạp, cần xác minh thêm"))
        petitions.append(petition)
    return petitions, extensions


def _models(session: Session, unit: Unit, days: _Year) -> list[Model]:
    admin = session.scalar(select(User.id).where(User.username == f"admin@{_parent_slug(session, unit)}"))
    models = []
    for name, field, recognised in MODELS:
        model = Model(
            unit_id=unit.id,
            name=name,
            field=field,
            year=days.year,
            status=ModelStatus.RECOGNISED if recognised else ModelStatus.REGISTERED,
            description="Đăng ký xây dựng trong năm; có kế hoạch, phân công và tiêu chí đánh giá.",
        )
        if recognised:
            model.recognised_on = days.in_month(11, 10, 28)
            model.recognised_by = admin
        models.append(model)
    return models


def person_label(session: Session, username: str) -> str:
    """How records name the demo account `username`: "Họ tên, chức vụ" (the account name if unknown)."""
    user = session.scalar(select(User).where(User.username == username))
    return user.label if user else username


def _parent_slug(session: Session, unit: Unit) -> str:
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    return parent.slug if parent else ""


def _posts(unit: Unit, days: _Year) -> list[Post]:
    published = days.spread(len(POST_TITLES), date(days.year, 1, 3), date(days.year, 12, 28))
    channels = list(POST_CHANNELS)
    days.rng.shuffle(channels)
    return [
        Post(unit_id=unit.id, title=title, channel=channel, published_on=day)
        for title, channel, day in zip(POST_TITLES, channels, published, strict=True)
    ]


def _meetings(unit: Unit, days: _Year) -> list[Meeting]:
    return [
        Meeting(
            unit_id=unit.id,
            kind=kind,
            held_on=days.in_month(month, 5, 25),
            topic=topic,
            documents=documents,
            attendees=days.rng.randint(*attendees),
        )
        for kind, month, topic, documents, attendees in MEETINGS
    ]


def _task_updates(session: Session, unit: Unit, plan: Plan, days: _Year, profile: dict) -> list[TaskUpdate]:
    tasks = session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.position, Task.id)).all()
    updates: list[TaskUpdate] = []
    owners = {role: person_label(session, f"{role.value}@{unit.slug}") for role in {t.owner_role for t in tasks}}

    def update(task: Task, day: date, status: ProgressStatus, percent: int, note: str,
               period_start: date | None = None) -> None:
        updates.append(
            TaskUpdate(
                unit_id=unit.id, task_id=task.id, reported_on=days.working(day), period_start=period_start,
                percent=100 if status == ProgressStatus.DONE else percent, status=status, note=note,
                username=owners[task.owner_role],
            )
        )

    for task in tasks:
        if task.schedule in (Schedule.MONTHLY, Schedule.QUARTERLY):
            for period in schedule_periods(task.schedule, plan.year):
                report_day = period.end + timedelta(days=days.rng.randint(1, 5))
                if task.schedule == Schedule.MONTHLY and period.start.month == profile["missed_month"]:
                    update(task, report_day, ProgressStatus.IN_PROGRESS, 70,
                           "Còn đơn thư chưa rà soát xong trong kỳ.", period.start)
                else:
                    update(task, report_day, ProgressStatus.DONE, 100,
                           "Đã rà soát, đôn đốc giải quyết đơn thư trong kỳ.", period.start)
        elif task.schedule == Schedule.ONCE:
            if task.key == "II.4.2":  # the dialogue
                month = profile["dialogue_months"][0]
                update(task, date(plan.year, month, 28), ProgressStatus.DONE, 100,
                       "Đã tổ chức hội nghị đối thoại có Mặt trận Tổ quốc phối hợp.")
            else:
                update(task, date(plan.year, 7, 10), ProgressStatus.IN_PROGRESS, 50,
                       "Đã sơ kết 6 tháng đầu năm.")
                if profile["review_done"]:
                    update(task, date(plan.year, 12, 18), ProgressStatus.DONE, 100, "Đã tổng kết năm.")
                else:
                    update(task, date(plan.year, 12, 22), ProgressStatus.IN_PROGRESS, 80,
                           "Đang hoàn thiện báo cáo tổng kết năm.")
        else:
            finished = days.rng.random() < 0.6
            for quarter, percent in enumerate((25, 50, 75, 100), start=1):
                done = quarter == 4 and finished
                update(task, date(plan.year, 3 * quarter, 25),
                       ProgressStatus.DONE if done else ProgressStatus.IN_PROGRESS,
                       percent if done else min(percent, 90),
                       f"Đã triển khai theo kế hoạch quý {('I', 'II', 'III', 'IV')[quarter - 1]}.")
    return updates


# --- periodic reports: Phú Sơn sent its six-month review on time (acknowledged), Quang Trung late ---

DEMO_REPORTS = {
    # slug: (sent on (month, day), acknowledged by the town)
    "phu-son": ((6, 12), True),
    "quang-trung": ((7, 3), False),
}
DEMO_REPORT_TEXT = {
    "results": (
        "UBND đã ban hành kế hoạch, tổ chức quán triệt đến cán bộ, công chức; duy trì tiếp công dân định kỳ, "
        "tổ chức đối thoại với Nhân dân có sự tham gia của Mặt trận Tổ quốc; tiếp nhận và giải quyết đơn thư "
        "theo đúng quy định."
    ),
    "strengths_shortcomings": (
        "Ưu điểm: các nhiệm vụ được triển khai đồng bộ, kịp thời. Hạn chế: một số đơn thư giải quyết còn chậm; "
        "nguyên nhân: vụ việc phức tạp, liên quan đến đất đai có nguồn gốc lâu năm."
    ),
    "direction": "Tiếp tục thực hiện tốt Quy chế dân chủ ở cơ sở; nhân rộng mô hình “Dân vận khéo”.",
    "proposals": "Đề nghị UBND thị xã tổ chức tập huấn kỹ năng tiếp công dân, xử lý đơn thư.",
}


def add_demo_reports(session: Session, wards: dict[str, Unit], year: int, book: LegalBook, today: date) -> int:
    """The six-month review of `year` of the demo wards (flushed, not committed); existing ones kept."""
    from app.indicators.services import indicator_values
    from app.models import Plan, Report, ReportKind, ReportStatus
    from app.reports.services import default_due, default_title, freeze, period_of

    added = 0
    for slug, ((month, day), acknowledged) in DEMO_REPORTS.items():
        unit = wards.get(slug)
        sent_on = date(year, month, day)
        if unit is None or sent_on > today:
            continue
        plan = session.scalar(
            select(Plan).where(Plan.unit_id == unit.id, Plan.year == year, Plan.is_template.is_(False))
        )
        period = period_of(ReportKind.SIX_MONTH, year)
        if plan is None or session.scalar(
            select(Report.id).where(Report.unit_id == unit.id, Report.kind == ReportKind.SIX_MONTH,
                                    Report.period == period)
        ):
            continue
        report = Report(
            unit_id=unit.id,
            plan_id=plan.id,
            kind=ReportKind.SIX_MONTH,
            period=period,
            title=default_title(ReportKind.SIX_MONTH, period),
            due_on=default_due(ReportKind.SIX_MONTH, year),
            status=ReportStatus.ACKNOWLEDGED if acknowledged else ReportStatus.SENT,
            frozen_indicators=freeze(indicator_values(session, plan, period, sent_on, book=book)),
            sent_on=sent_on,
            sent_by=person_label(session, f"chairman@{slug}"),
            **DEMO_REPORT_TEXT,
        )
        if acknowledged:
            report.reviewed_on, report.reviewed_by = sent_on + timedelta(days=5), person_label(session, "admin@bim-son")
            report.review_comment = "Đã tiếp nhận báo cáo."
        session.add(report)
        added += 1
    session.flush()
    return added
