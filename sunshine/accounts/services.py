"""Creating accounts. Every account creation is an audit event."""

from __future__ import annotations

from django.db import transaction

from sunshine.accounts.models import Role, User
from sunshine.audit.services import Actor, record
from sunshine.schools.models import District, School


def create_user(
    actor: Actor,
    *,
    username: str,
    password: str,
    role: Role,
    school: School | None = None,
    district: District | None = None,
    display_name: str = "",
) -> User:
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            role=role,
            school=school,
            district=district,
            first_name=display_name,
        )
        record(actor, "account.created", user, role=role)
    return user
