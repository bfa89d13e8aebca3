"""Model fields that encrypt personal data transparently."""

from __future__ import annotations

from typing import Any

from django.db import models

from sunshine.privacy import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted with AES-GCM before it reaches the database.

    ``purpose`` names what the value is (for example ``"child.id_number"``); it
    is bound into the ciphertext. Encrypted columns cannot be filtered on:
    pair them with a blind index for exact look-ups.
    """

    def __init__(self, *args: Any, purpose: str = "", **kwargs: Any) -> None:
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, self.purpose)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), self.purpose)
