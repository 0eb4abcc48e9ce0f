"""The form an admin fills in about a person of their unit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from app.accounts.forms import ProfileForm
from app.models.user import Role
from app.vocabulary import ROLE_LABELS


class PersonForm(ProfileForm):
    role = SelectField(_l("Vai trò"), validators=[])

    def offer_roles(self, roles: tuple[Role, ...]) -> PersonForm:
        """Only the roles this admin may give on this unit."""
        self.role.choices = [(role.value, str(ROLE_LABELS[role])) for role in roles]
        return self
