"""A description of every HTML form route for the form fuzzer (tests/test_form_fuzz.py): who may post
to it, which baseline rows its URL names, and the fields it reads (from its Flask-WTF form classes,
plus the names a view reads from `request.form` itself).

A POST route under /api is described by the OpenAPI document (tests/test_api.py), not here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hypothesis import strategies as st
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    FloatField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
)
from wtforms.fields.core import UnboundField

from app.accounts.forms import ChangePasswordForm, CodeForm, ForgotForm, NewPasswordForm, PasswordCheckForm, ProfileForm
from app.api.tokens import RevokeForm, TokenForm
from app.auth.forms import LoginForm
from app.documents.import_forms import ImportForm
from app.indicators.routes import ValueForm
from app.notifications.words import GROUPS
from app.people.forms import PersonForm
from app.petitions.forms import ExtensionForm, PetitionForm, StatusForm
from app.plans.forms import (
    CreatePlansForm,
    DeleteForm,
    IssueForm,
    MoveForm,
    PlanDocumentForm,
    RolloverForm,
    SectionForm,
    TaskForm,
)
from app.progress.forms import ProgressForm
from app.records.forms import DialogueForm, MeetingForm, ModelForm, PostForm, ReceptionForm
from app.reports.forms import NewReportForm, ReportForm, ReviewForm
from app.units.forms import ExportForm, MergeForm, SplitForm, UnitForm
from app.units.forms import MoveForm as UnitMoveForm

FormClass = type


@dataclass(frozen=True)
class Target:
    """One POST route: `account` signs in (None: nobody), `ids` names the baseline rows that fill
    the URL's variables (see `baseline_ids` in the test), `forms` and `raw` name its fields,
    `plausible` gives valid-looking values of fields whose choices come from the database, and
    `prepare` names a step that brings the baseline to where the route does something (e.g. a plan
    submitted before it is issued). `stores_on_200`: a 200 answer may be a success that stores (a
    secret shown once)."""

    account: str | None
    forms: tuple[FormClass, ...] = ()
    raw: tuple[str, ...] = ()
    ids: dict[str, str] = field(default_factory=dict)
    plausible: dict[str, str] = field(default_factory=dict)
    prepare: str | None = None
    stores_on_200: bool = False
    fresh_ids: bool = False  # the URL names a single-use link: a new one for every example


OFFICE, CHAIRMAN, CULTURE, TOWN = "office@phu-son", "chairman@phu-son", "culture@phu-son", "admin@bim-son"
PLAN = "/u/<unit_slug>/plans/<int:year>"
TEMPLATE = "/u/<unit_slug>/templates/<int:template_id>"
TOWN_TEMPLATE = {"unit_slug": "town", "template_id": "draft_template"}
TEMPLATE_SECTION = {**TOWN_TEMPLATE, "section_id": "template_section"}
TEMPLATE_TASK = {**TOWN_TEMPLATE, "task_id": "template_task"}


def _register(form: FormClass, row: str, account: str = OFFICE) -> dict[str, Target]:
    base = f"/u/<unit_slug>/{row}s"
    return {
        f"{base}/new": Target(account, (form,)),
        f"{base}/<int:{row}_id>/edit": Target(account, (form,), ids={f"{row}_id": row}),
    }


ROUTES: dict[str, Target] = {
    # A person's own account (any role; the culture official here).
    "/account/password": Target(CULTURE, (ChangePasswordForm,)),
    "/account/profile": Target(CULTURE, (ProfileForm,)),
    "/account/sessions/end-others": Target(CULTURE),
    "/account/tokens": Target(CULTURE, (TokenForm,), stores_on_200=True),  # the new token is shown once
    "/account/tokens/revoke": Target(CULTURE, (RevokeForm,)),
    "/account/two-factor": Target(CULTURE, (CodeForm,), stores_on_200=True),  # the recovery codes are shown once
    "/account/two-factor/off": Target(CULTURE, (PasswordCheckForm,)),
    "/account/two-factor/recovery-codes": Target(CULTURE),
    # Signing in, out, and the links sent by mail (nobody signed in).
    "/forgot": Target(None, (ForgotForm,)),
    "/join/<token>": Target(None, (NewPasswordForm,), ids={"token": "invitation"}, fresh_ids=True),
    "/login": Target(None, (LoginForm,)),
    "/login/code": Target(None, (CodeForm,)),
    "/logout": Target(CULTURE),
    "/reset/<token>": Target(None, (NewPasswordForm,), ids={"token": "reset"}, fresh_ids=True),
    # Notifications.
    "/notifications/calendar": Target(CULTURE, raw=("revoke",), stores_on_200=True),  # the new address is shown once
    "/notifications/read": Target(CULTURE, raw=("id", "next")),
    "/notifications/read-all": Target(CULTURE),
    "/notifications/settings": Target(CULTURE, raw=tuple(GROUPS)),
    # The ward's registers.
    **_register(DialogueForm, "dialogue"),
    **_register(MeetingForm, "meeting", CULTURE),
    **_register(ModelForm, "model", CULTURE),
    **_register(PostForm, "post", CULTURE),
    **_register(ReceptionForm, "reception"),
    "/u/<unit_slug>/models/<int:model_id>/recognise": Target(TOWN, ids={"model_id": "model"}),
    # People of the ward, managed by its chairman.
    "/u/<unit_slug>/people/new": Target(CHAIRMAN, (PersonForm,)),
    "/u/<unit_slug>/people/<int:user_id>": Target(CHAIRMAN, (PersonForm,), ids={"user_id": "person"}),
    "/u/<unit_slug>/people/<int:user_id>/deactivate": Target(CHAIRMAN, ids={"user_id": "person"}),
    "/u/<unit_slug>/people/<int:user_id>/invite": Target(CHAIRMAN, ids={"user_id": "person"}),
    "/u/<unit_slug>/people/<int:user_id>/reactivate": Target(CHAIRMAN, ids={"user_id": "person"}),
    "/u/<unit_slug>/people/<int:user_id>/reset-link": Target(  # the link is shown once
        CHAIRMAN, ids={"user_id": "person"}, stores_on_200=True),
    # Petitions.
    "/u/<unit_slug>/petitions/new": Target(OFFICE, (PetitionForm,)),
    "/u/<unit_slug>/petitions/<int:petition_id>/edit": Target(OFFICE, (PetitionForm,), ids={"petition_id": "petition"}),
    "/u/<unit_slug>/petitions/<int:petition_id>/extensions": Target(
        OFFICE, (ExtensionForm,), ids={"petition_id": "petition"}),
    "/u/<unit_slug>/petitions/<int:petition_id>/status": Target(OFFICE, (StatusForm,), ids={"petition_id": "petition"}),
    # The ward's plan: its lifecycle, its words, its sections and tasks, progress and indicators.
    f"{PLAN}/create": Target(OFFICE),
    f"{PLAN}/document/edit": Target(OFFICE, (PlanDocumentForm,)),
    f"{PLAN}/from-merged": Target(OFFICE, raw=("base", "row-1")),
    f"{PLAN}/indicators/<int:indicator_id>/value": Target(OFFICE, (ValueForm,), ids={"indicator_id": "indicator"}),
    f"{PLAN}/issue": Target(CHAIRMAN, (IssueForm,), prepare="submit_plan"),
    f"{PLAN}/next-year": Target(OFFICE, (RolloverForm,)),
    f"{PLAN}/proposals/<int:proposal_id>/accept": Target(OFFICE, raw=("take", "choosing"), ids={"proposal_id": "proposal"}),
    f"{PLAN}/proposals/<int:proposal_id>/decline": Target(OFFICE, ids={"proposal_id": "proposal"}),
    f"{PLAN}/reopen": Target(CHAIRMAN),
    f"{PLAN}/return": Target(CHAIRMAN, prepare="submit_plan"),
    f"{PLAN}/submit": Target(OFFICE),
    f"{PLAN}/sections/new": Target(OFFICE, (SectionForm,)),
    f"{PLAN}/sections/<int:section_id>/delete": Target(OFFICE, (DeleteForm,), ids={"section_id": "section"}),
    f"{PLAN}/sections/<int:section_id>/edit": Target(OFFICE, (SectionForm,), ids={"section_id": "section"}),
    f"{PLAN}/sections/<int:section_id>/move": Target(OFFICE, (MoveForm,), ids={"section_id": "section"}),
    f"{PLAN}/sections/<int:section_id>/tasks/new": Target(OFFICE, (TaskForm,), ids={"section_id": "section"}),
    f"{PLAN}/tasks/<int:task_id>/delete": Target(OFFICE, (DeleteForm,), ids={"task_id": "task"}),
    f"{PLAN}/tasks/<int:task_id>/edit": Target(OFFICE, (TaskForm,), ids={"task_id": "task"}),
    f"{PLAN}/tasks/<int:task_id>/move": Target(OFFICE, (MoveForm,), ids={"task_id": "task"}),
    f"{PLAN}/tasks/<int:task_id>/progress": Target(CULTURE, (ProgressForm,), ids={"task_id": "task"}),
    "/u/<unit_slug>/plans/create-for-wards": Target(TOWN, (CreatePlansForm,), ids={"unit_slug": "town"}),
    "/u/<unit_slug>/plans/import": Target(OFFICE, (ImportForm,), raw=("action",)),
    # Periodic reports: the ward drafts and sends, the town acknowledges or returns.
    "/u/<unit_slug>/reports/new": Target(OFFICE, (NewReportForm,)),
    "/u/<unit_slug>/reports/<int:report_id>/edit": Target(OFFICE, (ReportForm,), ids={"report_id": "report"}),
    "/u/<unit_slug>/reports/<int:report_id>/send": Target(CHAIRMAN, ids={"report_id": "report"}),
    "/u/<unit_slug>/reports/<int:report_id>/acknowledge": Target(
        TOWN, (ReviewForm,), ids={"report_id": "report"}, prepare="send_report"),
    "/u/<unit_slug>/reports/<int:report_id>/return": Target(
        TOWN, (ReviewForm,), ids={"report_id": "report"}, prepare="send_report"),
    # The town's plan templates (a draft revision to edit).
    f"{TEMPLATE}/discard": Target(TOWN, ids=TOWN_TEMPLATE, prepare="revise_template"),
    f"{TEMPLATE}/document/edit": Target(TOWN, (PlanDocumentForm,), ids=TOWN_TEMPLATE, prepare="revise_template"),
    f"{TEMPLATE}/next-year": Target(TOWN, ids={"unit_slug": "town", "template_id": "template"}),
    f"{TEMPLATE}/publish": Target(TOWN, ids=TOWN_TEMPLATE, prepare="revise_template"),
    f"{TEMPLATE}/revise": Target(TOWN, ids={"unit_slug": "town", "template_id": "template"}),
    f"{TEMPLATE}/sections/new": Target(TOWN, (SectionForm,), ids=TOWN_TEMPLATE, prepare="revise_template"),
    f"{TEMPLATE}/sections/<int:section_id>/delete": Target(
        TOWN, (DeleteForm,), ids=TEMPLATE_SECTION, prepare="revise_template"),
    f"{TEMPLATE}/sections/<int:section_id>/edit": Target(
        TOWN, (SectionForm,), ids=TEMPLATE_SECTION, prepare="revise_template"),
    f"{TEMPLATE}/sections/<int:section_id>/move": Target(
        TOWN, (MoveForm,), ids=TEMPLATE_SECTION, prepare="revise_template"),
    f"{TEMPLATE}/sections/<int:section_id>/tasks/new": Target(
        TOWN, (TaskForm,), ids=TEMPLATE_SECTION, prepare="revise_template"),
    f"{TEMPLATE}/tasks/<int:task_id>/delete": Target(TOWN, (DeleteForm,), ids=TEMPLATE_TASK, prepare="revise_template"),
    f"{TEMPLATE}/tasks/<int:task_id>/edit": Target(TOWN, (TaskForm,), ids=TEMPLATE_TASK, prepare="revise_template"),
    f"{TEMPLATE}/tasks/<int:task_id>/move": Target(TOWN, (MoveForm,), ids=TEMPLATE_TASK, prepare="revise_template"),
    "/u/<unit_slug>/templates/import": Target(TOWN, (ImportForm,), raw=("action",), ids={"unit_slug": "town"}),
    # The town's units below it.
    "/u/<unit_slug>/units/new": Target(TOWN, (UnitForm,), ids={"unit_slug": "town"}, plausible={"parent_id": "town_id"}),
    "/u/<unit_slug>/units/<int:unit_id>/edit": Target(
        TOWN, (UnitForm,), ids={"unit_slug": "town", "unit_id": "ward_id"}, plausible={"parent_id": "town_id"}),
    "/u/<unit_slug>/units/<int:unit_id>/export": Target(TOWN, (ExportForm,), ids={"unit_slug": "town", "unit_id": "ward_id"},
                                                         stores_on_200=True),  # 200: the archive, its export audited
    "/u/<unit_slug>/units/changes/<int:change_id>/undo": Target(TOWN, ids={"unit_slug": "town", "change_id": "change"}),
    "/u/<unit_slug>/units/merge": Target(
        TOWN, (MergeForm,), raw=("confirm",), ids={"unit_slug": "town"},
        plausible={"units": "ward_id", "target": "ward_id", "new_parent": "town_id", "grants": "membership_id"}),
    "/u/<unit_slug>/units/move": Target(
        TOWN, (UnitMoveForm,), raw=("confirm",), ids={"unit_slug": "town"},
        plausible={"units": "ward_id", "dissolved": "ward_id", "parent": "town_id"}),
    "/u/<unit_slug>/units/official": Target(TOWN, ids={"unit_slug": "town"}),
    "/u/<unit_slug>/units/split": Target(
        TOWN, (SplitForm,), raw=("confirm",), ids={"unit_slug": "town"},
        plausible={"unit": "ward_id", "grants": "membership_id"}),
}


# --- values ---------------------------------------------------------------------------------------

TEXT = st.text(max_size=40)  # any code point but surrogates: NUL, control characters, RTL marks, emoji…
LONG = st.sampled_from([255, 501, 2001, 4001, 8001, 20001, 100_001]).map(lambda n: "Ă" * n)
NUMBERS = st.one_of(
    st.sampled_from(["0", "-1", "1", "100", "101", "2025", "2147483647", "2147483648", "-2147483649", "9" * 40,
                     "1e309", "-1e309", "nan", "inf", "1.5", "0x10", "١٢", " 7 ", "", "abc"]),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
DATES = st.one_of(
    st.sampled_from(["31/02/2025", "29/02/2024", "29/02/2025", "00/00/0000", "32/13/2025", "1/1/25", "2025-13-01",
                     "01/01/2025 ", "", "—", "15/05/2025", "2025-05-15", "01/01/1945", "31/12/2100",
                     "01/01/0001", "31/12/9999", "0001-01-01", "31/12/1944"]),
    st.dates().flatmap(
        lambda d: st.sampled_from([d.strftime("%d/%m/%Y"), d.isoformat()])),
)
BOOLEANS = st.sampled_from(["y", "on", "1", "", "false", "0"])
SUFFIXES = st.sampled_from([".docx", ".txt", ".pdf", ".xlsx", ".jpg", ".zip", "", ".exe"])
FILES = st.tuples(st.binary(max_size=3000), st.tuples(TEXT, SUFFIXES).map("".join))  # (content, file name)


def fields_of(form: FormClass) -> dict[str, UnboundField]:
    """The fields a form class declares (inherited ones too), by name."""
    return {name: value for name in dir(form) if isinstance(value := getattr(form, name, None), UnboundField)
            and name != "csrf_token"}


def _static_choices(unbound: UnboundField) -> list[str]:
    choices = unbound.kwargs.get("choices") or (unbound.args[1] if len(unbound.args) > 1 else None) or []
    values = []
    for choice in choices:
        value = choice[0] if isinstance(choice, tuple) else getattr(choice, "value", choice)
        values.append(str(value))
    return values


PLAUSIBLE_DATES = st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31)).flatmap(
    lambda d: st.sampled_from([d.strftime("%d/%m/%Y"), d.isoformat()]))
PLAUSIBLE_TEXT = st.text(alphabet="ăâđêôơưAĐ 0123456789abc/-\n", min_size=1, max_size=30).filter(str.strip)
PLAUSIBLE_NUMBERS = st.sampled_from(["0", "1", "3", "50", "100", "2025", "2026"])
BY_NAME = {  # fields whose valid values have a shape of their own
    "version": st.sampled_from(["", "1", "2"]),
    "link": st.sampled_from(["https://phuson.gov.vn/tin/1", "http://a.vn/?q=%00"]),
    "email": st.sampled_from(["", "a@example.vn", "chairman.phu-son@example.vn", "@", "a@b"]),
    "phone": st.sampled_from(["", "0912 345 678", "+84 912345678"]),
    "number": st.sampled_from(["15/KH-UBND", "07/BC-UBND", "99999/ĐA-UBND", "I.1", ""]),
    "password": st.sampled_from(["DanVan@2025", "Mật-khẩu-mới-2025!"]),
    "confirm": st.sampled_from(["DanVan@2025", "Mật-khẩu-mới-2025!"]),
    "current": st.sampled_from(["DanVan@2025", "wrong"]),
    "code": st.sampled_from(["123456", "000000", "abcd-efgh"]),
    "period": st.sampled_from(["2025", "2025-Q3", "2025-H1", "2025-05", "2025-05-01", "2024-Q1", ""]),
    "year": st.sampled_from(["2025", "2026", "2024"]),
    "direction": st.sampled_from(["up", "down"]),
    "base": st.sampled_from(["0", "1"]),
    "role": st.sampled_from(["chairman", "office", "culture", "front", "town_admin", "admin"]),
}


def plausible_value(name: str, unbound: UnboundField | None, ids: list[str]) -> st.SearchStrategy:
    """A value the field would accept, or something close to it."""
    kind = unbound.field_class if unbound is not None else None
    if ids:
        one = st.sampled_from(ids)
        return st.lists(one, min_size=1, max_size=3, unique=True) if kind and issubclass(kind, SelectMultipleField) else one
    if name in BY_NAME:
        return BY_NAME[name]
    if kind is None:
        return PLAUSIBLE_TEXT
    if issubclass(kind, (FileField, MultipleFileField)):
        return FILES
    if issubclass(kind, DateField):
        return PLAUSIBLE_DATES
    if issubclass(kind, (IntegerField, FloatField)):
        return PLAUSIBLE_NUMBERS
    if issubclass(kind, BooleanField):
        return BOOLEANS
    if issubclass(kind, (SelectField, SelectMultipleField)):
        choices = _static_choices(unbound)
        return st.sampled_from(choices) if choices else PLAUSIBLE_NUMBERS
    if issubclass(kind, HiddenField):
        return st.sampled_from(["up", "down", "2025", "2025-Q2", ""])
    return PLAUSIBLE_TEXT


def weird_value(name: str, unbound: UnboundField | None, ids: list[str]) -> st.SearchStrategy:
    """What no form expects: any text, a very long text, a number or a date where none belongs, a file
    where text belongs, or several values of a field that takes one."""
    # A file where text belongs too: Flask-WTF once handed it to text and date fields (a 500, issue 15).
    one = st.one_of(TEXT, LONG, NUMBERS, DATES, FILES)
    return one | st.lists(plausible_value(name, unbound, ids) | one, max_size=3)


def form_values(fields: dict[str, UnboundField | None], ids: dict[str, list[str]]) -> st.SearchStrategy:
    """The values sent: a form nearly right (every field plausible but one or two, so the request gets
    past validation into the services), or any mix of plausible, weird and missing fields."""
    plausible = {name: plausible_value(name, unbound, ids.get(name, [])) for name, unbound in fields.items()}
    weird = {name: weird_value(name, unbound, ids.get(name, [])) for name, unbound in fields.items()}
    if not fields:
        return st.just({})
    names = sorted(fields)
    nearly_right = st.tuples(st.fixed_dictionaries(plausible), st.lists(st.sampled_from(names), max_size=2)).flatmap(
        lambda pair: st.fixed_dictionaries({**{n: st.just(v) for n, v in pair[0].items()},
                                            **{n: weird[n] | st.none() for n in pair[1]}}))
    anything = st.fixed_dictionaries({name: st.one_of(st.none(), plausible[name], weird[name]) for name in names})
    return st.one_of(nearly_right, nearly_right, anything).map(lambda values: {n: v for n, v in values.items() if v is not None})
