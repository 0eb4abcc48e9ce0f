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
