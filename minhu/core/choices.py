"""Helpers for named constants with zh-hans labels."""

from django.db import models


class Choices(models.TextChoices):
    """Base for our choice sets: ``Choices.label_of(value)`` tolerates unknown values."""

    @classmethod
    def label_of(cls, value: str) -> str:
        try:
            return str(cls(value).label)
        except ValueError:
            return value
