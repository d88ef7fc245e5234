"""Helpers for named constants with zh-hans labels.

Labels are lazily translated (the msgid is the Chinese label): ``label_of`` gives the label
in the language of the current request; ``source_label_of`` always gives the Chinese one,
for text that is stored (notices, reasons) or read as part of a Chinese sentence.
"""

from django.db import models
from django.utils import translation


class Choices(models.TextChoices):
    """Base for our choice sets: ``Choices.label_of(value)`` tolerates unknown values."""

    @classmethod
    def label_of(cls, value: str) -> str:
        try:
            return str(cls(value).label)
        except ValueError:
            return value

    @classmethod
    def source_label_of(cls, value: str) -> str:
        """The Chinese label, whatever language is active."""
        with translation.override(None):
            return cls.label_of(value)
