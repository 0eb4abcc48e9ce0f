"""Who manages whom (DESIGN §3): the parent's admin every role of its unit and the units below;
a ward's chairman the office and culture officials of the ward. Nobody manages themselves, and
nobody gives a role outside their scope or above their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.models.unit import Unit
from app.models.user import Membership, Role

WARD_ROLES = (Role.CHAIRMAN, Role.OFFICE, Role.CULTURE, Role.FRONT)
PARENT_ROLES = (Role.TOWN_ADMIN, Role.FRONT)
CHAIRMAN_MANAGES = frozenset({Role.OFFICE, Role.CULTURE})


def roles_of_unit(unit: Unit) -> tuple[Role, ...]:
    """The roles a person can hold on `unit`: the ward's staff and Front, or a parent's admin and Front."""
    return WARD_ROLES if unit.is_tenant else PARENT_ROLES


@dataclass(frozen=True)
class Manager:
    """Someone managing the people of one unit: their id, and the roles they hold there
    (on the unit itself or on a unit above it)."""

    user_id: int
    roles_here: frozenset[Role]
    scope_unit_ids: frozenset[int]  # the units they reach from this one (it and those below)

    def grants(self, unit: Unit) -> tuple[Role, ...]:
        """The roles on `unit` this manager may give, change or take, in the order of the table."""
        if Role.TOWN_ADMIN in self.roles_here:
            allowed: Iterable[Role] = roles_of_unit(unit)
        elif Role.CHAIRMAN in self.roles_here and unit.is_tenant:
            allowed = CHAIRMAN_MANAGES
        else:
            allowed = ()
        return tuple(role for role in roles_of_unit(unit) if role in set(allowed))

    def manages_membership(self, membership: Membership, unit: Unit) -> bool:
        """May this manager change or take `membership` (a role held on `unit`)?"""
        return (
            membership.user_id != self.user_id
            and membership.unit_id == unit.id
            and membership.role in self.grants(unit)
        )

    def manages_all(self, memberships: Iterable[Membership], unit: Unit) -> bool:
        """May this manager change or take every role these memberships hold on `unit`?"""
        held = list(memberships)
        return bool(held) and all(self.manages_membership(m, unit) for m in held)

    def manages_person(self, memberships: Iterable[Membership], unit: Unit) -> bool:
        """May this manager edit the person's own details (name, email …)? Only when every role the
        person holds anywhere is one this manager manages: a chairman cannot redirect the email
        of someone who is also a town's admin."""
        held = list(memberships)  # inactive ones too: they can be given back
        return bool(held) and all(
            m.user_id != self.user_id
            and m.unit_id in self.scope_unit_ids
            and (m.unit_id != unit.id or m.role in self.grants(unit))
            and (m.unit_id == unit.id or Role.TOWN_ADMIN in self.roles_here)
            for m in held
        )
